"""Counts of the graph per node kind and per edge kind, as tables (in the manner of Hetionet's metagraph)."""

from __future__ import annotations

from rdflib import Graph, Literal

from nmdkg.namespaces import VOCAB_IRI, compress

_NODE_KINDS = """
SELECT ?kind (COUNT(DISTINCT ?node) AS ?count) WHERE {
    ?node a ?kind .
    FILTER(STRSTARTS(STR(?kind), ?vocab))
} GROUP BY ?kind
"""

_EDGE_KINDS = """
SELECT ?kind (COUNT(*) AS ?count) WHERE {
    ?s ?kind ?o .
    FILTER(STRSTARTS(STR(?kind), ?vocab))
} GROUP BY ?kind
"""


def _counts(graph: Graph, query: str) -> list[tuple[str, int]]:
    rows = graph.query(query, initBindings={"vocab": Literal(VOCAB_IRI)})
    return sorted(((compress(str(kind)) or str(kind), int(count)) for kind, count in rows),
                  key=lambda row: (-row[1], row[0]))


def node_counts(graph: Graph) -> list[tuple[str, int]]:
    """(class CURIE, number of nodes typed with it directly), largest first."""
    return _counts(graph, _NODE_KINDS)


def edge_counts(graph: Graph) -> list[tuple[str, int]]:
    """(property CURIE, number of triples using it), largest first."""
    return _counts(graph, _EDGE_KINDS)


def as_tsv(rows: list[tuple[str, int]], header: tuple[str, str]) -> bytes:
    lines = ["\t".join(header)] + [f"{kind}\t{count}" for kind, count in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")
