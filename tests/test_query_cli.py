"""``nmdkg query``: the library, the result formats, parameters, ad hoc queries, and the errors users make."""

from __future__ import annotations

import csv
import io
import json
import shlex

import pytest
from rdflib import Graph

from nmdkg.export.rdf import serialize
from nmdkg.query.library import load_library

LIBRARY = load_library()
EXAMPLES = [example for query in LIBRARY.values() for example in query.examples]


@pytest.fixture(scope="session")
def graph_file(graph, tmp_path_factory):
    """The graph of the curated tables as N-Triples, for ``--data`` (so that no test waits for a build)."""
    path = tmp_path_factory.mktemp("data") / "nmdkg.nt"
    path.write_bytes(serialize(graph, "nt"))
    return path


def query(run, graph_file, *args: str):
    return run("query", *args, "--data", str(graph_file))


def test_list_shows_the_library(run):
    result = run("query", "--list")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(LIBRARY) >= 25
    for line, (name, named) in zip(lines, LIBRARY.items(), strict=True):
        assert line.startswith(name) and named.title in line


def test_help_lists_the_query_command(run):
    assert "query" in run("--help").stdout
    result = run("query", "--help")
    assert result.exit_code == 0 and "--param" in result.stdout and "--sparql" in result.stdout


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_header_example_runs(run, graph_file, example):
    args = shlex.split(example)
    assert args[:2] == ["nmdkg", "query"]
    result = run(*args[1:], "--data", str(graph_file))
    assert result.exit_code == 0, result.stderr
    assert result.stdout


def test_table_for_people(run, graph_file):
    result = query(run, graph_file, "01-disorders-by-cause-kind")
    assert result.exit_code == 0, result.stderr
    assert "MONDO:0009688" in result.stdout and "myasthenia gravis" in result.stdout
    assert result.stdout.rstrip().endswith("(2 rows)")


def test_json_is_sparql_results_json(run, graph_file):
    result = query(run, graph_file, "01", "--format", "json")
    document = json.loads(result.stdout)
    assert document["head"]["vars"][:2] == ["kind", "disorder"]
    mg = [b for b in document["results"]["bindings"] if b["disorder"]["value"].endswith("MONDO_0009688")]
    label = {"type": "literal", "value": "myasthenia gravis", "xml:lang": "en"}
    assert mg and mg[0]["disorderLabel"] == label
    assert mg[0]["disorder"]["type"] == "uri"


def test_csv_and_tsv_are_the_sparql_formats(run, graph_file):
    result = query(run, graph_file, "07", "--format", "csv")
    assert result.stdout.startswith("min,phenotype,phenotypeLabel,disorders\r\n")
    table = list(csv.reader(io.StringIO(result.stdout)))
    assert ["2", "http://purl.obolibrary.org/obo/HP_0001324", "Muscle weakness", "2"] in table
    result = query(run, graph_file, "07", "--format", "tsv")
    lines = result.stdout.splitlines()
    assert lines[0] == "?min\t?phenotype\t?phenotypeLabel\t?disorders"
    assert '2\t<http://purl.obolibrary.org/obo/HP_0001324>\t"Muscle weakness"@en\t2' in lines


def test_ask_answers(run, graph_file):
    assert query(run, graph_file, "27").stdout == "no\n"
    as_json = query(run, graph_file, "27", "--format", "json").stdout
    assert json.loads(as_json) == {"head": {}, "boolean": False}
    as_tsv = query(run, graph_file, "27", "--param", "disorder=MONDO:0009688", "--format", "tsv").stdout
    assert as_tsv == "true\n"


def test_construct_writes_turtle(run, graph_file):
    result = query(run, graph_file, "28-disorder-card")
    assert result.exit_code == 0, result.stderr
    card = Graph().parse(data=result.stdout, format="turtle")
    assert len(card) == len(LIBRARY["28-disorder-card"].run(_store(graph_file)).graph) > 10
    assert query(run, graph_file, "28", "--format", "turtle").exit_code == 0


def _store(graph_file):
    from nmdkg.store import Store

    return Store.from_files([graph_file])


