"""Showing validation results: the result records, names and paths in CURIEs, the SHACL report graph,
and the report as text (grouped by shape, for people) and JSON (for programs)."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

from nmdkg.core.namespaces import compress, prefix_of

SHAPES_NS = "https://w3id.org/nmdkg/shapes/"


_LOCAL_CURIES = {SHAPES_NS: "nmdkgsh", str(SH): "sh"}


@dataclass(frozen=True)
class Result:
    """One validation result: a focus node that fails one constraint of a shape, or one row of a check."""

    focus: Node
    focus_label: str | None
    path: Node | None
    path_text: str | None
    value: Node | None
    component: URIRef
    severity: URIRef
    message: str
    source: Node
    source_name: str

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready record; IRIs in full, with CURIEs beside them for reading."""
        return {
            "severity": local_name(self.severity),
            "source": self.source_name,
            "component": curie(self.component),
            "focus": str(self.focus),
            "focus_curie": curie(self.focus),
            "focus_label": self.focus_label,
            "path": self.path_text,
            "value": None if self.value is None else self.value.n3(),
            "message": self.message,
        }


@dataclass
class ValidationResult:
    """The outcome of :func:`validate_graph`."""

    conforms: bool
    results: list[Result]
    report: Graph
    engine: str
    triples: int

    @property
    def violations(self) -> list[Result]:
        return [r for r in self.results if r.severity == SH.Violation]

    @property
    def warnings(self) -> list[Result]:
        return [r for r in self.results if r.severity != SH.Violation]


def curie(iri: Node) -> str:
    """The CURIE of an IRI where a prefix covers it (ours, the shapes', SHACL's), else ``<iri>``."""
    text = str(iri)
    for namespace, prefix in _LOCAL_CURIES.items():
        if text.startswith(namespace):
            return f"{prefix}:{text[len(namespace):]}"
    if isinstance(iri, URIRef):
        found = compress(text)
        return found if found else f"<{text}>"
    return iri.n3() if isinstance(iri, BNode | Literal) else text


def show(term: Node) -> str:
    """A term for people: a CURIE for an IRI, a literal in Turtle syntax with a CURIE datatype."""
    if isinstance(term, Literal):
        body = json.dumps(str(term), ensure_ascii=False)
        if term.language:
            return f"{body}@{term.language}"
        if term.datatype and term.datatype != XSD.string:
            return f"{body}^^{curie(term.datatype)}"
        return body
    return curie(term)


def local_name(iri: Node) -> str:
    return re.split(r"[#/]", str(iri))[-1]


def path_text(shapes: Graph, path: Node | None) -> str | None:
    """A SHACL path in SPARQL property-path syntax with CURIEs (``skos:exactMatch|skos:closeMatch``)."""
    if path is None:
        return None
    if isinstance(path, URIRef):
        return curie(path)
    inverse = shapes.value(path, SH.inversePath)
    if inverse is not None:
        return f"^{path_text(shapes, inverse)}"
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        return "|".join(path_text(shapes, p) or "" for p in shapes.items(alternatives))
    for predicate, mark in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = shapes.value(path, predicate)
        if inner is not None:
            return f"({path_text(shapes, inner)}){mark}"
    steps = list(shapes.items(path))
    return "/".join(path_text(shapes, s) or "" for s in steps) if steps else path.n3()


def shape_name(shapes: Graph, shape: Node) -> str:
    """A shape's CURIE; a blank-node property shape is named by its parent and path:
    ``nmdkgsh:Gene[skos:exactMatch]``."""
    if isinstance(shape, URIRef):
        return curie(shape)
    parent = shapes.value(predicate=SH.property, object=shape)
    path = path_text(shapes, shapes.value(shape, SH.path))
    if parent is not None and path:
        return f"{shape_name(shapes, parent)}[{path}]"
    return f"anonymous shape{f' on {path}' if path else ''}"


def report_graph(conforms: bool, results: Sequence[Result], shapes: Graph) -> Graph:
    """The SHACL validation report (``sh:ValidationReport``) of ``results``."""
    report = Graph(bind_namespaces="none")
    root = BNode("report")
    report.add((root, RDF.type, SH.ValidationReport))
    report.add((root, SH.conforms, Literal(conforms)))
    for number, r in enumerate(results, start=1):
        node = BNode(f"result{number}")
        report.add((root, SH.result, node))
        report.add((node, RDF.type, SH.ValidationResult))
        report.add((node, SH.focusNode, r.focus))
        if r.path is not None:
            report.add((node, SH.resultPath, r.path))
            if isinstance(r.path, BNode):  # a complex path: copy its structure from the shapes
                _copy_description(shapes, r.path, report)
        if r.value is not None:
            report.add((node, SH.value, r.value))
        report.add((node, SH.sourceConstraintComponent, r.component))
        report.add((node, SH.sourceShape, r.source))
        if isinstance(r.source, BNode):  # an anonymous shape: say what it is
            _copy_description(shapes, r.source, report)
        report.add((node, SH.resultSeverity, r.severity))
        report.add((node, SH.resultMessage, Literal(r.message, lang="en")))
    prefixes = {"sh": str(SH), "nmdkgsh": SHAPES_NS}
    for term in {t for triple in report for t in triple if isinstance(t, URIRef)}:
        found = prefix_of(term)
        if found:
            prefixes.setdefault(*found)
    for prefix, namespace in sorted(prefixes.items()):
        report.bind(prefix, namespace, override=True, replace=True)
    return report


def _copy_description(source: Graph, node: Node, target: Graph) -> None:
    for p, o in source.predicate_objects(node):
        target.add((node, p, o))
        if isinstance(o, BNode):
            _copy_description(source, o, target)


def format_text(result: ValidationResult, *, limit: int | None = 50) -> str:
    """The report for people: a summary line, then the results grouped by shape (or check).

    Per result: the focus node's label and CURIE, the path, the value and the message. At most ``limit``
    results are shown per shape (None: all); ``--format json`` and ``--report`` always hold them all.
    """
    violations, warnings = len(result.violations), len(result.warnings)
    verdict = "conforms" if result.conforms else "does not conform"
    summary = (f"The graph {verdict}: {_count(violations, 'violation')}, {_count(warnings, 'warning')} "
               f"({result.triples:,} triples; engine {result.engine}).")
    lines = [summary]
    groups: dict[tuple[URIRef, str], list[Result]] = defaultdict(list)
    for r in result.results:
        groups[(r.severity, r.source_name)].append(r)
    for (severity, name), members in groups.items():
        lines.append("")
        lines.append(f"{local_name(severity)}: {name} ({_count(len(members), 'result')})")
        for r in members[: limit if limit is not None else len(members)]:
            label = f'"{r.focus_label}" ' if r.focus_label else ""
            lines.append(f"  - {label}{curie(r.focus)}")
            where = [f"path {r.path_text}"] if r.path_text else []
            if r.value is not None and r.value != r.focus:
                where.append(f"value {show(r.value)}")
            if where:
                lines.append(f"      {'; '.join(where)}")
            lines.append(f"      {r.message}")
        if limit is not None and len(members) > limit:
            lines.append(f"  ... and {len(members) - limit} more (--format json or --report lists every result)")
    return "\n".join(lines) + "\n"


def format_json(result: ValidationResult) -> str:
    """The results as a JSON list of records (see :meth:`Result.as_dict`)."""
    return json.dumps([r.as_dict() for r in result.results], indent=2, ensure_ascii=False) + "\n"


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"
