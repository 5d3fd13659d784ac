"""``nmdkg validate`` and the validation step of ``nmdkg build``: exit codes and messages for each input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import SH

CASES = Path(__file__).parent / "resources" / "shacl"
BASE = str(CASES / "_base.ttl")


def test_validate_builds_and_validates_by_default(run):
    result = run("validate", "--scope", "article")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout.startswith("The graph conforms: 0 violations, 1 warning")
    assert "Warning: nmdkgsh:DisorderFindings" in result.stdout


def test_validate_files_that_conform(run):
    result = run("validate", BASE, str(CASES / "valid-entities.ttl"))
    assert result.exit_code == 0, result.stdout
    assert "The graph conforms: 0 violations, 0 warnings" in result.stdout


def test_violations_exit_1_with_a_report_grouped_by_shape(run):
    result = run("validate", BASE, str(CASES / "symptom-not-phenotype.ttl"))
    assert result.exit_code == 1
    out = result.stdout
    assert out.startswith("The graph does not conform: 2 violations")
    # per result: label and CURIE of the focus node, path, value, message
    assert "Violation: nmdkgsh:Disorder-hasPhenotype-class (1 result)" in out
    assert '- "disorder with a gene as symptom" MONDO:0000122' in out
    assert "path nmdkg:hasPhenotype; value HGNC:11117" in out
    assert "is a phenotype (nmdkg:Phenotype, an HPO term)" in out
    # an anonymous property shape is named by its parent shape and path
    assert "Violation: nmdkgsh:DisorderPhenotypeAssociation[biolink:object] (1 result)" in out


def test_check_rows_name_the_check(run):
    result = run("validate", BASE, str(CASES / "unsourced-fact.ttl"))
    assert result.exit_code == 1
    assert "Violation: check unsourced-fact (1 result)" in result.stdout
    assert "MONDO:0000162 nmdkg:hasPhenotype HP:0003750 has no association" in result.stdout


def test_json_format_is_a_list_of_results(run):
    result = run("validate", BASE, str(CASES / "count-exceeds-total.ttl"), "--format", "json")
    assert result.exit_code == 1
    records = json.loads(result.stdout)
    assert [(r["focus_curie"], r["path"], r["component"], r["severity"]) for r in records] == [
        ("NMDKG:association-bad-count", "biolink:has_count", "sh:LessThanOrEqualsConstraintComponent", "Violation")]
    assert records[0]["focus"] == "https://w3id.org/nmdkg/resource/association-bad-count"
    assert records[0]["value"] == '"5"^^<http://www.w3.org/2001/XMLSchema#integer>'
    assert records[0]["message"]


def test_report_file_is_the_shacl_report_in_turtle(run, tmp_path):
    target = tmp_path / "reports" / "report.ttl"
    result = run("validate", BASE, str(CASES / "label-plain.ttl"), "--report", str(target))
    assert result.exit_code == 1
    report = Graph().parse(target, format="turtle")
    root = next(report.subjects(predicate=SH.conforms))
    assert not report.value(root, SH.conforms).toPython()
    components = {report.value(r, SH.sourceConstraintComponent) for r in report.objects(root, SH.result)}
    assert components == {SH.DatatypeConstraintComponent, SH.LanguageInConstraintComponent}
    assert [p.name for p in target.parent.iterdir()] == ["report.ttl"]  # atomic: no temporary file left


def test_engines_agree_on_the_command_line(run):
    outputs = {}
    for engine in ("pyshacl", "fast"):
        result = run("validate", BASE, str(CASES / "duplicate-label.ttl"), "--engine", engine, "--format", "json")
        assert result.exit_code == 1
        outputs[engine] = json.loads(result.stdout)
    assert outputs["pyshacl"] == outputs["fast"]


def test_formats_by_extension(run, tmp_path):
    graph = Graph().parse(BASE, format="turtle")
    for suffix, fmt in ((".nt", "nt"), (".jsonld", "json-ld"), (".rdf", "xml")):
        path = tmp_path / f"base{suffix}"
        path.write_bytes(graph.serialize(format=fmt, encoding="utf-8"))
        result = run("validate", str(path))
        assert result.exit_code == 0, (suffix, result.stdout, result.stderr)


BAD_SYNTAX = {
    "turtle": ("bad.ttl", '@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:d ex:e "open .\n', 3),
    "unbound prefix": ("bad.ttl", "@prefix ex: <http://example.org/> .\n\nex:a nope:b ex:c .\n", 3),
    "n-triples": ("bad.nt", ("<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n"
                             "<http://example.org/a> <http://example.org/b> oops .\n"), 2),
    "json-ld": ("bad.jsonld", '{\n  "@id": "http://example.org/a",\n  "http://example.org/b": [1,\n}\n', 4),
    "rdf/xml": ("bad.rdf", ('<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
                            '<rdf:Description rdf:about="http://example.org/a">\n</rdf:RDF>\n'), 4),
}


@pytest.mark.parametrize("kind", sorted(BAD_SYNTAX))
def test_syntax_error_names_file_and_line_and_exits_2(run, tmp_path, kind):
    name, text, line = BAD_SYNTAX[kind]
    path = tmp_path / name
    path.write_text(text)
    result = run("validate", str(path))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"nmdkg: error: {path}:{line}: not valid ")
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("args,message", [
    (("missing.ttl",), "missing.ttl: RDF file not found"),
    (("data.csv",), "unknown RDF file suffix '.csv'"),
    (("--scope", "article", "x.ttl"), "--scope builds the graph from curated tables"),
    (("--format", "csv"), "Invalid value for '--format'"),
    (("--engine", "fast", "--inference", "rdfs", BASE), "the fast engine validates what the graph asserts"),
])
def test_usage_errors_and_unreadable_input_exit_2(run, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data.csv").write_text("a,b\n")
    result = run("validate", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_build_stops_before_writing_when_the_graph_does_not_conform(run, curated_copy, tmp_path):
    """Drop the correction of the article's claim that multiple sclerosis is neuromuscular."""
    path = curated_copy / "corrections.tsv"
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(line for line in lines if not line.startswith("multiple-sclerosis-is-cns\t")))
    out = tmp_path / "out"
    result = run("build", "--scope", "article", "--data", str(curated_copy), "--out", str(out))
    assert result.exit_code == 1
    assert "[3/4] validating" in result.stderr
    assert "Violation: check cns-classed-neuromuscular (1 result)" in result.stderr
    assert "Violation: nmdkgsh:CentralNervousSystemDisorder (1 result)" in result.stderr
    assert result.stderr.rstrip().endswith("nothing was written")
    assert "[4/4]" not in result.stderr
    assert not out.exists()


def test_help_lists_validate(run):
    result = run("--help")
    assert "validate" in result.stdout
