"""Graph -> validation report: the SHACL shapes of ``shapes/`` and the SPARQL checks of ``queries/checks/``.

This module runs a validation; the compiled engine (``nmdkg.validate.engine``), the SPARQL checks
(``nmdkg.validate.checks``) and the results and their formats (``nmdkg.validate.report``) have modules of
their own.

One function, :func:`validate_graph`, validates a graph and returns a :class:`ValidationResult`: whether the
graph conforms (no result of severity ``sh:Violation``; warnings are allowed), every result (focus node and
its label, path, value, constraint component, severity, message, source shape or check) and the SHACL
validation report as an RDF graph.

The shapes are written against the ontology's class hierarchy (``sh:class nmdkg:Treatment`` accepts a
``nmdkg:DrugClass``), so a graph that does not contain the ontology is validated together with it. Each
``queries/checks/*-violation.rq`` query must return no rows; each row it returns is a result of the check,
with ``?focus``, and optionally ``?path`` and ``?value``; its ``# message:`` header lines are templates
filled from the row's variables (the first whose variables are all bound is used).

Two SHACL engines give the same results (``tests/test_shapes.py`` holds them to it on the conformance
suite and the real graph):

* ``pyshacl``: pySHACL, the reference SHACL engine. Complete, but it takes half a minute on the default
  build (250,000 triples) and minutes at full-HPO scale;
* ``fast``: :class:`CoreEngine`, a compiler of the SHACL Core subset the shapes use into lookups on
  per-predicate indexes: a few seconds on the default build. It refuses shapes that use anything
  outside that subset (:class:`UnsupportedShapes`), so it can never skip a constraint silently.

``auto`` (the default) takes pySHACL up to :data:`AUTO_LIMIT` triples and the fast engine above. The
SPARQL checks always run on Oxigraph; rdflib's SPARQL engine, which needs minutes for some checks from
ten thousand triples on, is the reference the test suite compares Oxigraph's rows with (:func:`run_checks`).
See ``docs/decisions/0002-validation.md`` for the measurements.

>>> from rdflib import Graph
>>> data = Graph().parse(format="turtle", data='''
... @prefix nmdkg: <https://w3id.org/nmdkg/ontology/> .
... <http://purl.obolibrary.org/obo/NCBITaxon_64320> a nmdkg:Pathogen ;
...     <http://purl.org/dc/terms/identifier> "NCBITaxon:64320" .
... ''')
>>> result = validate_graph(data)
>>> result.conforms
False
>>> [(r.source_name, r.path_text) for r in result.results]
[('nmdkgsh:Entity-label-count', 'rdfs:label')]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import OWL, RDF, SH
from rdflib.term import Node

from nmdkg.core.errors import EXIT_DATA, InputError, NmdkgError
from nmdkg.core.gcpause import paused
from nmdkg.core.namespaces import ONTOLOGY_IRI
from nmdkg.core.ntriples import NTriple
from nmdkg.core.paths import SHAPES_DIR
from nmdkg.core.rdf_read import read_rdf
from nmdkg.validate.checks import Check, check_results, load_checks
from nmdkg.validate.data import Labels, RawResult, TermTable, english
from nmdkg.validate.engine import CoreEngine
from nmdkg.validate.report import Result, ValidationResult, curie, local_name, path_text, report_graph, shape_name

ENGINES = ("auto", "pyshacl", "fast")


INFERENCE = ("none", "rdfs")


#: Up to this many triples, ``engine="auto"`` runs pySHACL; above, the fast engine.
AUTO_LIMIT = 20_000


class NonConformingGraph(NmdkgError):
    """The graph has violations: the command exits 1 (the report itself is printed separately)."""

    exit_code = EXIT_DATA


def load_shapes(paths: Iterable[Path | str] | None = None) -> Graph:
    """The shapes graph: every ``*.ttl`` of ``shapes/`` (or the given files)."""
    files = sorted(SHAPES_DIR.glob("*.ttl")) if paths is None else [Path(p) for p in paths]
    if not files:
        raise InputError(f"no shapes (*.ttl) found in {SHAPES_DIR}")
    return read_rdf(files)


@lru_cache(maxsize=1)
def default_shapes() -> Graph:
    """The project's shapes, parsed once per process (do not modify the returned graph)."""
    return load_shapes()


