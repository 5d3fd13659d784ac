"""The library cases the engines are compared on, and how their answers are compared."""

from __future__ import annotations

from rdflib import Literal
from rdflib.namespace import XSD

from nmdkg.query.library import load_library
from nmdkg.query.results import is_graph, rows
from tests.test_queries import EXTRA_CASES

LIBRARY = load_library()
#: Every query with its default parameters, then the pinned extra cases of tests/test_queries.py.
CASES = [(name, {}) for name in LIBRARY] + [(name, dict(params)) for name, params in EXTRA_CASES]


def case_id(case) -> str:
    name, params = case
    return name + "".join(f"[{key}={value}]" for key, value in sorted(params.items()))


IDS = [case_id(case) for case in CASES]

_TRUE, _FALSE = Literal(True), Literal(False)
_ONE, _ZERO = Literal("1", datatype=XSD.integer), Literal("0", datatype=XSD.integer)


def booleans_as_integers(term):
    """The one normalisation for Virtuoso 7: it has no boolean type in results, so a boolean value
    (``BIND (EXISTS {...} AS ?x)``) comes back as ``1`` or ``0`` typed ``xsd:integer``."""
    if term == _TRUE and isinstance(term, Literal) and term.datatype == XSD.boolean:
        return _ONE
    if term == _FALSE and isinstance(term, Literal) and term.datatype == XSD.boolean:
        return _ZERO
    return term


def answer(result, *, ordered: bool, normalise=None):
    """A result as something to compare: the ASK answer, the set of triples, or the rows of terms (in
    order when ``ordered``, else as a sorted multiset)."""
    if result.type == "ASK":
        return bool(result.askAnswer)
    if is_graph(result):
        return set(result.graph)
    found = [tuple(normalise(term) if normalise else term for term in row) for row in rows(result)]
    return found if ordered else sorted(found, key=repr)


def describe(expected, got) -> str:
    """A readable difference of two answers."""
    if isinstance(expected, bool) or isinstance(got, bool):
        return f"expected {expected}, got {got}"
    missing = [row for row in expected if row not in got]
    extra = [row for row in got if row not in expected]
    if not missing and not extra and len(expected) == len(got):
        first = next(i for i, (a, b) in enumerate(zip(expected, got, strict=True)) if a != b)
        return (f"the same {len(got)} rows in another order, from row {first}: "
                f"expected {expected[first]}, got {got[first]}")
    return (f"expected {len(expected)} rows, got {len(got)}; missing {len(missing)}, e.g. {missing[:2]}; "
            f"unexpected {len(extra)}, e.g. {extra[:2]}")
