"""Query results -> text: the W3C SPARQL 1.1 results formats, a table for people, and Turtle for graphs.

* ``json``: SPARQL 1.1 Query Results JSON Format (https://www.w3.org/TR/sparql11-results-json/),
  written by rdflib.
* ``csv`` and ``tsv``: SPARQL 1.1 Query Results CSV and TSV Formats
  (https://www.w3.org/TR/sparql11-results-csv-tsv/). CSV is written by rdflib; TSV here, as rdflib has no
  TSV writer (docs/decisions/0012-hand-written-parts.md). CSV (RFC 4180, CRLF line ends) holds plain values:
  an IRI as itself, a literal as its lexical form, a blank node as ``_:label``, an unbound variable as an
  empty field. TSV holds terms in Turtle/N-Triples syntax (``<iri>``, ``"text"@en``,
  ``"x"^^<datatype>``; booleans, integers, decimals and doubles in Turtle's short form when their lexical
  form allows, as the format permits) under a header of ``?var``. The formats define no ASK result; like
  Oxigraph, CSV and TSV write the bare ``true`` or ``false``.
* ``table``: for people: IRIs as CURIEs where a prefix covers them, literals as their text, aligned columns.
* CONSTRUCT and DESCRIBE results are written as Turtle, with the prefixes their IRIs use.

>>> from rdflib import Literal, URIRef, Variable
>>> from rdflib.query import Result
>>> result = Result("SELECT")
>>> result.vars = [Variable("d"), Variable("label")]
>>> result.bindings = [{Variable("d"): URIRef("http://purl.obolibrary.org/obo/MONDO_0009688"),
...                     Variable("label"): Literal("myasthenia gravis", lang="en")}]
>>> print(to_tsv(result).replace("\\t", " | "), end="")
?d | ?label
<http://purl.obolibrary.org/obo/MONDO_0009688> | "myasthenia gravis"@en
>>> print(to_table(result), end="")
d              label
-------------  -----------------
MONDO:0009688  myasthenia gravis
(1 row)
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable
from typing import Any

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.plugins.sparql.results.csvresults import CSVResultSerializer
from rdflib.plugins.sparql.results.jsonresults import JSONResultSerializer, termToJSON
from rdflib.query import Result
from rdflib.term import Identifier

#: Result formats for SELECT and ASK; CONSTRUCT and DESCRIBE are always Turtle.
FORMATS = ("table", "csv", "tsv", "json")
GRAPH_FORMAT = "turtle"
MEDIA_TYPES = {"json": "application/sparql-results+json", "csv": "text/csv",
               "tsv": "text/tab-separated-values", "table": "text/plain", "turtle": "text/turtle"}

#: Datatypes whose literals Turtle can write bare, with the lexical forms it accepts for each.
_SHORT_FORMS = {
    XSD.integer: re.compile(r"[+-]?[0-9]+\Z"),
    XSD.decimal: re.compile(r"[+-]?[0-9]*\.[0-9]+\Z"),
    XSD.double: re.compile(r"[+-]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)[eE][+-]?[0-9]+\Z"),
    XSD.boolean: re.compile(r"(?:true|false)\Z"),
}
#: The widest a table cell gets before it is cut with an ellipsis.
TABLE_CELL_WIDTH = 70


def is_graph(result: Result) -> bool:
    return result.type in ("CONSTRUCT", "DESCRIBE")


def variables(result: Result) -> list[str]:
    return [str(v) for v in (result.vars or [])]


def rows(result: Result) -> list[list[Identifier | None]]:
    """The solutions as lists of terms in the order of the variables (None where a variable is unbound)."""
    names = result.vars or []
    return [[binding.get(var) for var in names] for binding in result.bindings]


def _distinct(terms: Iterable[Any], convert: Callable[[Any], Any]) -> dict[int, Any]:
    """``convert`` of each distinct term object of ``terms``, by the object's identity: a large answer
    repeats its terms (the same sources, predicates and labels on thousands of rows), and the query stores
    give each distinct term of an answer as one object, so each is converted once. Keyed by identity, the
    result is exact whatever the terms' own equality says (the terms must stay alive while it is used)."""
    return {key: convert(term) for key, term in {id(term): term for term in terms}.items()}


def _cells(table: list[list[Any]], convert: Callable[[Any], str]) -> list[list[str]]:
    """``convert`` of every cell of ``table`` (terms or None), computed once per distinct term."""
    done = _distinct((term for row in table for term in row), convert).__getitem__
    return [list(map(done, map(id, row))) for row in table]


# -- SPARQL 1.1 JSON and CSV: rdflib's writers ---------------------------------------------------------

