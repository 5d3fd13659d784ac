"""The fast SHACL engine (``CoreEngine``) feature by feature, against pySHACL, and what it refuses.

``tests/resources/shacl_core/`` holds one case per SHACL Core feature the engine implements (see its
README); each is validated by both engines, which must agree on (focus node, path, constraint component,
severity). Every other feature must be refused with :class:`UnsupportedShapes` naming the shape and the
feature. The W3C suite itself is run by ``scripts/shacl_w3c_suite.py`` (counts in decision 0002).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD

from nmdkg.validate.data import TermTable
from nmdkg.validate.engine import COMPONENTS, TARGETS, CoreEngine, UnsupportedShapes, keep_lexical_forms
from nmdkg.validate.report import path_text
from nmdkg.validate.shapes import default_shapes, validate_graph

pytestmark = pytest.mark.filterwarnings("ignore:Parsing weird boolean:UserWarning")

CASES_DIR = Path(__file__).parent / "resources" / "shacl_core"
CASES = sorted(CASES_DIR.glob("*.ttl"))
EX = "http://example.org/ns#"


def parse(text: str | None = None, path: Path | None = None) -> Graph:
    with keep_lexical_forms():
        return Graph().parse(path, format="turtle") if path else Graph().parse(data=text, format="turtle")


def core_keys(graph: Graph, shapes: Graph | None = None) -> set[tuple]:
    shapes = graph if shapes is None else shapes
    return {
        (r.focus.n3(), path_text(shapes, shapes.value(r.shape, SH.path)), r.component, r.severity)
        for r in CoreEngine.compile(shapes).validate(graph)
    }


def pyshacl_keys(graph: Graph, shapes: Graph | None = None) -> set[tuple]:
    import pyshacl

    shapes = graph if shapes is None else shapes
    _, report, _ = pyshacl.validate(
        graph, shacl_graph=shapes, inference="none", allow_warnings=True, meta_shacl=False, advanced=False
    )
    root = next(report.subjects(RDF.type, SH.ValidationReport))
    return {
        (
            report.value(r, SH.focusNode).n3(),
            path_text(report, report.value(r, SH.resultPath)),
            report.value(r, SH.sourceConstraintComponent),
            report.value(r, SH.resultSeverity),
        )
        for r in report.objects(root, SH.result)
    }


def test_every_feature_has_a_case():
    assert len(CASES) >= 20, CASES


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_feature_case_agrees_with_pyshacl(case):
    graph = parse(path=case)
    core = core_keys(graph)
    assert core == pyshacl_keys(graph)
    named = {str(n)[len(EX) :] for n in graph.all_nodes() if isinstance(n, URIRef) and str(n).startswith(EX)}
    bad = {n for n in named if re.fullmatch(r"bad\d+", n)}
    ok = {n for n in named if re.fullmatch(r"ok\d+", n)}
    failing = {focus[len(EX) + 1 : -1] for focus, *_ in core if focus.startswith(f"<{EX}")}
    assert bad and ok, "a case needs conforming and violating focus nodes"
    assert bad <= failing, f"not reported: {sorted(bad - failing)}"
    assert not ok & failing, f"reported though conforming: {sorted(ok & failing)}"


def test_cases_cover_every_target_and_component():
    used = set()
    for case in CASES:
        used |= set(parse(path=case).predicates())
    assert set(TARGETS) <= used
    assert set(COMPONENTS) <= used
    assert {
        SH.inversePath,
        SH.alternativePath,
        SH.zeroOrMorePath,
        SH.oneOrMorePath,
        SH.zeroOrOnePath,
        SH.severity,
        SH.deactivated,
        SH.flags,
    } <= used


def test_the_projects_shapes_use_only_supported_components():
    shapes = default_shapes()
    parameters = {p for p in shapes.predicates() if str(p).startswith(str(SH))}
    structural = {
        SH.path,
        SH.flags,
        SH.message,
        SH.severity,
        SH.name,
        SH.description,
        SH.order,
        SH.group,
        SH.deactivated,
        SH.inversePath,
        SH.alternativePath,
        SH.zeroOrMorePath,
        SH.oneOrMorePath,
        SH.zeroOrOnePath,
    }
    assert parameters - structural <= set(COMPONENTS) | set(TARGETS)
    assert CoreEngine.compile(shapes).roots


def test_a_date_against_date_time_limits_fails_both():
    """SPARQL cannot compare an xsd:date with an xsd:dateTime, so both limits fail, as pyrudof reports
    (pySHACL reports only the lower one)."""
    graph = parse(f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <{EX}> . @prefix xsd: <{XSD}> .
        ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ex:when ;
            sh:minInclusive "2020-01-01T00:00:00Z"^^xsd:dateTime ;
            sh:maxExclusive "2021-01-01T00:00:00Z"^^xsd:dateTime ] .
        ex:a ex:when "2020-06-01"^^xsd:date .""")
    assert {key[2] for key in core_keys(graph)} == {
        SH.MinInclusiveConstraintComponent,
        SH.MaxExclusiveConstraintComponent,
    }


