"""Canonical N-Triples: the build's triples as sorted, de-duplicated lines of term strings.

The build generates its triples as N-Triples term strings (``'<http://...>'``, ``'"weakness"@en'``): the
bulk (HPO annotations, millions of triples at full scale) is written straight as strings by
:func:`iri` and :func:`literal`, the small curated part is turned from rdflib terms by :func:`term`.
Strings skip the cost of rdflib term objects (minutes at full-HPO scale) and are what every sink wants:
the N-Triples file, the JSON-LD writer, Oxigraph's parser. :func:`to_rdflib` and :func:`to_graph` turn
them back into rdflib terms for the Python API. The canonical form (one triple per line, sorted by code
point, no duplicates, no blank nodes) is what makes every export byte-identical across runs.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_XSD_STRING = str(XSD.string)

NTriple = tuple[str, str, str]


def term(value: URIRef | Literal) -> str:
    """The N-Triples form of an IRI or literal.

    >>> term(URIRef("http://purl.obolibrary.org/obo/HP_0001324"))
    '<http://purl.obolibrary.org/obo/HP_0001324>'
    >>> term(Literal('say "hi"', lang="en")), term(Literal(3))
    ('"say \\\\"hi\\\\""@en', '"3"^^<http://www.w3.org/2001/XMLSchema#integer>')
    """
    if isinstance(value, URIRef):
        return f"<{value}>"
    if isinstance(value, Literal):
        lexical = f'"{str(value).translate(_ESCAPES)}"'
        if value.language:
            return f"{lexical}@{value.language}"
        if value.datatype is not None and str(value.datatype) != _XSD_STRING:
            return f"{lexical}^^<{value.datatype}>"
        return lexical
    raise TypeError(f"blank nodes and other terms are not allowed in the build: {value!r}")


def iri(value: str) -> str:
    """The N-Triples form of an IRI given as a string (checked by the shapes, not here)."""
    return f"<{value}>"


def literal(lexical: str, *, language: str | None = None, datatype: str | None = None) -> str:
    """The N-Triples form of a literal: the same string :func:`term` gives for the rdflib literal.

    >>> literal('say "hi"', language="en") == term(Literal('say "hi"', lang="en"))
    True
    >>> literal("3", datatype=str(XSD.integer)) == term(Literal(3))
    True
    """
    text = f'"{lexical.translate(_ESCAPES)}"'
    if language:
        return f"{text}@{language}"
    if datatype and datatype != _XSD_STRING:
        return f"{text}^^<{datatype}>"
    return text


def canonical(triples: Iterable[tuple]) -> list[NTriple]:
    """Sorted, de-duplicated N-Triples term strings of ``triples`` (rdflib terms)."""
    return ordered((term(s), term(p), term(o)) for s, p, o in triples)


def ordered(triples: Iterable[NTriple]) -> list[NTriple]:
    """Term-string triples de-duplicated and sorted: the canonical order.

    Sorted by their N-Triples lines (``s p o``), which is the order of the tuples themselves: a subject or
    predicate is an IRI or blank node, which holds no space and ends where two of them first differ, and an
    object that is a prefix of another is followed in its line by a space, below any character that can
    extend it (``@``, ``^``, a language subtag). Comparing one string per pair is twice as fast as
    comparing tuples (seconds at full-HPO scale). Duplicates are dropped by a dict, which keeps the order
    the triples came in: the builders write them in runs that are already sorted, which the sort then
    merges, twice as fast as sorting the arbitrary order of a set.
    """
    return sorted(dict.fromkeys(triples), key=" ".join)


def to_rdflib(text: str) -> Node:
    """The rdflib term of an N-Triples term string (the inverse of :func:`term`).

    >>> to_rdflib('"3"^^<http://www.w3.org/2001/XMLSchema#integer>') == Literal(3)
    True
    """
    if text.startswith("_:"):
        return BNode(text[2:])
    kind, lexical, language, datatype = parse_object(text)
    if kind == "iri":
        return URIRef(lexical)
    return Literal(lexical, lang=language, datatype=URIRef(datatype) if datatype else None)


def to_graph(triples: Iterable[NTriple], graph: Graph | None = None) -> Graph:
    """An rdflib graph of N-Triples term strings (each distinct term converted once)."""
    graph = Graph(bind_namespaces="none") if graph is None else graph
    terms: dict[str, Node] = {}

    def convert(text: str) -> Node:
        found = terms.get(text)
        if found is None:
            found = terms[text] = to_rdflib(text)
        return found

    graph.addN((convert(s), convert(p), convert(o), graph) for s, p, o in triples)
    return graph


def lines(triples: list[NTriple]) -> bytes:
    """The N-Triples document of canonical triples."""
    return "".join(f"{s} {p} {o} .\n" for s, p, o in triples).encode("utf-8")


_UNESCAPES = {"\\\\": "\\", '\\"': '"', "\\n": "\n", "\\r": "\r", "\\t": "\t"}


def parse_object(text: str) -> tuple[str, str, str | None, str | None]:
    """Split an N-Triples object: ("iri", iri, None, None) or ("literal", lexical, language, datatype).

    >>> parse_object('"a \\\\"b\\\\""@en')
    ('literal', 'a "b"', 'en', None)
    >>> parse_object('<http://x/y>')
    ('iri', 'http://x/y', None, None)
    """
    if text.startswith("<"):
        return "iri", text[1:-1], None, None
    end = text.rindex('"')
    raw = text[1:end]
    lexical = raw if "\\" not in raw else _unescape(raw)
    rest = text[end + 1:]
    if rest.startswith("@"):
        return "literal", lexical, rest[1:], None
    if rest.startswith("^^<"):
        return "literal", lexical, None, rest[3:-1]
    return "literal", lexical, None, None


def _unescape(raw: str) -> str:
    out, i = [], 0
    while i < len(raw):
        pair = raw[i:i + 2]
        if pair in _UNESCAPES:
            out.append(_UNESCAPES[pair])
            i += 2
        else:
            out.append(raw[i])
            i += 1
    return "".join(out)
