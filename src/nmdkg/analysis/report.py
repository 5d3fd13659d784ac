"""The files of a network analysis (``nmdkg analyze``): the tables (CSV), the network as GraphML, the summary
(Markdown and JSON), and the pictures of ``nmdkg.analysis.pictures``; every byte reproducible."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import networkx as nx

from nmdkg.analysis.compute import (
    Analysis,
    Progress,
    quiet,
)
from nmdkg.analysis.network import ANNOTATED_PREFIXES
from nmdkg.analysis.pictures import heatmap_png, hubs_png, network_png


def _number(value: Any) -> str:
    kind = type(value)
    if kind is str:  # the common cases first: a CSV of 93,000 edges formats a million values
        return value
    if kind is float:
        return f"{value:.6g}"
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
    phenotypes: dict[str, set[str]] = {}   # each disorder's, made once (the same as shared_phenotypes)

    def of(disorder: str) -> set[str]:
        found = phenotypes.get(disorder)
        if found is None:
            found = phenotypes[disorder] = set(data.bipartite.adj[disorder])
        return found

    rows = []
    for u, v, e in G.edges(data=True):
        s, t = min(u, v), max(u, v)
        rows.append((s, data.label(s), t, data.label(t), e["weight"], e["shared"], e["jaccard"], e["cosine"],
                     e["resnik"], e["p_value"], e["q_value"], "|".join(sorted(of(s) & of(t)))))
    rows.sort(key=lambda r: (-r[4], r[0], r[2]))
    return rows


def outputs(a: Analysis, progress: Progress = quiet) -> dict[str, bytes]:
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

    def kind(types: Iterable[type]) -> str:
        """The GraphML type of values of these Python types (each value's type, once)."""
        types = list(types)
        if all(issubclass(t, bool) for t in types):
            return "boolean"
        if all(issubclass(t, int) and not issubclass(t, bool) for t in types):
            return "long"
        if all(issubclass(t, int | float) and not issubclass(t, bool) for t in types):
            return "double"
        return "string"

    def text(value: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, float):
            return repr(value)
        return escape(str(value))

    def collect(items: Iterable[dict]) -> dict[str, str]:
        found: dict[str, set[type]] = defaultdict(set)
        for data in items:
            for key, value in data.items():
                if value is not None:
                    found[key].add(type(value))
        return {key: kind(types) for key, types in sorted(found.items())}

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

    opening = {domain: {name: f'<data key="{key}">' for (d, name), key in ids.items() if d == domain}
               for domain in ("graph", "node", "edge")}

    def data(domain: str, values: dict, indent: str) -> None:
        known = opening[domain]
        for name, value in sorted(values.items()):
            start = known.get(name)
            if start is not None and value is not None:
                lines.append(f"{indent}{start}{repr(value) if type(value) is float else text(value)}</data>")

    data("graph", G.graph, "    ")
    quoted = {node: quoteattr(str(node)) for node in G}
    for node in sorted(G):
        lines.append(f"    <node id={quoted[node]}>")
        data("node", G.nodes[node], "      ")
        lines.append("    </node>")
    edges = {(min(u, v), max(u, v)): values for u, v, values in G.edges(data=True)}
    for u, v in sorted(edges):
        lines.append(f"    <edge source={quoted[u]} target={quoted[v]}>")
        data("edge", edges[u, v], "      ")
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
        "projection_edges": a.weights.projection_edges(),
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


def write_outputs(a: Analysis, out: Path, progress: Progress = quiet) -> list[Path]:
    """Write every file of :func:`outputs` into ``out``, each atomically; return the paths."""
    from nmdkg.core.io import write_bytes_atomic

    files = outputs(a, progress)
    paths = []
    for name, payload in files.items():
        write_bytes_atomic(Path(out) / name, payload)
        paths.append(Path(out) / name)
    return paths
