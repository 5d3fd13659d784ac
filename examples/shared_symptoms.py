"""Which disorders share symptoms, and how closely? A tour of nmdkg's network analysis.

Run it with ``python examples/shared_symptoms.py`` (it builds the default graph, about 15 seconds).

**1. From the graph to a network.** :func:`nmdkg.analysis.network.read` runs SPARQL queries over the knowledge
graph and returns the disorder-phenotype network as a NetworkX graph: disorders (``bipartite=0``) linked to
their HPO phenotypes (``bipartite=1``), each edge with the annotation's ``frequency`` and ``source``.
Negated (``NOT``) annotations never become edges; they are kept apart in ``data.negated``::

    data = network.read(graph)
    B = data.bipartite
    B.nodes["OMIM:310200"]["label"]        # 'Duchenne muscular dystrophy'

**2. Weighing pairs of disorders.** Four measures, each one function of :mod:`nmdkg.analysis.similarity` working
on the sparse disorder-by-phenotype matrix: the number of *shared* phenotypes, their *Jaccard* index, the
*TF-IDF cosine* of the human symptoms-disease network (Zhou et al. 2014), which discounts phenotypes that
every disorder has, and *Resnik* semantic similarity, which also credits related findings (proximal and
distal weakness are both *muscle weakness*) by how informative their common ancestor is. The example
prints them for pairs of disorders the article names: the same disease in two catalogues scores highest,
related diseases next, unrelated ones near zero.

**3. The network, its communities and hubs.** :func:`nmdkg.analysis.compute.analyze` keeps each disorder's ten
closest relatives, tests every such edge against a degree-preserving permutation null, finds communities
(Louvain) and centralities. ``nmdkg analyze`` does the same and writes tables, GraphML and pictures.

For research and education only.
"""

from __future__ import annotations

from typing import Any

PAIRS = (
    ("OMIM:254200", "ORPHA:589"),      # myasthenia gravis, in OMIM and in Orphanet
    ("OMIM:254200", "ORPHA:43393"),    # myasthenia gravis and Lambert-Eaton myasthenic syndrome
    ("OMIM:310200", "OMIM:300376"),    # Duchenne and Becker muscular dystrophy
    ("OMIM:253300", "OMIM:105400"),    # spinal muscular atrophy type I and ALS 1: both lose motor neurons
    ("OMIM:310200", "ORPHA:98919"),    # Duchenne muscular dystrophy and Miller Fisher syndrome
)


def main(graph: Any = None, permutations: int = 50) -> dict[str, Any]:
    from nmdkg.analysis import network
    from nmdkg.analysis.compute import METRICS, analyze, similarity_matrices

    if graph is None:
        from nmdkg.build.graph import build_graph

        graph = build_graph(scope="nmd")

    # 1. graph -> NetworkX, by SPARQL
    data = network.read(graph)
    B = data.bipartite
    print(f"{len(data.disorders())} disorders, {len(data.phenotypes())} phenotypes, "
          f"{B.number_of_edges()} disorder-phenotype edges, "
          f"{len(data.negated)} negated annotations (no edges)")

    # 2. the four measures for a few pairs
    weights = similarity_matrices(data, ())
    index = {d: i for i, d in enumerate(weights.disorders)}
    pairs = [(a, b) for a, b in PAIRS if a in index and b in index]
    rows = [index[a] for a, _ in pairs]
    cols = [index[b] for _, b in pairs]
    values = {m: weights.pair_values(m, rows, cols) for m in METRICS}
    print(f"\n{'pair':<75} " + " ".join(f"{m:>8}" for m in METRICS))
    for i, (a, b) in enumerate(pairs):
        name = f"{data.label(a)} ({a}) ~ {data.label(b)} ({b})"
        print(f"{name[:75]:<75} " + " ".join(f"{values[m][i]:>8.3f}" for m in METRICS))

    # 3. the thresholded network, its communities and hubs
    result = analyze(data, metric="cosine", n_permutations=permutations, seed=0)
    G = result.network
    dmd = result.membership.get("OMIM:310200")
    print(f"\nNetwork: {G.number_of_edges()} edges, {len(result.communities)} communities "
          f"(modularity {G.graph['modularity']:.2f})")
    if dmd is not None:
        row = result.community_table[dmd - 1]
        print(f"Duchenne muscular dystrophy is in community {dmd} ({row['size']} disorders), "
              f"characterised by: {'; '.join(row['top_phenotype_labels'][:3])}")
        neighbours = sorted(G.adj["OMIM:310200"].items(), key=lambda kv: -kv[1]["weight"])[:3]
        for other, edge in neighbours:
            print(f"  closest: {data.label(other)} ({other}), cosine {edge['weight']:.2f}, "
                  f"{edge['shared']} shared phenotypes, p = {edge['p_value']:.3f}")
    hubs = result.symptoms[:3]
    print("Symptom hubs: " + "; ".join(f"{h['label']} ({h['n_disorders']} disorders)" for h in hubs))
    return {"pairs": pairs, "values": values, "analysis": result}


if __name__ == "__main__":
    main()