@paused()
def validate_graph(graph: Graph | Sequence[NTriple], *, shapes: Graph | None = None, inference: str = "none",
                   engine: str = "auto", checks: Sequence[Check] | None = None,
                   ntriples: bytes | None = None) -> ValidationResult:
    """Validate ``graph`` (with the ontology, when it lacks it) against the shapes and the SPARQL checks.

    ``graph`` is an rdflib graph, or the canonical N-Triples of ``nmdkg.build.graph.build_canonical`` (what
    ``nmdkg build`` validates, without the cost of an rdflib graph). ``inference`` is ``none`` (the
    default: what the graph asserts) or ``rdfs`` (pySHACL only; RDFS domains and ranges then *infer* the
    very types that ``sh:class`` constraints check, and hide their violations). ``engine`` is ``auto``,
    ``pyshacl`` or ``fast`` (see the module docstring). ``ntriples``, when given with canonical triples, is
    their N-Triples text (``nmdkg.core.ntriples.lines``), already made: the checks load it into Oxigraph.
    """
    if inference not in INFERENCE:
        raise InputError(f"unknown inference {inference!r}; choose one of: {', '.join(INFERENCE)}")
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}; choose one of: {', '.join(ENGINES)}")
    shapes = default_shapes() if shapes is None else shapes
    checks = load_checks() if checks is None else list(checks)
    data: Graph | TermTable = with_ontology(graph) if isinstance(graph, Graph) else canonical_data(graph, ntriples)
    chosen = engine
    if engine == "auto":
        chosen = "pyshacl" if inference != "none" or len(data) <= AUTO_LIMIT else "fast"
    if chosen == "fast" and inference != "none":
        raise InputError("the fast engine validates what the graph asserts (inference none); "
                         "use the pyshacl engine for rdfs inference")
    # The SPARQL checks run on Oxigraph, which releases the GIL while it loads and queries: in a thread
    # they overlap with the SHACL engine (half the wall time of validation at full-HPO scale).
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="nmdkg-checks") as pool:
        checked = pool.submit(check_results, data, checks, "oxigraph")
        if chosen == "pyshacl":
            raw = _run_pyshacl(data.graph() if isinstance(data, TermTable) else data, shapes, inference)
        else:
            raw = CoreEngine.compile(shapes).validate(data)
        raw += checked.result()
    labels = Labels(data)
    results = sorted({_result(r, shapes, labels) for r in raw}, key=_sort_key)
    conforms = not any(r.severity == SH.Violation for r in results)
    return ValidationResult(conforms, results, report_graph(conforms, results, shapes), chosen, len(data))


def with_ontology(graph: Graph) -> Graph:
    """``graph`` itself when it declares the nmdkg ontology, else a copy with the ontology added."""
    if (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in graph:
        return graph
    merged = Graph(bind_namespaces="none")
    merged += graph
    merged += _ontology()
    return merged


@lru_cache(maxsize=1)
def _ontology() -> Graph:
    """The project's ontology (parsed once; merged into graphs by copying, never modified)."""
    from nmdkg import __version__
    from nmdkg.build.graph import load_ontology

    return load_ontology(__version__)


def canonical_data(triples: Sequence[NTriple], document: bytes | None = None) -> TermTable:
    """Canonical N-Triples (and their text, if made) as a term table, with the ontology added when they
    lack it."""
    from nmdkg.core.ntriples import canonical, ordered

    declared = (f"<{ONTOLOGY_IRI}>", f"<{RDF.type}>", f"<{OWL.Ontology}>")
    if declared not in triples:  # a linear scan in C: cheaper than a set of millions of triples
        triples, document = ordered([*triples, *canonical(_ontology())]), None
    return TermTable(list(triples), document)


def _result(raw: RawResult[Node], shapes: Graph, labels: Labels) -> Result:
    if raw.check is not None:
        path = raw.path
        source_name = f"check {raw.check}"
    else:
        path = shapes.value(raw.shape, SH.path)
        source_name = shape_name(shapes, raw.shape)
    message = raw.message or f"fails {local_name(raw.component)}"
    return Result(raw.focus, labels(raw.focus), path, path_text(shapes, path), raw.value, raw.component,
                  raw.severity, message, raw.shape, source_name)


def _sort_key(r: Result) -> tuple:
    return (r.severity != SH.Violation, r.source_name, curie(r.focus), r.path_text or "",
            "" if r.value is None else r.value.n3(), str(r.component), r.message)


def _run_pyshacl(data: Graph, shapes: Graph, inference: str) -> list[RawResult[Node]]:
    import pyshacl

    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference=inference, abort_on_first=False,
                                    allow_warnings=True, meta_shacl=False, advanced=False, js=False,
                                    debug=False)
    raws: list[RawResult[Node]] = []
    # Only the top-level results: pySHACL also nests the failures behind sh:node as sh:detail results.
    for node in report.objects(predicate=SH.result):
        raws.append(RawResult(report.value(node, SH.focusNode), report.value(node, SH.sourceShape),
                         report.value(node, SH.value), report.value(node, SH.sourceConstraintComponent),
                         report.value(node, SH.resultSeverity), english(report, node, SH.resultMessage)))
    return raws


__all__ = ["AUTO_LIMIT", "ENGINES", "INFERENCE", "NonConformingGraph", "default_shapes", "load_shapes",
           "validate_graph", "with_ontology"]