# -- literals are read as written ------------------------------------------------------------------------

BOOLEAN_SHAPES = """
    @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/ns#> .
    @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
    ex:S a sh:NodeShape ; sh:targetClass ex:T ;
        sh:property [ sh:path ex:negated ; sh:datatype xsd:boolean ] ."""


@pytest.mark.parametrize(
    "lexical, fails", [("yes", True), ("true", False), ("0", False), ("TRUE", True), (" true", True)]
)
def test_an_ill_typed_boolean_fails_on_canonical_ntriples(lexical, fails):
    shapes = parse(BOOLEAN_SHAPES)
    triples = [
        (f"<{EX}a>", f"<{RDF.type}>", f"<{EX}T>"),
        (f"<{EX}a>", f"<{EX}negated>", f'"{lexical}"^^<{XSD.boolean}>'),
    ]
    raws = CoreEngine.compile(shapes).validate(TermTable(triples))
    assert bool(raws) is fails
    if fails:  # the report shows the value as written
        assert str(raws[0].value) == lexical


def test_an_ill_typed_literal_fails_even_when_rdflib_normalised_it():
    data = Graph().parse(
        format="turtle",
        data=f"""
        @prefix ex: <{EX}> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        ex:a a ex:T ; ex:negated "yes"^^xsd:boolean .""",
    )  # rdflib reads "false"^^xsd:boolean, ill-typed
    assert [r.component for r in CoreEngine.compile(parse(BOOLEAN_SHAPES)).validate(data)] == [
        SH.DatatypeConstraintComponent
    ]


def test_the_build_refuses_an_ill_typed_negation(graph):
    """``biolink:negated "yes"^^xsd:boolean`` on an association of the real graph is a violation."""
    negated = URIRef("https://w3id.org/biolink/vocab/negated")
    subject = next(iter(sorted(graph.subjects(URIRef("https://w3id.org/biolink/vocab/subject"), None))))
    broken = Graph(bind_namespaces="none")
    broken += graph
    broken.add((subject, negated, Literal("yes", datatype=XSD.boolean, normalize=False)))
    result = validate_graph(broken, engine="fast", checks=[])
    assert [(r.focus, r.component) for r in result.violations] == [(subject, SH.DatatypeConstraintComponent)]


