"""Shared-symptom network analysis: weights, the thresholded disorder network, communities, centralities,
top pairs, and the files and pictures ``nmdkg analyze`` writes.

The steps (:func:`analyze` runs them in order and times each):

1. **read** the disorder-phenotype network and the HPO hierarchy from the graph by SPARQL
   (:func:`nmdkg.analysis.network.read`);
2. **weigh** every pair of disorders with sparse matrices (:func:`similarity_matrices`): shared count,
   Jaccard and TF-IDF cosine over the full projection, Resnik best-match average for all pairs when it is
   the network's metric, else only for the network's edges;
3. **backbone**: each disorder keeps its ``k`` most similar disorders under the chosen metric
   (:func:`nearest_neighbours`); each such edge gets an empirical p-value against a degree-preserving
   permutation null (:func:`nmdkg.analysis.similarity.permutation_pvalues`) and a Benjamini-Hochberg q-value, and
   the network keeps the edges with ``q <= alpha`` (:func:`disorder_network`);
4. **communities** (Louvain), **centralities** (degree, strength, betweenness, participation
   coefficient) and **symptom hubs** on the NetworkX network;
5. **write** edge tables (CSV), GraphML, a summary (Markdown and JSON) and pictures (PNG).

Reading the weights: *shared* counts phenotypes in common; *jaccard* divides by the union; *cosine*
down-weights common phenotypes (Zhou et al. 2014); *resnik* also credits related findings through their
most informative common ancestor in HPO.
"""

from __future__ import annotations

import csv
import io
import json
import math
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse as sp

from nmdkg.analysis import similarity as sim
from nmdkg.analysis.network import ANNOTATED_PREFIXES, PhenotypeData, incidence, read

METRICS = ("shared", "jaccard", "cosine", "resnik")
DEFAULT_METRIC = "cosine"
#: Above this many disorders, betweenness is estimated from a sample of source nodes.
EXACT_BETWEENNESS_LIMIT = 5000
#: Above this many disorders, the network picture shows the best-connected part only.
PICTURE_LIMIT = 1500

Progress = Callable[[str], None]


def _quiet(message: str) -> None:
    pass


# -- weights --------------------------------------------------------------------------------------