def test_engines_give_the_same_output(run, graph_file):
    for args in (("08", "--format", "tsv"), ("14", "--format", "json"), ("28",)):
        by_default = query(run, graph_file, *args)
        by_rdflib = query(run, graph_file, *args, "--engine", "rdflib")
        assert by_default.exit_code == by_rdflib.exit_code == 0
        if args[0] == "28":
            assert set(Graph().parse(data=by_default.stdout)) == set(Graph().parse(data=by_rdflib.stdout))
        else:
            assert by_default.stdout == by_rdflib.stdout


def test_parameters_by_curie_and_iri(run, graph_file):
    by_curie = query(run, graph_file, "05", "--param", "disorder=MONDO:0019056", "--format", "csv")
    by_iri = query(run, graph_file, "05", "-p", "disorder=<http://purl.obolibrary.org/obo/MONDO_0019056>",
                   "--format", "csv")
    assert by_curie.exit_code == 0 and by_curie.stdout == by_iri.stdout
    assert "Degeneration of anterior horn cells" in by_curie.stdout  # a finding of SMA, a subtype


def test_ad_hoc_sparql_with_default_prefixes_and_inferred_parameters(run, graph_file):
    result = query(run, graph_file, "--sparql", "SELECT ?d ?p WHERE { ?d nmdkg:hasPhenotype ?p }",
                   "--param", "d=MONDO:0009688", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1:] == ["http://purl.obolibrary.org/obo/MONDO_0009688,"
                                              "http://purl.obolibrary.org/obo/HP_0001324"]


def test_a_query_file(run, graph_file, tmp_path):
    path = tmp_path / "mine.rq"
    path.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?d a nmdkg:MotorNeuronDisease }\n")
    result = query(run, graph_file, str(path), "--format", "tsv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "?n\n2\n"


def test_show_prints_the_query(run):
    result = run("query", "05", "--show")
    assert result.exit_code == 0
    text = LIBRARY["05-symptoms-of-a-disorder"].text
    assert result.stdout.startswith(text.split("WHERE {")[0])  # the header and the query as written ...
    assert "WHERE { VALUES (?disorder) { (<http://purl.obolibrary.org/obo/MONDO_0009688>) }" in result.stdout


@pytest.mark.parametrize("args", [("05", "--param", "disorder=MONDO:0019056"), ("06",),
                                  ("13", "-p", "subject=OMIM:254200", "-p", "object=HP:0000508"), ("28",)])
def test_show_prints_exactly_what_the_endpoint_is_sent(run, monkeypatch, args):
    """``--show`` is the text ``--endpoint`` sends, parameters bound (issue 19)."""
    from nmdkg.query import remote

    sent = []

    def capture(self, text, accept):
        sent.append(text)
        raise remote.RemoteError("captured")

    monkeypatch.setattr(remote.Endpoint, "send", capture)
    shown = run("query", *args, "--show")
    run("query", *args, "--endpoint", "http://127.0.0.1:9/sparql")
    assert shown.exit_code == 0 and sent == [shown.stdout]


def test_out_writes_a_file(run, graph_file, tmp_path):
    target = tmp_path / "results" / "autoimmune.json"
    result = query(run, graph_file, "01", "--format", "json", "--out", str(target))
    assert result.exit_code == 0 and result.stdout == ""
    assert json.loads(target.read_text())["head"]["vars"][0] == "kind"


def test_data_folder_means_its_nmdkg_nt(run, graph_file):
    result = run("query", "27", "--data", str(graph_file.parent))
    assert result.exit_code == 0 and result.stdout == "no\n"


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_default_graph_is_built_from_the_curated_tables(run, graph, monkeypatch, engine):
    import nmdkg.build.graph
    from nmdkg.core.ntriples import canonical

    # The build itself is tested elsewhere; here the article part stands in for it, to save time.
    monkeypatch.setattr(nmdkg.build.graph, "build_graph", lambda *args, **kwargs: graph)
    monkeypatch.setattr(nmdkg.build.graph, "build_canonical", lambda *args, **kwargs: canonical(graph))
    result = run("query", "12-emotional-impacts-and-coping", "--format", "csv", "--engine", engine)
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.splitlines()) == 8
    assert "building the graph" in result.stderr