# -- refusals -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "extra, feature",
    [
        ("sh:closed true", "sh:closed"),
        ("sh:xone ( [ sh:class ex:A ] [ sh:class ex:B ] )", "sh:xone"),
        ("sh:property [ sh:path ex:p ; sh:uniqueLang true ]", "sh:uniqueLang"),
        ("sh:property [ sh:path ex:p ; sh:equals ex:q ]", "sh:equals"),
        ("sh:property [ sh:path ex:p ; sh:disjoint ex:q ]", "sh:disjoint"),
        ("sh:property [ sh:path ex:p ; sh:lessThan ex:q ]", "sh:lessThan"),
        (
            "sh:property [ sh:path ex:p ; sh:qualifiedValueShape [ sh:class ex:C ] ; "
            "sh:qualifiedMinCount 1 ]",
            "sh:qualifiedMinCount",
        ),
        ('sh:sparql [ sh:select "SELECT $this WHERE { }" ]', "sh:sparql"),
        ("sh:target [ a ex:SPARQLTarget ]", "sh:target"),
        ("ex:custom 1", "<http://example.org/ns#custom>"),
        ("sh:node ex:S", "recursive"),
        ("sh:severity ex:Mine", "severity"),
        ("sh:minCount 1", "without sh:path"),
        (
            "sh:property [ sh:path [ sh:inversePath ( ex:p ex:q ) ] ; sh:minCount 1 ]",
            "inverts a complex path",
        ),
        (
            "sh:property [ sh:path [ sh:inversePath ex:p ; sh:zeroOrMorePath ex:q ] ; sh:minCount 1 ]",
            "2 kinds",
        ),
        ("sh:property [ sh:path ex:p ; sh:datatype xsd:duration ]", "xsd:duration"),
        ("sh:property [ sh:path ex:p ; sh:datatype rdfs:Literal ]", "rdfs:Literal"),
        ("sh:property [ sh:path ex:p ; sh:minInclusive ex:iri ]", "cannot compare"),
        ('sh:property [ sh:path ex:p ; sh:pattern "a" ; sh:flags "q" ]', "flags"),
        ('sh:property [ sh:path ex:p ; sh:pattern "(" ]', "regular expression"),
        ("sh:property [ sh:path ex:p ; sh:minCount -1 ]", "non-negative integer"),
        ("sh:property [ sh:path ex:p ; sh:in ex:notAList ]", "RDF list"),
        ("sh:property [ sh:minCount 1 ]", "no sh:path"),
        ("sh:nodeKind ex:Thing", "node kind"),
    ],
)
def test_unsupported_features_are_refused_naming_shape_and_feature(extra, feature):
    shapes = parse(f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/ns#> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; {extra} .""")
    with pytest.raises(UnsupportedShapes) as caught:
        CoreEngine.compile(shapes)
    message = str(caught.value)
    assert feature in message
    assert "ex:S" in message or "example.org/ns#S" in message or "anonymous" in message or "[" in message
    assert "not implement" in message


def test_a_shape_without_target_is_refused_too():
    """An unsupported feature is refused even in a shape that nothing targets (yet)."""
    shapes = parse("""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/ns#> .
        ex:Loose a sh:NodeShape ; sh:closed true .""")
    with pytest.raises(UnsupportedShapes, match="sh:closed"):
        CoreEngine.compile(shapes)


def test_validate_graph_reports_the_refusal_as_input_error():
    shapes = parse("""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/ns#> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:closed true .""")
    with pytest.raises(UnsupportedShapes) as caught:
        validate_graph(Graph(), shapes=shapes, engine="fast", checks=[])
    assert caught.value.exit_code == 2


# -- the W3C suite runner, on a manifest of its own ----------------------------------------------------

RUNNER_TEST = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/ns#> .
@prefix mf: <http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#> .
@prefix sht: <http://www.w3.org/ns/shacl-test#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:S a sh:NodeShape ; sh:targetNode ex:a ; {constraint} .
ex:a ex:p 1 .
<> a mf:Manifest ; mf:entries ( <t> ) .
<t> a sht:Validate ; mf:action [ sht:dataGraph <> ; sht:shapesGraph <> ] ;
    mf:result [ a sh:ValidationReport ; sh:conforms {conforms} {result} ] .
"""
RESULT = ("; sh:result [ sh:focusNode ex:a ; sh:resultSeverity sh:Violation ; sh:resultPath ex:p ; "
          "sh:value 1 ; sh:sourceConstraintComponent sh:DatatypeConstraintComponent ; sh:sourceShape _:p ]")


def test_the_w3c_runner_tells_pass_refused_and_wrong(tmp_path, capsys):
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "shacl_w3c_suite", Path(__file__).parent.parent / "scripts" / "shacl_w3c_suite.py")
    runner = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(runner)
    cases = {  # name: (constraint, expected conforms, expected result)
        "pass": ("sh:property _:p . _:p sh:path ex:p ; sh:datatype xsd:string", "false", RESULT),
        "refused": ("sh:closed true", "true", ""),
        "wrong": ("sh:property [ sh:path ex:p ; sh:datatype xsd:integer ]", "false", RESULT),
    }
    lines = []
    for name, (constraint, conforms, result) in cases.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "manifest.ttl").write_text(
            RUNNER_TEST.format(constraint=constraint, conforms=conforms, result=result))
        lines.append(f"<{name}/manifest.ttl>")
    (tmp_path / "manifest.ttl").write_text(
        "@prefix mf: <http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#> .\n"
        f"<> a mf:Manifest ; mf:include {', '.join(lines)} .\n")
    assert runner.main([str(tmp_path), "--no-pyshacl", "-v"]) == 1
    out = capsys.readouterr().out
    assert "CoreEngine pass    pass/t" in out
    assert "CoreEngine refused refused/t" in out
    assert "CoreEngine WRONG   wrong/t" in out
    assert "pass   1  refused   1  WRONG   1" in out


def test_values_of_an_unordered_datatype_are_not_compared_with_each_other():
    """Two xsd:time values (which SPARQL 1.1 does not order) are refused, not guessed; a time against a
    number is a violation (no engine orders them)."""
    shapes = f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <{EX}> . @prefix xsd: <{XSD}> .
        ex:S a sh:NodeShape ; sh:targetNode ex:a ;
            sh:property [ sh:path ex:start ; sh:lessThanOrEquals ex:end ] .
        ex:a ex:start "10:00:00"^^xsd:time ; ex:end """
    with pytest.raises(UnsupportedShapes, match=r"SPARQL 1\.1 leaves undefined"):
        core_keys(parse(shapes + '"11:00:00"^^xsd:time .'))
    assert {k[2] for k in core_keys(parse(shapes + "11 ."))} == {SH.LessThanOrEqualsConstraintComponent}
