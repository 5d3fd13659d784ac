"""Counts of the graph per node kind and per edge kind, as tables (in the manner of Hetionet's metagraph)."""

from __future__ import annotations

from collections import Counter, defaultdict

from rdflib import Graph

from nmdkg.core.namespaces import VOCAB_IRI, compress
from nmdkg.core.ntriples import NTriple, canonical

_VOCAB = f"<{VOCAB_IRI}"
_RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"


def _triples(source: Graph | list[NTriple]) -> list[NTriple]:
    return source if isinstance(source, list) else canonical(source)


def _rows(counts: dict[str, int]) -> list[tuple[str, int]]:
    named = ((compress(kind[1:-1]) or kind[1:-1], count) for kind, count in counts.items())
    return sorted(named, key=lambda row: (-row[1], row[0]))


def node_counts(source: Graph | list[NTriple]) -> list[tuple[str, int]]:
    """(nmdkg class CURIE, number of distinct nodes typed with it directly), largest first."""
    members: dict[str, set[str]] = defaultdict(set)
    for s, p, o in _triples(source):
        if p == _RDF_TYPE and o.startswith(_VOCAB):
            members[o].add(s)
    return _rows({kind: len(nodes) for kind, nodes in members.items()})


def edge_counts(source: Graph | list[NTriple]) -> list[tuple[str, int]]:
    """(nmdkg property CURIE, number of triples using it), largest first."""
    return _rows(Counter(p for _, p, _ in _triples(source) if p.startswith(_VOCAB)))


def as_tsv(rows: list[tuple[str, int]], header: tuple[str, str]) -> bytes:
    lines = ["\t".join(header)] + [f"{kind}\t{count}" for kind, count in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")