ERRORS = {
    "unknown query": (("no-such-query",), 2, "no query named 'no-such-query'"),
    "close name": (("05-symptom-of-a-disorder",), 2, "did you mean 05-symptoms-of-a-disorder"),
    "no query": ((), 2, "give a query NAME or FILE, or --sparql TEXT"),
    "name and sparql": (("05", "--sparql", "ASK {}"), 2, "not both"),
    "bad format": (("05", "--format", "xml"), 2, "unknown or unsuitable format 'xml'"),
    "csv for a construct": (("28", "--format", "csv"), 2, "written as turtle, json-ld or nt"),
    "wrong type": (("07", "--param", "min=two"), 2, "parameter 'min' (integer): 'two' is not an integer"),
    "not an iri": (("05", "--param", "disorder=myasthenia gravis"), 2, "is not an IRI"),
    "injection": (("05", "--param", "disorder=MONDO:0009688> } ; DROP ALL ; { <x"), 2, "is not an IRI"),
    "unknown parameter": (("05", "--param", "disease=MONDO:0009688"), 2, "unknown parameter 'disease'"),
    "no equals sign": (("05", "--param", "MONDO:0009688"), 2, "expected NAME=VALUE"),
    "an update": (("--sparql", "DELETE WHERE { ?s ?p ?o }"), 2, "updates are refused"),
    "a load": (("--sparql", "LOAD <http://example.org/x.ttl>"), 2, "updates are refused"),
    "a service": (("--sparql", "SELECT * WHERE { SERVICE <http://example.org/q> { ?s ?p ?o } }"), 2,
                  "SERVICE is refused"),
    "syntax error": (("--sparql", "SELECT ?s WHERE { ?s ?p }"), 2, "does not parse"),
    "missing file": (("query-that-is-not-there.rq",), 2, "query file not found"),
    "unknown engine": (("05", "--engine", "virtuoso"), 2, "virtuoso"),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_errors_are_messages_and_exit_codes(run, graph_file, case):
    args, code, message = ERRORS[case]
    result = query(run, graph_file, *args)
    assert result.exit_code == code, result.stdout
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_unreadable_data_is_a_usage_error(run, tmp_path):
    (tmp_path / "broken.ttl").write_text("<a> <b> .\n")
    for data, message in ((tmp_path / "broken.ttl", "not valid Turtle"),
                          (tmp_path / "none.nt", "RDF file not found"),
                          (tmp_path, "no nmdkg.nt in this folder")):
        result = run("query", "05", "--data", str(data))
        assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_hostile_string_parameter_is_only_data(run, graph_file):
    before = graph_file.read_bytes()
    for value in ('"} ; DROP ALL ; {"', "x\" ) } INSERT DATA { <a:b> <a:c> <a:d> } #", "\n"):
        result = query(run, graph_file, "30-find-by-name", "--param", f"text={value}", "--format", "json")
        assert result.exit_code == 0, result.stderr
        assert json.loads(result.stdout)["results"]["bindings"] == []
    assert graph_file.read_bytes() == before


@pytest.mark.parametrize("fmt,parser", [("json-ld", "json-ld"), ("nt", "nt")])
def test_construct_results_as_json_ld_or_n_triples(run, graph_file, fmt, parser):
    """Issue 19: a CONSTRUCT answer in JSON-LD or N-Triples is the graph its Turtle answer holds."""
    from rdflib import Graph
    from rdflib.compare import isomorphic

    turtle = query(run, graph_file, "28", "--param", "disorder=MONDO:0009688")
    other = query(run, graph_file, "28", "--param", "disorder=MONDO:0009688", "--format", fmt)
    assert turtle.exit_code == 0 and other.exit_code == 0, other.stderr
    expected = Graph().parse(data=turtle.stdout, format="turtle")
    assert len(expected) > 5
    assert isomorphic(Graph().parse(data=other.stdout, format=parser), expected)
    refused = query(run, graph_file, "28", "--format", "csv")
    assert refused.exit_code == 2 and "json-ld or nt" in refused.stderr