@dataclass
class Similarities:
    """Disorder-by-disorder weights of one graph, with what they were computed from.

    The shared counts are always computed (they are the projection); the full matrix of another metric only
    when :meth:`matrix` asks for it. :meth:`pair_values` gives any metric for chosen pairs without it.
    """

    disorders: list[str]
    terms: list[str]
    X: sp.csr_array                 # disorders x terms (every HPO term of the graph)
    ancestors: sp.csr_array         # terms x terms
    ic: np.ndarray                  # per term
    shared: sp.csr_array
    full: dict[str, Any] = field(default_factory=dict)

    def matrix(self, metric: str):
        """The full weight matrix of ``metric`` (sparse, or dense for Resnik), computed once."""
        if metric == "shared":
            return self.shared
        if metric not in self.full:
            if metric == "jaccard":
                self.full[metric] = sim.jaccard(self.X, self.shared)
            elif metric == "cosine":
                self.full[metric] = sim.tfidf_cosine(self.X)
            elif metric == "resnik":
                self.full[metric] = sim.resnik_bma(self.X, self.ancestors, self.ic)
            else:
                raise ValueError(f"unknown metric {metric!r}; choose one of: {', '.join(METRICS)}")
        return self.full[metric]

    def pair_values(self, metric: str, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """The weight of each pair ``(rows[i], cols[i])``."""
        rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
        if metric == "resnik" and "resnik" in self.full:
            return np.asarray(self.full["resnik"][rows, cols], dtype=np.float64)
        return sim.pair_similarity(self.X, (rows, cols), metric, ancestors=self.ancestors, ic=self.ic)


def similarity_matrices(data: PhenotypeData, metrics: Iterable[str] = ("resnik",),
                        progress: Progress = _quiet) -> Similarities:
    """The shared counts of every pair, and the full matrix of each metric of ``metrics``."""
    disorders = data.disorders()
    terms = data.terms()
    X = incidence(data.bipartite, disorders, terms)
    A = sim.ancestor_matrix(terms, data.parents)
    ic = sim.information_content(X, A)
    shared = sim.shared_counts(X)
    progress(f"shared counts: {shared.nnz // 2:,} pairs of {len(disorders):,} disorders share a phenotype")
    out = Similarities(disorders, terms, X, A, ic, shared)
    for metric in metrics:
        out.matrix(metric)
        progress(f"{metric} for every pair")
    return out


def nearest_neighbours(W, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k-nearest-neighbour backbone of a weight matrix: pairs ``(i, j)``, ``i < j``, such that ``j`` is
    among the ``k`` heaviest neighbours of ``i`` or ``i`` among those of ``j`` (positive weights only; ties
    broken by index).

    .. math:: E_k = \\{\\{i, j\\} : j \\in N_k(i) \\ \\lor\\ i \\in N_k(j)\\}, \\quad w_{ij} > 0

    Examples
    --------
    >>> W = np.array([[0, 3, 1, 0], [3, 0, 2, 0], [1, 2, 0, 1], [0, 0, 1, 0]], dtype=float)
    >>> rows, cols = nearest_neighbours(W, 1)
    >>> sorted(zip(rows.tolist(), cols.tolist()))
    [(0, 1), (1, 2), (2, 3)]

    Node 0's nearest is 1, 1's is 0, 2's is 1 and 3's is 2.

    Notes
    -----
    Keeps every disorder connected to its closest relatives whatever the scale of its weights (a disorder
    with few annotations has low similarities to all), and bounds the edges by ``k`` times the disorders.

    References
    ----------
    Maier M, von Luxburg U, Hein M. Influence of graph construction on graph-based clustering measures.
    NIPS 2008.
    """
    sparse = sp.issparse(W)
    C: Any = sp.csr_array(W) if sparse else np.asarray(W)
    n = C.shape[0]
    kk = min(k, n - 1)
    picked_rows, picked_cols = [], []
    for start in range(0, n if kk > 0 else 0, 1024):  # by blocks of rows, densified one at a time
        block = C[start:start + 1024]
        block = block.toarray().astype(np.float64) if sparse else np.array(block, dtype=np.float64)
        block[np.arange(len(block)), np.arange(start, start + len(block))] = -np.inf
        if kk < n - 1:
            chosen = np.argpartition(-block, kk - 1, axis=1)[:, :kk]
        else:
            chosen = np.argsort(-block, axis=1, kind="stable")[:, :kk]
        values = np.take_along_axis(block, chosen, axis=1)
        ok = values.ravel() > 0
        picked_rows.append(np.repeat(np.arange(start, start + len(block)), kk)[ok])
        picked_cols.append(chosen.ravel()[ok])
    rows = np.concatenate(picked_rows) if picked_rows else np.zeros(0, dtype=np.int64)
    cols = np.concatenate(picked_cols) if picked_cols else np.zeros(0, dtype=np.int64)
    lo, hi = np.minimum(rows, cols), np.maximum(rows, cols)
    pairs = np.unique(np.stack([lo, hi], axis=1), axis=0) if len(lo) else np.zeros((0, 2), dtype=np.int64)
    return pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64)


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """False-discovery-rate q-values of p-values (Benjamini-Hochberg step-up).

    .. math:: q_{(i)} = \\min_{j \\ge i} \\min\\Big(1, \\frac{m\\, p_{(j)}}{j}\\Big)

    for the p-values sorted in increasing order, :math:`m` of them.

    >>> benjamini_hochberg(np.array([0.01, 0.04, 0.03, 0.5])).round(3)
    array([0.04 , 0.053, 0.053, 0.5  ])

    References
    ----------
    Benjamini Y, Hochberg Y. Controlling the false discovery rate. J R Stat Soc B 1995;57:289-300.
    """
    p = np.asarray(p, dtype=np.float64)
    m = len(p)
    if m == 0:
        return p
    order = np.argsort(p, kind="stable")
    scaled = p[order] * m / np.arange(1, m + 1)
    q = np.minimum.accumulate(scaled[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(q, 1.0)
    return out


def disorder_network(data: PhenotypeData, weights: Similarities, metric: str = DEFAULT_METRIC, *, k: int = 10,
                     alpha: float = 0.05, n_permutations: int = 100, seed: int = 0,
                     progress: Progress = _quiet) -> nx.Graph:
    """The thresholded shared-symptom network of disorders.

    Candidate edges are the ``k``-nearest-neighbour backbone under ``metric``
    (:func:`nearest_neighbours`). Each gets an empirical p-value of its ``metric`` against a
    degree-preserving permutation null (``n_permutations`` random incidence matrices, seeded) and a
    Benjamini-Hochberg q-value over the candidates; the network keeps those with ``q <= alpha``. With
    ``n_permutations = 0`` every candidate is kept (p and q are then 1).

    Every disorder is a node (``label``, ``category``, ``counterpart_of``, ``n_phenotypes``); every edge
    carries ``weight`` (the chosen metric), ``shared``, ``jaccard``, ``cosine``, ``resnik``, ``p_value`` and
    ``q_value``. ``G.graph`` records the parameters.

    References
    ----------
    Zhou X et al. Human symptoms-disease network. Nat Commun 2014;5:4212.
    """
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; choose one of: {', '.join(METRICS)}")
    nodes = weights.disorders
    rows, cols = nearest_neighbours(weights.matrix(metric), k)
    progress(f"{len(rows):,} candidate edges ({k} nearest neighbours by {metric})")
    if n_permutations > 0 and len(rows):
        p = sim.permutation_pvalues(weights.X, (rows, cols), statistic=metric, n_permutations=n_permutations,
                                    seed=seed, ancestors=weights.ancestors, ic=weights.ic)
    else:
        p = np.ones(len(rows))
    q = benjamini_hochberg(p)
    keep = q <= alpha if n_permutations > 0 else np.ones(len(rows), dtype=bool)
    rows, cols, p, q = rows[keep], cols[keep], p[keep], q[keep]
    values = {m: weights.pair_values(m, rows, cols) for m in METRICS}
    G = nx.Graph(metric=metric, k=k, alpha=alpha, permutations=n_permutations, seed=seed)
    B = data.bipartite
    for node in nodes:
        attributes = {key: B.nodes[node][key] for key in ("label", "category", "counterpart_of")
                      if key in B.nodes[node]}
        G.add_node(node, n_phenotypes=B.degree(node), **attributes)
    for i in range(len(rows)):
        a, b = nodes[rows[i]], nodes[cols[i]]
        G.add_edge(a, b, weight=float(values[metric][i]), shared=int(values["shared"][i]),
                   jaccard=float(values["jaccard"][i]), cosine=float(values["cosine"][i]),
                   resnik=float(values["resnik"][i]), p_value=float(p[i]), q_value=float(q[i]))
    progress(f"network: {G.number_of_edges():,} edges with q <= {alpha} "
             f"({n_permutations} permutations, seed {seed})")
    return G


# -- communities and centralities -----------------------------------------------------------------

def louvain(G: nx.Graph, *, seed: int = 0, resolution: float = 1.0) -> list[list[str]]:
    """Communities by Louvain modularity optimisation, largest first (ties by first member), members sorted.

    Maximises :math:`Q = \\frac{1}{2m}\\sum_{ij}\\big(w_{ij} - \\gamma\\frac{s_i s_j}{2m}\\big)
    \\delta(c_i, c_j)` (``weight``, resolution :math:`\\gamma`); the seed makes it reproducible. A node
    without edges is a community of its own.

    >>> G = nx.Graph([("a", "b"), ("b", "c"), ("a", "c"), ("d", "e"), ("e", "f"), ("d", "f"), ("c", "d")])
    >>> louvain(G)
    [['a', 'b', 'c'], ['d', 'e', 'f']]

    References
    ----------
    Blondel VD et al. Fast unfolding of communities in large networks. J Stat Mech 2008:P10008.
    """
    found = nx.community.louvain_communities(G, weight="weight", resolution=resolution, seed=seed)
    return sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))


def participation_coefficient(G: nx.Graph, membership: dict[str, int], weight: str | None = "weight") -> dict:
    """How evenly each node's links spread over communities: high for bridging nodes.

    .. math:: P_i = 1 - \\sum_c \\Big(\\frac{s_{ic}}{s_i}\\Big)^2

    with :math:`s_{ic}` the (weighted) degree of node :math:`i` into community :math:`c` and :math:`s_i`
    its total; 0 when all links stay in one community (or there are none).

    >>> G = nx.Graph([("a", "b"), ("a", "c"), ("b", "c")])
    >>> participation_coefficient(G, {"a": 0, "b": 0, "c": 1}, weight=None)
    {'a': 0.5, 'b': 0.5, 'c': 0.0}

    References
    ----------
    Guimerà R, Amaral LAN. Functional cartography of complex metabolic networks. Nature 2005;433:895-900.
    """
    out = {}
    for node in G:
        by_community: dict[int, float] = defaultdict(float)
        for neighbour, attributes in G.adj[node].items():
            by_community[membership[neighbour]] += attributes.get(weight, 1.0) if weight else 1.0
        total = sum(by_community.values())
        out[node] = 1.0 - sum((v / total) ** 2 for v in by_community.values()) if total > 0 else 0.0
    return out


def betweenness(G: nx.Graph, *, seed: int = 0, samples: int | None = None) -> dict:
    r"""Shortest-path betweenness of each node (hop distances), normalised as NetworkX does.

    .. math:: b_v = \frac{1}{(n-1)(n-2)} \sum_{s \ne v \ne t} \frac{\sigma_{st}(v)}{\sigma_{st}}

    over ordered pairs, :math:`\sigma_{st}` the number of shortest paths from ``s`` to ``t`` and
    :math:`\sigma_{st}(v)` those through ``v``. Brandes' algorithm, each breadth-first level a sparse
    matrix-vector product (NetworkX's pure-Python loop takes half a minute on the 12,686-disorder network).
    Exact up to :data:`EXACT_BETWEENNESS_LIMIT` nodes; above, estimated from ``samples`` (default 1000)
    source nodes drawn with ``seed`` and scaled by :math:`n / k` (Brandes-Pich).

    >>> betweenness(nx.path_graph(3))
    {0: 0.0, 1: 1.0, 2: 0.0}

    References
    ----------
    Brandes U. A faster algorithm for betweenness centrality. J Math Sociol 2001;25:163-177.
    Brandes U, Pich C. Centrality estimation in large networks. Int J Bifurc Chaos 2007;17:2303-2318.
    """
    nodes = list(G)
    n = len(nodes)
    if n < 3:
        return dict.fromkeys(nodes, 0.0)
    if samples is None:
        samples = n if n <= EXACT_BETWEENNESS_LIMIT else 1000
    A = sp.csr_array(nx.to_scipy_sparse_array(G, nodelist=nodes, weight=None, format="csr"))
    A.data = np.ones_like(A.data, dtype=np.float64)
    sources = np.arange(n) if samples >= n else np.sort(np.random.default_rng(seed).choice(n, samples,
                                                                                            replace=False))
    total = np.zeros(n)
    for source in sources:
        sigma = np.zeros(n)
        sigma[source] = 1.0
        seen = np.zeros(n, dtype=bool)
        seen[source] = True
        levels = [np.array([source])]
        while True:
            frontier = np.zeros(n)
            frontier[levels[-1]] = sigma[levels[-1]]
            reached = A @ frontier
            new = np.flatnonzero((reached > 0) & ~seen)
            if not len(new):
                break
            sigma[new] = reached[new]
            seen[new] = True
            levels.append(new)
        delta = np.zeros(n)
        for depth in range(len(levels) - 1, 0, -1):
            coefficient = np.zeros(n)
            below = levels[depth]
            coefficient[below] = (1.0 + delta[below]) / sigma[below]
            above = levels[depth - 1]
            delta[above] += sigma[above] * (A @ coefficient)[above]
        delta[source] = 0.0
        total += delta
    scale = 1.0 / ((n - 1) * (n - 2)) * (n / len(sources))
    return {node: float(value * scale) for node, value in zip(nodes, total, strict=True)}


def phenotype_participation(counts: dict[int, int]) -> float:
    """How evenly a phenotype's disorders spread over communities: :math:`1 - \\sum_c (n_c / n)^2`.

    >>> phenotype_participation({1: 5, 2: 5}), phenotype_participation({1: 10})
    (0.5, 0.0)
    """
    total = sum(counts.values())
    return 1.0 - sum((v / total) ** 2 for v in counts.values()) if total else 0.0


def enrichment(in_community: int, size: int, overall: int, total: int) -> float:
    """How characteristic a phenotype is of a community: its share there times the log of its lift.

    .. math:: e = f_c \\ln\\frac{f_c}{f}, \\quad f_c = \\frac{n_c}{|c|}, \\ f = \\frac{n}{N}

    (one term of the Kullback-Leibler divergence of the community's phenotype profile from the whole).

    >>> round(enrichment(8, 10, 20, 100), 3)
    1.109
    """
    if in_community == 0 or size == 0 or overall == 0:
        return 0.0
    share = in_community / size
    return share * math.log(share / (overall / total))


# -- the whole analysis ---------------------------------------------------------------------------

@dataclass
class Analysis:
    """Everything :func:`analyze` computed; :func:`write_outputs` turns it into files."""

    data: PhenotypeData
    weights: Similarities
    network: nx.Graph
    communities: list[list[str]]
    membership: dict[str, int]
    metric: str
    seed: int
    timings: dict[str, float] = field(default_factory=dict)
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    symptoms: list[dict[str, Any]] = field(default_factory=list)
    community_table: list[dict[str, Any]] = field(default_factory=list)
    top: list[dict[str, Any]] = field(default_factory=list)


def analyze(source: Any, *, metric: str = DEFAULT_METRIC, k: int = 10, alpha: float = 0.05,
            n_permutations: int = 100, seed: int = 0, resolution: float = 1.0, top: int = 100,
            progress: Progress = _quiet) -> Analysis:
    """Run the whole analysis on a graph (anything :func:`nmdkg.analysis.network.read` takes) or on
    :class:`~nmdkg.analysis.network.PhenotypeData` already read."""
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; choose one of: {', '.join(METRICS)}")
    timings: dict[str, float] = {}
    steps = 6

    def step(number: int, name: str, message: str):
        progress(f"[{number}/{steps}] {message}")
        return _Timer(timings, name, progress)

    with step(1, "read", "reading the disorder-phenotype network by SPARQL"):
        data = source if isinstance(source, PhenotypeData) else read(source, progress=_indent(progress))
    with step(2, "weights", f"weighing every pair of disorders (shared count and {metric})"):
        weights = similarity_matrices(data, (metric,), progress=_indent(progress))
    with step(3, "network", f"thresholding the {metric} network against a permutation null"):
        G = disorder_network(data, weights, metric, k=k, alpha=alpha, n_permutations=n_permutations,
                             seed=seed, progress=_indent(progress))
    with step(4, "communities", "finding communities (Louvain)"):
        communities = louvain(G, seed=seed, resolution=resolution)
        membership = {node: i + 1 for i, members in enumerate(communities) for node in members}
        G.graph["modularity"] = nx.community.modularity(G, [set(c) for c in communities], weight="weight") \
            if G.number_of_edges() else 0.0
        _indent(progress)(f"{sum(1 for c in communities if len(c) > 1)} communities of 2 or more disorders, "
                          f"modularity {G.graph['modularity']:.3f}")
    with step(5, "centralities", "centralities, bridging disorders and symptom hubs"):
        analysis = Analysis(data, weights, G, communities, membership, metric, seed, timings)
        _node_table(analysis)
        _symptom_table(analysis)
        _community_table(analysis)
    with step(6, "top pairs", f"top {top} pairs by {metric}"):
        analysis.top = top_pairs(weights, metric, top, data)
    return analysis


class _Timer:
    def __init__(self, timings: dict[str, float], name: str, progress: Progress):
        self.timings, self.name, self.progress = timings, name, progress

    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        elapsed = time.perf_counter() - self.start
        self.timings[self.name] = elapsed
        if exc[0] is None:
            self.progress(f"      done in {elapsed:.1f} s")
        return False


def _indent(progress: Progress) -> Progress:
    return lambda message: progress(f"      {message}")


def _node_table(a: Analysis) -> None:
    G = a.network
    participation = participation_coefficient(G, a.membership)
    between = betweenness(G, seed=a.seed)
    for node in a.weights.disorders:
        a.nodes[node] = {
            "id": node,
            "label": G.nodes[node].get("label", node),
            "category": G.nodes[node].get("category", ""),
            "counterpart_of": G.nodes[node].get("counterpart_of", ""),
            "n_phenotypes": G.nodes[node]["n_phenotypes"],
            "community": a.membership[node],
            "degree": G.degree(node),
            "strength": G.degree(node, weight="weight"),
            "betweenness": between[node],
            "participation": participation[node],
        }
    for node, row in a.nodes.items():
        G.nodes[node].update(community=row["community"], degree=row["degree"], strength=row["strength"],
                             betweenness=row["betweenness"], participation=row["participation"])


def _symptom_table(a: Analysis) -> None:
    B = a.data.bipartite
    n_disorders = len(a.weights.disorders)
    column = {term: j for j, term in enumerate(a.weights.terms)}
    idf = sim.idf_weights(a.weights.X)
    rows = []
    for phenotype in a.data.phenotypes():
        disorders = list(B.adj[phenotype])
        by_community = Counter(a.membership[d] for d in disorders)
        rows.append({
            "id": phenotype,
            "label": B.nodes[phenotype].get("label", phenotype),
            "n_disorders": len(disorders),
            "share": len(disorders) / n_disorders,
            "idf": float(idf[column[phenotype]]),
            "ic": float(a.weights.ic[column[phenotype]]),
            "n_communities": len(by_community),
            "participation": phenotype_participation(by_community),
        })
    rows.sort(key=lambda r: (-r["n_disorders"], r["id"]))
    a.symptoms = rows


def _community_table(a: Analysis) -> None:
    B = a.data.bipartite
    total = len(a.weights.disorders)
    overall = {p: B.degree(p) for p in a.data.phenotypes()}
    table = []
    for number, members in enumerate(a.communities, start=1):
        counts: Counter[str] = Counter(p for d in members for p in B.adj[d])
        scored = sorted(((enrichment(n, len(members), overall[p], total), p) for p, n in counts.items()),
                        key=lambda x: (-x[0], x[1]))
        categories = Counter(B.nodes[d].get("category", "Disorder") for d in members)
        category, count = min(categories.items(), key=lambda x: (-x[1], x[0]))
        hubs = sorted(members, key=lambda d: (-a.nodes[d]["strength"], d))
        table.append({
            "community": number,
            "size": len(members),
            "main_category": category,
            "category_share": count / len(members),
            "top_phenotypes": [p for _, p in scored[:5]],
            "top_phenotype_labels": [B.nodes[p]["label"] for _, p in scored[:5]],
            "central_disorders": hubs[:5],
            "central_disorder_labels": [B.nodes[d]["label"] for d in hubs[:5]],
            "article_disorders": sorted(d for d in members if not d.startswith(ANNOTATED_PREFIXES)),
        })
    a.community_table = table


def shared_phenotypes(data: PhenotypeData, a: str, b: str) -> list[str]:
    """The phenotypes two disorders share, sorted."""
    B = data.bipartite
    return sorted(set(B.adj[a]) & set(B.adj[b]))


def top_pairs(weights: Similarities, metric: str, n: int, data: PhenotypeData | None = None) -> list[dict]:
    """The ``n`` most similar pairs of disorders under ``metric`` over the full projection, heaviest first
    (ties by identifiers), with all four weights.

    .. math:: \\mathrm{top}_n = \\operatorname{arg\\,max}^{(n)}_{a < b} w_{ab}
    """
    W = weights.matrix(metric)
    if sp.issparse(W):
        C = sp.csr_array(W)
        take = min(4 * n, C.nnz)
        best = np.argpartition(-C.data, take - 1)[:take] if 0 < take < C.nnz else np.arange(C.nnz)
        rows = np.searchsorted(C.indptr, best, side="right") - 1
        cols, values = C.indices[best], C.data[best]
        upper = rows < cols
        rows, cols, values = rows[upper], cols[upper], values[upper]
    else:
        D = np.asarray(W)
        rows, cols = nearest_neighbours(D, max(1, min(n, D.shape[0] - 1)))
        values = D[rows, cols]
    if len(values) == 0:
        return []
    take = np.argsort(-values, kind="stable")[: max(n * 4, n)]
    names = weights.disorders
    chosen = sorted((-float(values[i]), names[rows[i]], names[cols[i]], int(rows[i]), int(cols[i]))
                     for i in take)[:n]
    r = np.array([c[3] for c in chosen], dtype=np.int64)
    c = np.array([c[4] for c in chosen], dtype=np.int64)
    extra = {m: weights.pair_values(m, r, c) for m in METRICS}
    out = []
    for i, (_, a, b, _, _) in enumerate(chosen):
        row = {"rank": i + 1, "source": a, "target": b}
        row.update({m: float(extra[m][i]) for m in METRICS})
        if data is not None:
            row["source_label"] = data.label(a)
            row["target_label"] = data.label(b)
            row["shared_phenotypes"] = shared_phenotypes(data, a, b)
        out.append(row)
    return out


# -- output ---------------------------------------------------------------------------------------

def _number(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """Rows as CSV (RFC 4180, ``\\n`` line ends), numbers to six significant digits."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_number(v) for v in row])
    return buffer.getvalue().encode("utf-8")


EDGE_COLUMNS = ("source", "source_label", "target", "target_label", "weight", "shared", "jaccard", "cosine",
                "resnik", "p_value", "q_value", "shared_phenotypes")
NODE_COLUMNS = ("id", "label", "category", "counterpart_of", "n_phenotypes", "community", "degree",
                "strength", "betweenness", "participation")
SYMPTOM_COLUMNS = ("id", "label", "n_disorders", "share", "idf", "ic", "n_communities", "participation")
PAIR_COLUMNS = ("rank", "source", "source_label", "target", "target_label", "shared", "jaccard", "cosine",
                "resnik", "shared_phenotypes")
COMMUNITY_COLUMNS = ("community", "size", "main_category", "category_share", "top_phenotypes",
                     "top_phenotype_labels", "central_disorders", "central_disorder_labels",
                     "article_disorders")


def edge_rows(a: Analysis) -> list[tuple]:
    G, data = a.network, a.data
    rows = []
    for u, v, e in G.edges(data=True):
        s, t = min(u, v), max(u, v)
        rows.append((s, data.label(s), t, data.label(t), e["weight"], e["shared"], e["jaccard"], e["cosine"],
                     e["resnik"], e["p_value"], e["q_value"], "|".join(shared_phenotypes(data, s, t))))
    rows.sort(key=lambda r: (-r[4], r[0], r[2]))
    return rows


def outputs(a: Analysis, progress: Progress = _quiet) -> dict[str, bytes]:
    """Every file of the analysis, by name: tables, GraphML, summary and pictures."""
    files: dict[str, bytes] = {}
    files["edges.csv"] = csv_bytes(EDGE_COLUMNS, edge_rows(a))
    files["disorders.csv"] = csv_bytes(NODE_COLUMNS, ([row[c] for c in NODE_COLUMNS] for row in
                                                      sorted(a.nodes.values(), key=lambda r: r["id"])))
    files["symptoms.csv"] = csv_bytes(SYMPTOM_COLUMNS,
                                      ([row[c] for c in SYMPTOM_COLUMNS] for row in a.symptoms))
    files["communities.csv"] = csv_bytes(COMMUNITY_COLUMNS, (
        [("|".join(row[c]) if isinstance(row[c], list) else row[c]) for c in COMMUNITY_COLUMNS]
        for row in a.community_table))
    files["top-pairs.csv"] = csv_bytes(PAIR_COLUMNS, (
        [("|".join(row[c]) if isinstance(row.get(c), list) else row.get(c, "")) for c in PAIR_COLUMNS]
        for row in a.top))
    files["network.graphml"] = graphml_bytes(a.network)
    summary = summary_dict(a)
    text = json.dumps(summary, indent=2, ensure_ascii=False, sort_keys=True)
    files["summary.json"] = (text + "\n").encode()
    files["summary.md"] = summary_markdown(a, summary).encode()
    progress("drawing pictures")
    files["network.png"] = network_png(a)
    files["article-heatmap.png"] = heatmap_png(a)
    files["symptom-hubs.png"] = hubs_png(a)
    return files


def graphml_bytes(G: nx.Graph) -> bytes:
    """The network as GraphML (for Cytoscape and Gephi), nodes and edges in sorted order.

    Written directly rather than by ``networkx.write_graphml``, which takes 15 s on the 93,000 edges of the
    full-scope network; ``networkx.read_graphml`` reads it back.

    >>> G = nx.Graph(metric="cosine")
    >>> G.add_node("OMIM:1", label="A & B", community=1)
    >>> G.add_edge("OMIM:1", "OMIM:2", weight=0.5)
    >>> H = nx.read_graphml(io.BytesIO(graphml_bytes(G)))
    >>> H.nodes["OMIM:1"]["label"], H.edges["OMIM:1", "OMIM:2"]["weight"], H.graph["metric"]
    ('A & B', 0.5, 'cosine')
    """
    from xml.sax.saxutils import escape, quoteattr

    def kind(values: Iterable[Any]) -> str:
        values = list(values)
        if all(isinstance(v, bool) for v in values):
            return "boolean"
        if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            return "long"
        if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            return "double"
        return "string"

    def text(value: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, float):
            return repr(value)
        return escape(str(value))

    def collect(items: Iterable[dict]) -> dict[str, str]:
        found: dict[str, list[Any]] = defaultdict(list)
        for data in items:
            for key, value in data.items():
                if value is not None:
                    found[key].append(value)
        return {key: kind(values) for key, values in sorted(found.items())}

    graph_keys = collect([{k: v for k, v in G.graph.items() if isinstance(v, str | int | float)}])
    node_keys = collect(G.nodes[n] for n in G)
    edge_keys = collect(d for _, _, d in G.edges(data=True))
    ids: dict[tuple[str, str], str] = {}
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             ('<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
              'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
              'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
              'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">')]
    for domain, keys in (("graph", graph_keys), ("node", node_keys), ("edge", edge_keys)):
        for name, type_ in keys.items():
            ids[domain, name] = f"d{len(ids)}"
            lines.append(f'  <key id="{ids[domain, name]}" for="{domain}" attr.name={quoteattr(name)} '
                         f'attr.type="{type_}"/>')
    lines.append('  <graph edgedefault="undirected">')

    def data(domain: str, values: dict, indent: str) -> None:
        for name, value in sorted(values.items()):
            if (domain, name) in ids and value is not None:
                lines.append(f'{indent}<data key="{ids[domain, name]}">{text(value)}</data>')

    data("graph", G.graph, "    ")
    for node in sorted(G):
        lines.append(f"    <node id={quoteattr(str(node))}>")
        data("node", G.nodes[node], "      ")
        lines.append("    </node>")
    for u, v in sorted((min(u, v), max(u, v)) for u, v in G.edges()):
        lines.append(f"    <edge source={quoteattr(str(u))} target={quoteattr(str(v))}>")
        data("edge", G.edges[u, v], "      ")
        lines.append("    </edge>")
    lines += ["  </graph>", "</graphml>", ""]
    return "\n".join(lines).encode("utf-8")


def summary_dict(a: Analysis) -> dict[str, Any]:
    G, data = a.network, a.data
    bridging = sorted(a.nodes.values(), key=lambda r: (-r["betweenness"], r["id"]))[:20]
    return {
        "metric": a.metric,
        "parameters": {k: G.graph[k] for k in ("k", "alpha", "permutations", "seed")},
        "disorders": len(a.weights.disorders),
        "annotated_disorders": sum(1 for d in a.weights.disorders if d.startswith(ANNOTATED_PREFIXES)),
        "phenotypes": len(data.phenotypes()),
        "hpo_terms": len(a.weights.terms),
        "disorder_phenotype_edges": data.bipartite.number_of_edges(),
        "negated_annotations": len(data.negated),
        "projection_edges": int(a.weights.shared.nnz // 2),
        "network_edges": G.number_of_edges(),
        "isolated_disorders": sum(1 for n in G if G.degree(n) == 0),
        "communities": sum(1 for c in a.communities if len(c) > 1),
        "modularity": round(float(G.graph.get("modularity", 0.0)), 6),
        "largest_communities": [
            {k: row[k] for k in ("community", "size", "main_category", "top_phenotype_labels",
                                 "central_disorder_labels", "article_disorders")}
            for row in a.community_table[:12]
        ],
        "symptom_hubs": [{k: row[k] for k in ("id", "label", "n_disorders", "n_communities")}
                         for row in a.symptoms[:20]],
        "bridging_symptoms": [{k: row[k] for k in ("id", "label", "n_disorders", "participation")}
                              for row in sorted((r for r in a.symptoms if r["n_disorders"] >= 10),
                                                key=lambda r: (-r["participation"], r["id"]))[:20]],
        "bridging_disorders": [{k: row[k] for k in ("id", "label", "community", "betweenness",
                                                    "participation")} for row in bridging],
        "top_pairs": [{k: row[k] for k in ("source", "source_label", "target", "target_label", a.metric)}
                      for row in a.top[:20]],
    }


def summary_markdown(a: Analysis, s: dict[str, Any]) -> str:
    p = s["parameters"]
    lines = [
        "# Shared-symptom network of neuromuscular disorders",
        "",
        (f"Metric **{s['metric']}**; each disorder keeps its {p['k']} nearest neighbours, an edge stays when "
         f"its Benjamini-Hochberg q-value against a degree-preserving permutation null ({p['permutations']} "
         f"permutations, seed {p['seed']}) is at most {p['alpha']}."),
        "",
        "| | count |",
        "| --- | ---: |",
        f"| disorders (with at least one phenotype) | {s['disorders']:,} |",
        f"| of which OMIM / Orphanet diseases | {s['annotated_disorders']:,} |",
        f"| phenotypes used | {s['phenotypes']:,} |",
        f"| disorder-phenotype edges | {s['disorder_phenotype_edges']:,} |",
        f"| negated annotations (never edges) | {s['negated_annotations']:,} |",
        f"| pairs sharing at least one phenotype (full projection) | {s['projection_edges']:,} |",
        f"| edges of the thresholded network | {s['network_edges']:,} |",
        f"| communities (2 or more disorders) | {s['communities']:,} |",
        f"| modularity | {s['modularity']:.3f} |",
        "",
        "## Largest communities",
        "",
        "| # | size | mostly | characteristic phenotypes | central disorders |",
        "| ---: | ---: | --- | --- | --- |",
    ]
    for row in s["largest_communities"]:
        lines.append(f"| {row['community']} | {row['size']} | {row['main_category']} | "
                     f"{'; '.join(row['top_phenotype_labels'][:3])} | "
                     f"{'; '.join(row['central_disorder_labels'][:3])} |")
    lines += ["", "## Symptom hubs (most disorders)", "", "| phenotype | disorders | communities |",
              "| --- | ---: | ---: |"]
    lines += [f"| {r['label']} ({r['id']}) | {r['n_disorders']} | {r['n_communities']} |"
              for r in s["symptom_hubs"]]
    lines += ["", "## Bridging disorders (betweenness)", "",
              "| disorder | community | betweenness | participation |", "| --- | ---: | ---: | ---: |"]
    lines += [f"| {r['label']} ({r['id']}) | {r['community']} | {r['betweenness']:.4f} | "
              f"{r['participation']:.3f} |" for r in s["bridging_disorders"]]
    lines += ["", f"## Top pairs ({s['metric']})", "", "| disorder | disorder | weight |",
              "| --- | --- | ---: |"]
    lines += [f"| {r['source_label']} ({r['source']}) | {r['target_label']} ({r['target']}) | "
              f"{r[s['metric']]:.4g} |" for r in s["top_pairs"]]
    lines += ["", ("Files: `edges.csv` (network edges, all weights, p and q), `disorders.csv` (communities "
                   "and centralities), `symptoms.csv` (symptom hubs), `communities.csv`, `top-pairs.csv`, "
                   "`network.graphml` (Cytoscape, Gephi), `network.png`, `article-heatmap.png`, "
                   "`symptom-hubs.png`."), ""]
    return "\n".join(lines)


def write_outputs(a: Analysis, out: Path, progress: Progress = _quiet) -> list[Path]:
    """Write every file of :func:`outputs` into ``out``, each atomically; return the paths."""
    from nmdkg.core.io import write_bytes_atomic

    files = outputs(a, progress)
    paths = []
    for name, payload in files.items():
        write_bytes_atomic(Path(out) / name, payload)
        paths.append(Path(out) / name)
    return paths


# -- pictures -------------------------------------------------------------------------------------

def _figure(width: float, height: float):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt, plt.figure(figsize=(width, height), dpi=150)


def _png(plt, fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


def _short(text: str, width: int = 48) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def article_disorders(a: Analysis) -> list[tuple[str, str]]:
    """The article's disorders with phenotypes and their annotated counterparts, as (disorder, group)
    pairs, grouped by article disorder (what the heatmap shows)."""
    data = a.data
    seeds = sorted({d for d in a.weights.disorders if not d.startswith(ANNOTATED_PREFIXES)},
                   key=lambda d: (data.label(d).lower(), d))
    by_seed: dict[str, list[str]] = defaultdict(list)
    for disorder, parents in data.counterparts.items():
        if disorder in a.nodes:
            by_seed[parents[0]].append(disorder)
    rows: list[tuple[str, str]] = []
    for seed in seeds:
        rows.append((seed, seed))
        rows += [(d, seed) for d in sorted(by_seed.get(seed, []))]
    return rows


def network_png(a: Analysis) -> bytes:
    """The disorder network, nodes coloured by community (the ten largest), article disorders labelled."""
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D

    G = a.network
    nodes = [n for n in G if G.degree(n) > 0]
    note = ""
    if len(nodes) > PICTURE_LIMIT:  # each community keeps its best-connected, in proportion to its size
        by_community: dict[int, list[str]] = defaultdict(list)
        for n in nodes:
            by_community[a.membership[n]].append(n)
        kept = []
        for members in by_community.values():
            quota = max(1, round(PICTURE_LIMIT * len(members) / len(nodes)))
            kept += sorted(members, key=lambda n: (-a.nodes[n]["strength"], n))[:quota]
        kept_set = set(kept) | {n for n in nodes if not n.startswith(ANNOTATED_PREFIXES)}
        nodes = [n for n in nodes if n in kept_set]
        note = f" — {len(nodes):,} of {G.number_of_nodes():,} disorders, the best-connected of each community"
    H = G.subgraph(sorted(nodes))
    pos = nx.spring_layout(H, seed=a.seed, weight=None, iterations=60) if len(H) else {}
    plt, fig = _figure(12, 10)
    ax = fig.add_subplot(111)
    tab10 = plt.get_cmap("tab10").colors
    palette = [c for i, c in enumerate(tab10) if i != 7] + [plt.get_cmap("Dark2").colors[5]]  # no grey
    main = [row["community"] for row in a.community_table if row["size"] > 1][:10]
    colour = {c: palette[i] for i, c in enumerate(main)}
    segments = [(pos[u], pos[v]) for u, v in H.edges()]
    ax.add_collection(LineCollection(segments, colors=(0.5, 0.5, 0.5, 0.12), linewidths=0.4, zorder=1))
    if len(H):
        xy = np.array([pos[n] for n in H])
        colours = [colour.get(a.membership[n], (0.8, 0.8, 0.8)) for n in H]
        sizes = [6 + 3 * math.sqrt(H.degree(n)) for n in H]
        article = {d for d, _ in article_disorders(a)}
        edge = ["black" if n in article else "none" for n in H]
        ax.scatter(xy[:, 0], xy[:, 1], s=sizes, c=colours, edgecolors=edge, linewidths=0.6, zorder=2)
        labelled = sorted((n for n in H if not n.startswith(ANNOTATED_PREFIXES)),
                          key=lambda n: (-pos[n][1], n))
        span = float(np.ptp(xy[:, 1])) or 1.0
        placed: list[tuple[float, float]] = []
        for n in labelled:  # nudge a label down while it would overlap one already placed
            x, y = float(pos[n][0]), float(pos[n][1])
            dy = 0.0
            while any(abs(x - px) < 0.25 * span and abs(y + dy - py) < 0.03 * span for px, py in placed):
                dy -= 0.03 * span
            placed.append((x, y + dy))
            ax.annotate(a.data.label(n), (x, y), xytext=(x + 0.01 * span, y + dy + 0.01 * span), fontsize=8,
                        fontweight="bold", zorder=3,
                        arrowprops={"arrowstyle": "-", "lw": 0.5} if dy else None,
                        bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.7})
        ax.update_datalim(xy)
        ax.autoscale_view()
    handles = []
    for row in a.community_table:
        if row["community"] in colour:
            name = row["top_phenotype_labels"][0] if row["top_phenotype_labels"] else row["main_category"]
            handles.append(Line2D([], [], marker="o", linestyle="", color=colour[row["community"]],
                                  label=f"{row['community']}: {_short(name, 44)} ({row['size']})"))
    handles.append(Line2D([], [], marker="o", linestyle="", markerfacecolor="white", markeredgecolor="black",
                          label="article disorder or its counterpart"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False,
              title="community: most characteristic phenotype (size)", title_fontsize=8)
    ax.set_title(f"Shared-symptom network of disorders ({a.metric}, {G.number_of_edges():,} edges{note})",
                 fontsize=11)
    ax.set_axis_off()
    return _png(plt, fig)


def heatmap_png(a: Analysis) -> bytes:
    """Similarity of the article's disorders and their OMIM/Orphanet counterparts under the metric."""
    rows = article_disorders(a)
    title = f"Similarity ({a.metric}) of the article's disorders and their counterparts"
    if len(rows) < 2:
        strongest = sorted(a.nodes, key=lambda n: (-a.nodes[n]["strength"], n))[:30]
        rows = [(d, "") for d in sorted(strongest)]
        title = f"Similarity ({a.metric}) of the 30 best-connected disorders"
    index = {d: i for i, d in enumerate(a.weights.disorders)}
    ids = np.array([index[d] for d, _ in rows], dtype=np.int64)
    n = len(ids)
    r, c = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    values = a.weights.pair_values(a.metric, ids[r.ravel()], ids[c.ravel()]).reshape(n, n)
    values[np.arange(n), np.arange(n)] = np.nan
    plt, fig = _figure(max(6.0, 0.22 * n + 4), max(5.0, 0.22 * n + 2.5))
    ax = fig.add_subplot(111)
    cmap = plt.get_cmap("viridis").with_extremes(bad=(0.9, 0.9, 0.9))
    image = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, interpolation="nearest")
    labels = [("▶ " if d == group else "") + _short(f"{a.data.label(d)} ({d})") for d, group in rows]
    ax.set_xticks(range(n), labels, rotation=90, fontsize=7)
    ax.set_yticks(range(n), labels, fontsize=7)
    for i, (d, group) in enumerate(rows):
        if d == group and i:
            ax.axhline(i - 0.5, color="white", linewidth=1.2)
            ax.axvline(i - 0.5, color="white", linewidth=1.2)
    fig.colorbar(image, ax=ax, fraction=0.04, pad=0.02, label=a.metric)
    ax.set_title(title + "\n(▶ the article's disorder; grey: a disorder with itself)", fontsize=10)
    return _png(plt, fig)


def hubs_png(a: Analysis, n: int = 25) -> bytes:
    """The symptom hubs: phenotypes annotated to the most disorders, coloured by how many communities they
    span (participation)."""
    rows = a.symptoms[:n][::-1]
    plt, fig = _figure(10, max(4.0, 0.28 * len(rows) + 1.5))
    ax = fig.add_subplot(111)
    cmap = plt.get_cmap("plasma")
    values = [r["participation"] for r in rows]
    bars = ax.barh(range(len(rows)), [r["n_disorders"] for r in rows], color=[cmap(v) for v in values])
    ax.set_yticks(range(len(rows)), [_short(f"{r['label']} ({r['id']})", 72) for r in rows], fontsize=8)
    ax.bar_label(bars, labels=[f"{r['n_disorders']} ({r['n_communities']} comm.)" for r in rows], fontsize=7,
                 padding=2)
    ax.set_xlabel("disorders annotated with the phenotype")
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    fig.colorbar(ScalarMappable(Normalize(0, 1), cmap), ax=ax, fraction=0.03, pad=0.02,
                 label="spread over communities (participation)")
    ax.set_title(f"Symptom hubs: the {len(rows)} phenotypes shared by most disorders", fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(plt, fig)


__all__ = [
    "METRICS",
    "Analysis",
    "Similarities",
    "analyze",
    "article_disorders",
    "benjamini_hochberg",
    "betweenness",
    "csv_bytes",
    "disorder_network",
    "enrichment",
    "graphml_bytes",
    "heatmap_png",
    "hubs_png",
    "louvain",
    "nearest_neighbours",
    "network_png",
    "outputs",
    "participation_coefficient",
    "phenotype_participation",
    "similarity_matrices",
    "top_pairs",
    "write_outputs",
]