class _JSONWriter(JSONResultSerializer):
    """rdflib's JSON results writer, fed each solution's terms in the projection's order (rdflib writes a
    solution's terms in its own order, which differs between engines, so that the same answer gives the
    same bytes whatever engine computed it), each distinct term encoded once."""

    def __init__(self, result: Result):
        super().__init__(result)
        self._names = result.vars or []
        terms = (term for binding in result.bindings for term in binding.values()) if result.type == "SELECT" \
            else ()
        self._encoded = _distinct(terms, lambda term: termToJSON(self, term))

    def _bindingToJSON(self, b):  # rdflib's name
        encoded, get = self._encoded, b.get
        return {var: encoded[id(term)] for var in self._names if (term := get(var)) is not None}


def _rdflib_writer(result: Result, writer: type) -> str:
    """The text an rdflib results writer (a ``ResultSerializer`` class) gives for ``result``; rdflib's CSV
    writer reads each solution in the projection's order by itself."""
    buffer = io.BytesIO()
    writer(result).serialize(buffer, encoding="utf-8")
    return buffer.getvalue().decode("utf-8")


def to_json(result: Result) -> str:
    """The result in the SPARQL 1.1 Query Results JSON Format (rdflib's writer)."""
    return _rdflib_writer(result, _JSONWriter) + "\n"


def to_csv(result: Result) -> str:
    """The result in the SPARQL 1.1 Query Results CSV Format (rdflib's writer); an ASK result, which the
    format does not define, as ``true`` or ``false`` (as Oxigraph writes it)."""
    if result.type == "ASK":
        return ("true" if result.askAnswer else "false") + "\r\n"
    return _rdflib_writer(result, CSVResultSerializer)


# -- SPARQL 1.1 TSV: no library writes it from an rdflib result (see docs/decisions/0012) --------------

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _quoted(text: str) -> str:
    return '"' + "".join(_ESCAPES.get(ch, ch) for ch in text) + '"'


def tsv_term(term: Identifier | None) -> str:
    """A term in N-Triples syntax, as the TSV results format says; an unbound variable is empty.

    Booleans and numbers are written in Turtle's short form (``5``, ``1.5``) when their lexical form allows;
    quotes, backslashes, tabs and line breaks inside literals are escaped.
    """
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        if term.language:
            return f"{_quoted(str(term))}@{term.language}"
        if term.datatype is None or term.datatype == XSD.string:
            return _quoted(str(term))
        short_form = _SHORT_FORMS.get(term.datatype)
        if short_form is not None and short_form.match(str(term)):
            return str(term)
        return f"{_quoted(str(term))}^^<{term.datatype}>"
    raise TypeError(f"not an RDF term: {term!r}")


def to_tsv(result: Result) -> str:
    """The result in the SPARQL 1.1 Query Results TSV Format (an ASK result as ``true`` or ``false``)."""
    if result.type == "ASK":
        return ("true" if result.askAnswer else "false") + "\n"
    lines = ["\t".join(f"?{name}" for name in variables(result))]
    lines += ["\t".join(row) for row in _cells(rows(result), tsv_term)]
    return "\n".join(lines) + "\n"


# -- for people ---------------------------------------------------------------------------------------

def short(term: Identifier | None) -> str:
    """A term as people read it: a CURIE where a prefix covers the IRI, a literal's text, empty if unbound."""
    from nmdkg.core.namespaces import compress

    if term is None:
        return ""
    if isinstance(term, URIRef):
        return compress(term) or str(term)
    if isinstance(term, BNode):
        return f"_:{term}"
    return " ".join(str(term).split())


def to_table(result: Result, width: int = TABLE_CELL_WIDTH) -> str:
    """The result as an aligned text table with a row count; an ASK result as ``yes`` or ``no``."""
    if result.type == "ASK":
        return ("yes" if result.askAnswer else "no") + "\n"
    names = variables(result)
    cells = _cells(rows(result), lambda term: _cut(short(term), width))
    columns = list(zip(*cells, strict=True)) if cells else [() for _ in names]
    widths = [max(len(name), max(map(len, column), default=0)) for name, column in zip(names, columns, strict=True)]
    line = "  ".join(f"{{:<{w}}}" for w in widths).format  # each cell padded with spaces to its column's width
    lines = [line(*names).rstrip(), "  ".join("-" * w for w in widths)]
    lines += [line(*row).rstrip() for row in cells]
    lines.append(f"({len(cells)} row{'' if len(cells) == 1 else 's'})")
    return "\n".join(lines) + "\n"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# -- any result ---------------------------------------------------------------------------------------

WRITERS: dict[str, Callable[[Result], str]] = {
    "table": to_table, "csv": to_csv, "tsv": to_tsv, "json": to_json,
}


def render(result: Result, fmt: str = "table") -> bytes:
    """A result as bytes: SELECT and ASK in ``fmt`` (one of :data:`FORMATS`), CONSTRUCT/DESCRIBE as Turtle."""
    if is_graph(result):
        from nmdkg.export.rdf import serialize

        assert result.graph is not None
        return serialize(result.graph, GRAPH_FORMAT)
    if fmt not in WRITERS:
        raise ValueError(f"unknown result format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    return WRITERS[fmt](result).encode("utf-8")
