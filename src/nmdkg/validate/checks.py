"""The SPARQL checks of ``queries/checks/``: each ``*-violation.rq`` must return no rows; each row it returns
is a result (``?focus``, and optionally ``?path`` and ``?value``), its message filled from the ``# message:``
templates of the header. They run on Oxigraph; rdflib's engine is the reference the tests compare with."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import SH
from rdflib.query import ResultRow
from rdflib.term import Node

from nmdkg.core.errors import DataError, InputError
from nmdkg.core.paths import QUERIES_DIR
from nmdkg.core.sparql_text import parse_header
from nmdkg.core.terms import from_oxigraph, to_oxigraph
from nmdkg.validate.data import RawResult, TermTable
from nmdkg.validate.report import SHAPES_NS, show

CHECKS_DIR = QUERIES_DIR / "checks"


#: The header fields of a SPARQL check (``nmdkg.core.sparql_text``).
CHECK_HEADER_KEYS = ("title", "description", "message", "severity")


@dataclass(frozen=True)
class Check:
    """A SPARQL check: a ``*-violation.rq`` query whose rows are violations."""

    name: str
    path: Path
    title: str
    description: str
    messages: tuple[str, ...]
    query: str
    severity: URIRef = SH.Violation

    @property
    def iri(self) -> URIRef:
        return URIRef(f"{SHAPES_NS}check-{self.name}")


def load_checks(directory: Path | None = None) -> list[Check]:
    """Every ``*-violation.rq`` of ``queries/checks/``, with its header (title, description, messages)."""
    directory = Path(directory or CHECKS_DIR)
    files = sorted(directory.glob("*-violation.rq"))
    if not files:
        raise InputError(f"no SPARQL checks (*-violation.rq) found in {directory}")
    return [_read_check(path) for path in files]


def _read_check(path: Path) -> Check:
    text = path.read_text(encoding="utf-8")
    fields, problems = parse_header(text, path, CHECK_HEADER_KEYS)
    if problems:
        raise DataError(problems)
    header = {key: [value for _, value in values] for key, values in fields.items()}
    missing = [key for key in ("title", "description", "message") if not header.get(key)]
    if missing:
        raise InputError(f"{path.name}: the header needs '# {missing[0]}: ...' (see queries/checks/)")
    severity = {"Violation": SH.Violation, "Warning": SH.Warning, "Info": SH.Info}.get(
        (header.get("severity") or ["Violation"])[0])
    if severity is None:
        raise InputError(f"{path.name}: severity must be Violation, Warning or Info")
    name = path.name.removesuffix("-violation.rq")
    return Check(name, path, header["title"][0], header["description"][0], tuple(header["message"]), text,
                 severity)


def run_checks(graph: Graph, checks: Sequence[Check] | None = None, *,
               engine: str = "oxigraph") -> list[tuple[str, dict[str, Node]]]:
    """(check name, row) for every row of every check, on ``oxigraph`` (what validation uses) or ``rdflib``.

    rdflib's SPARQL engine is the reference the test suite holds Oxigraph to; validation does not use it,
    as some checks take it minutes from ten thousand triples on (docs/decisions/0002-validation.md).
    """
    if engine not in ("oxigraph", "rdflib"):
        raise InputError(f"unknown SPARQL engine {engine!r}; choose oxigraph or rdflib")
    checks = load_checks() if checks is None else checks
    run = _rdflib_runner(graph) if engine == "rdflib" else _oxigraph_runner(graph)
    return [(check.name, row) for check in checks for row in run(check)]


def check_results(data: Graph | TermTable, checks: Sequence[Check], engine: str) -> list[RawResult[Node]]:
    """Run every check on ``engine`` (``rdflib`` or ``oxigraph``); each row is a result."""
    if not checks:
        return []
    run = _rdflib_runner(data) if engine == "rdflib" else _oxigraph_runner(data)
    raws: list[RawResult[Node]] = []
    for check in checks:
        for row in run(check):
            if "focus" not in row:
                raise InputError(f"{check.path.name}: a row without ?focus; a check must project ?focus")
            raws.append(RawResult(row["focus"], check.iri, row.get("value"), SH.SPARQLConstraintComponent,
                             check.severity, fill_message(check, row), row.get("path"), check.name))
    return raws


def fill_message(check: Check, row: dict[str, Node]) -> str:
    """The first message template of ``check`` whose ``{variables}`` the row binds, filled with CURIEs."""
    for template in check.messages:
        names = re.findall(r"\{(\w+)\}", template)
        if all(name in row for name in names):
            return re.sub(r"\{(\w+)\}", lambda m: show(row[m.group(1)]), template)
    return check.title


@lru_cache(maxsize=64)
def _prepared(text: str) -> Any:
    """rdflib's parsed and translated form of a check, kept per query text."""
    from rdflib.plugins.sparql import prepareQuery

    return prepareQuery(text)


def _rdflib_runner(data: Graph | TermTable) -> Callable[[Check], list[dict[str, Node]]]:
    graph = data.graph() if isinstance(data, TermTable) else data

    def run(check: Check) -> list[dict[str, Node]]:
        try:
            result = graph.query(_prepared(check.query))
        except Exception as exc:
            raise InputError(f"{check.path.name}: the check failed: {' '.join(str(exc).split())}") from exc
        rows: list[dict[str, Node]] = []
        for row in result:
            assert isinstance(row, ResultRow)  # a check is a SELECT query: its rows are solutions
            rows.append({str(k): v for k, v in row.asdict().items() if v is not None})
        return rows

    return run


def _oxigraph_runner(data: Graph | TermTable) -> Callable[[Check], list[dict[str, Node]]]:
    import pyoxigraph as ox

    store = ox.Store()
    if isinstance(data, TermTable):  # canonical N-Triples have no blank nodes: Oxigraph parses them
        store.load(data.ntriples(), format=ox.RdfFormat.N_TRIPLES)
    else:
        store.bulk_extend(_ox_quads(data))

    def run(check: Check) -> list[dict[str, Node]]:
        try:
            solutions = store.query(check.query)
        except (SyntaxError, ValueError, RuntimeError, OSError) as exc:
            raise InputError(f"{check.path.name}: the check failed: {' '.join(str(exc).split())}") from exc
        assert isinstance(solutions, ox.QuerySolutions)  # a check is a SELECT query
        names = [v.value for v in solutions.variables]
        rows: list[dict[str, Node]] = []
        for solution in solutions:
            row: dict[str, Node] = {name: from_oxigraph(term) for name, term in zip(names, solution, strict=True)
                                    if term is not None}
            rows.append(row)
        return rows

    return run


def _ox_quads(graph: Graph) -> Iterator[Any]:
    """The triples of ``graph`` as Oxigraph quads; blank nodes keep their ids, so results map back."""
    import pyoxigraph as ox

    cache: dict[Node, Any] = {}

    def term(t: Node) -> Any:
        found = cache.get(t)
        if found is None:
            found = cache[t] = to_oxigraph(t)
        return found

    for s, p, o in graph:
        yield ox.Quad(term(s), term(p), term(o))
