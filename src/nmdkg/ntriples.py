"""Canonical N-Triples: the build's triples as sorted, de-duplicated lines.

The build generates rdflib terms; this module turns them into N-Triples term strings without going
through rdflib's serializer (which costs minutes at full-HPO scale), and parses those strings back for
the JSON-LD writer. The canonical form (one triple per line, sorted by code point, no duplicates, no blank
nodes) is what makes every export byte-identical across runs.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

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


def canonical(triples: Iterable[tuple]) -> list[NTriple]:
    """Sorted, de-duplicated N-Triples term strings of ``triples`` (rdflib terms)."""
    return sorted({(term(s), term(p), term(o)) for s, p, o in triples})


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
