"""The data a validation reads: triples as N-Triples term strings indexed by predicate (:class:`TermTable`,
what the compiled engine reads), the raw results every engine and the checks return, and labels."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Generic, TypeAlias, TypeVar

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDFS
from rdflib.term import Node

from nmdkg.core.ntriples import NTriple, to_graph, to_rdflib


class TermTable:
    """Triples as N-Triples term strings, indexed by predicate: what the fast engine reads.

    Canonical N-Triples come in as they are; an rdflib graph is turned into the same strings (a blank node
    as ``_:id``). The engine compares and hashes plain strings, which at full-HPO scale is several times
    cheaper than rdflib terms; a term becomes an rdflib term only where a constraint reads a literal's
    value, and in the results. :meth:`objects` answers in rdflib terms (for result labels).
    """

    def __init__(self, triples: list[NTriple], document: bytes | None = None):
        self.triples = triples
        self.document = document
        # Each distinct term is kept as one string object, so that the engine's dictionaries find their
        # keys by identity (a line's terms are otherwise separate copies; twice the time).
        one: dict[str, str] = {}
        by_predicate: dict[str, list[tuple[str, str]]] = {}
        for s, p, o in triples:
            s = one.setdefault(s, s)
            o = one.setdefault(o, o)
            pairs = by_predicate.get(p)
            if pairs is None:
                by_predicate[one.setdefault(p, p)] = [(s, o)]
            else:
                pairs.append((s, o))
        self.by_predicate = by_predicate
        self.subjects: dict[str, dict[str, list[str]]] = {}
        self.ill_typed: frozenset[str] = frozenset()

    @classmethod
    def from_graph(cls, graph: Graph) -> TermTable:
        table = cls([(term_text(s), term_text(p), term_text(o)) for s, p, o in graph])
        # rdflib may have normalised an ill-typed lexical form away ("yes"^^xsd:boolean reads "false"), but
        # it marks the literal: such a literal fails sh:datatype whatever its form reads now.
        table.ill_typed = frozenset(term_text(o) for o in set(graph.objects())
                                    if isinstance(o, Literal) and o.ill_typed)
        return table

    def __len__(self) -> int:
        return len(self.triples)

    def subject_objects(self, predicate: str) -> list[tuple[str, str]]:
        return self.by_predicate.get(predicate, [])

    def objects(self, subject: Node, predicate: Node) -> list[Node]:
        """The objects of ``subject`` and ``predicate`` (rdflib terms in and out)."""
        key = term_text(predicate)
        index = self.subjects.get(key)
        if index is None:
            index = self.subjects[key] = defaultdict(list)
            for s, o in self.subject_objects(key):
                index[s].append(o)
        return [to_rdflib(o) for o in index.get(term_text(subject), [])]

    def ntriples(self) -> bytes:
        from nmdkg.core.ntriples import lines

        return self.document if self.document is not None else lines(self.triples)

    def graph(self) -> Graph:
        """An rdflib graph of the same triples (for the pyshacl engine)."""
        return to_graph(self.triples)


def term_text(node: Node) -> str:
    """The N-Triples string of a term, a blank node included (``_:id``)."""
    from nmdkg.core.ntriples import term

    if isinstance(node, BNode):
        return f"_:{node}"
    if not isinstance(node, URIRef | Literal):  # what term() refuses too
        raise TypeError(f"not a term of an RDF graph: {node!r}")
    return term(node)


#: A data node as the fast engine holds it: its N-Triples string (a blank node as ``_:id``), see
#: :class:`TermTable`.
Term: TypeAlias = str


#: The kind of a result's focus and value nodes: rdflib terms (:data:`Node`), or :data:`Term` strings while
#: in the fast engine (:meth:`CoreEngine.validate` turns them into rdflib terms).
_N = TypeVar("_N", Node, Term)


@dataclass(frozen=True)
class RawResult(Generic[_N]):
    """A result before labels and names are attached."""

    focus: _N
    shape: Node  # the shape, or a Check's IRI
    value: _N | None
    component: URIRef
    severity: URIRef
    message: str | None
    path: Node | None = None  # set for check rows (shapes give theirs through sh:path)
    check: str | None = None


class Labels:
    """The English (or any) rdfs:label of a node, looked up once."""

    def __init__(self, graph: Graph | TermTable):
        self.graph = graph
        self.cache: dict[Node, str | None] = {}

    def __call__(self, node: Node) -> str | None:
        if node not in self.cache:
            self.cache[node] = english(self.graph, node, RDFS.label)
        return self.cache[node]


def english(graph: Graph | TermTable, node: Node, predicate: URIRef) -> str | None:
    values = [v for v in graph.objects(node, predicate) if isinstance(v, Literal)]
    values.sort(key=lambda v: (v.language not in ("en", None), v.language or "", str(v)))
    return str(values[0]) if values else None
