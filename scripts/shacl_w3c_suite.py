"""Run the W3C SHACL test suite on the fast engine (``CoreEngine``) and on pySHACL, and count the outcomes.

Usage::

    python scripts/shacl_w3c_suite.py SUITE_DIR [--verbose] [--no-pyshacl]

``SUITE_DIR`` is a folder of the suite with a ``manifest.ttl`` (``data-shapes-test-suite/tests/core`` of a
checkout of ``w3c/data-shapes``); ``mf:include`` manifests are followed. Every ``sht:Validate`` entry is run
on each engine and classed as

* ``pass``: the engine's report has the expected ``sh:conforms`` and the expected set of results, compared
  on (focus node, result path, value, constraint component, severity, source shape); a blank node matches
  any blank node, a complex path is compared as its SPARQL text;
* ``refused``: the engine raised its "unsupported" error (only ``CoreEngine`` may; an expected
  ``sht:Failure`` refused is also counted here);
* ``WRONG``: any other answer, or any other exception.

The counts go to docs/decisions/0002-validation.md. Exit 1 when ``CoreEngine`` has a WRONG answer.
Literals are parsed with their lexical forms kept (``keep_lexical_forms``), as the engine requires.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from nmdkg.validate.engine import CoreEngine, UnsupportedShapes, keep_lexical_forms
from nmdkg.validate.report import path_text

MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
SHT = "http://www.w3.org/ns/shacl-test#"


def entries(manifest: Path) -> list[tuple[str, Path, Path, Graph, object]]:
    """(name, data file, shapes file, manifest graph, mf:result node) of every sht:Validate entry."""
    graph = parse(manifest)
    found = []
    for include in graph.objects(None, URIRef(MF + "include")):
        found.extend(entries(_file(include)))
    for entry_list in graph.objects(None, URIRef(MF + "entries")):
        for entry in graph.items(entry_list):
            if (entry, RDF.type, URIRef(SHT + "Validate")) not in graph:
                continue
            action = graph.value(entry, URIRef(MF + "action"))
            data = _file(graph.value(action, URIRef(SHT + "dataGraph")))
            shapes = _file(graph.value(action, URIRef(SHT + "shapesGraph")))
            name = f"{manifest.parent.name}/{str(entry).rsplit('/', 1)[-1]}"
            found.append((name, data, shapes, graph, graph.value(entry, URIRef(MF + "result"))))
    return found


def _file(iri: object) -> Path:
    return Path(str(iri).removeprefix("file://"))


_PARSED: dict[Path, Graph] = {}


def parse(path: Path) -> Graph:
    """One rdflib graph per file (a test whose data and shapes are one file gets one graph, so blank
    nodes of its shapes are the same terms in its data)."""
    if path not in _PARSED:
        with keep_lexical_forms():
            _PARSED[path] = Graph().parse(path, format="turtle", publicID=path.resolve().as_uri())
    return _PARSED[path]


def _node(term: object) -> str:
    return "_:" if isinstance(term, BNode) else term.n3()  # type: ignore[union-attr]


def expected(graph: Graph, result: object) -> tuple[bool, set[tuple]] | None:
    """(conforms, result keys) of an expected report; None for an expected failure (sht:Failure)."""
    if result == URIRef(SHT + "Failure"):
        return None
    conforms = graph.value(result, SH.conforms)
    keys = {
        _key(
            graph.value(r, SH.focusNode),
            graph,
            graph.value(r, SH.resultPath),
            graph.value(r, SH.value),
            graph.value(r, SH.sourceConstraintComponent),
            graph.value(r, SH.resultSeverity),
            graph.value(r, SH.sourceShape),
        )
        for r in graph.objects(result, SH.result)
    }
    return bool(conforms.toPython()) if isinstance(conforms, Literal) else False, keys


def _key(focus, graph: Graph, path, value, component, severity, shape) -> tuple:
    path_key = None if path is None else path_text(graph, path)
    return (
        _node(focus),
        path_key,
        None if value is None else _node(value),
        str(component),
        str(severity),
        _node(shape),
    )


def run_core(data: Graph, shapes: Graph) -> tuple[bool, set[tuple]]:
    raws = CoreEngine.compile(shapes).validate(data)
    keys = {
        _key(r.focus, shapes, shapes.value(r.shape, SH.path), r.value, r.component, r.severity, r.shape)
        for r in raws
    }
    return not raws, keys  # SHACL: a graph conforms when there is no result, whatever its severity


def run_pyshacl(data: Graph, shapes: Graph) -> tuple[bool, set[tuple]]:
    import pyshacl

    conforms, report, _ = pyshacl.validate(
        data,
        shacl_graph=shapes,
        inference="none",
        allow_warnings=False,
        meta_shacl=False,
        advanced=False,
        js=False,
    )
    roots = list(report.subjects(RDF.type, SH.ValidationReport))
    keys = {
        _key(
            report.value(r, SH.focusNode),
            report,
            report.value(r, SH.resultPath),
            report.value(r, SH.value),
            report.value(r, SH.sourceConstraintComponent),
            report.value(r, SH.resultSeverity),
            report.value(r, SH.sourceShape),
        )
        for root in roots
        for r in report.objects(root, SH.result)
    }
    return bool(conforms), keys


def outcome(run, data: Graph, shapes: Graph, wanted) -> tuple[str, str]:
    try:
        got = run(data, shapes)
    except UnsupportedShapes as exc:
        return "refused", str(exc)
    except Exception as exc:  # noqa: BLE001 - any other exception is a wrong answer, and reported as such
        return ("pass", "expected failure") if wanted is None else ("WRONG", f"{type(exc).__name__}: {exc}")
    if wanted is None:
        return "WRONG", "the test expects a failure; the engine answered"
    if got == wanted:
        return "pass", ""
    missing, extra = wanted[1] - got[1], got[1] - wanted[1]
    return (
        "WRONG",
        f"conforms {got[0]} (expected {wanted[0]}); missing {sorted(missing)}; extra {sorted(extra)}",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("suite", type=Path, help="a folder of the suite with a manifest.ttl (tests/core)")
    parser.add_argument("--verbose", "-v", action="store_true", help="a line per test")
    parser.add_argument("--no-pyshacl", action="store_true", help="run the fast engine only")
    args = parser.parse_args(argv)
    manifest = args.suite / "manifest.ttl"
    if not manifest.is_file():
        print(f"{manifest}: not found (give the suite's tests/core folder)", file=sys.stderr)
        return 2
    tests = entries(manifest.resolve())
    engines = (
        {"CoreEngine": run_core} if args.no_pyshacl else {"CoreEngine": run_core, "pySHACL": run_pyshacl}
    )
    counts: dict[str, Counter] = {name: Counter() for name in engines}
    for name, data_file, shapes_file, graph, result in tests:
        wanted = expected(graph, result)
        data, shapes = parse(data_file), parse(shapes_file)
        for engine, run in engines.items():
            verdict, detail = outcome(run, data, shapes, wanted)
            counts[engine][verdict] += 1
            if args.verbose or verdict == "WRONG":
                print(f"{engine:10} {verdict:7} {name}  {detail}")
    print(f"{len(tests)} tests in {args.suite}")
    for engine, counter in counts.items():
        print(
            f"{engine:10} pass {counter['pass']:3}  refused {counter['refused']:3}  "
            f"WRONG {counter['WRONG']:3}"
        )
    return 1 if counts["CoreEngine"]["WRONG"] else 0


if __name__ == "__main__":
    sys.exit(main())
