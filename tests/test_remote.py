"""The SPARQL 1.1 Protocol client (``nmdkg.query.remote``) against a real HTTP server started by the test on
127.0.0.1, answering from a pyoxigraph store with Oxigraph's own result writers (``tests/local_http.py``)."""

from __future__ import annotations

import pyoxigraph
import pytest
from rdflib import Literal

from nmdkg.build.graph import build_canonical
from nmdkg.core.ntriples import lines
from nmdkg.query.library import load_library
from nmdkg.query.remote import MAX_GET_URL, Credentials, Endpoint, RemoteError, check_url
from nmdkg.store import Store
from tests.local_http import SparqlHandler, serving

LIBRARY = load_library()
GRAPH = "https://w3id.org/nmdkg/graph/test"


@pytest.fixture(scope="module")
def article_nt() -> bytes:
    return lines(build_canonical(scope="article"))


@pytest.fixture(scope="module")
def embedded(article_nt) -> Store:
    return Store.from_ntriples(article_nt)


@pytest.fixture
def server(article_nt):
    """The article graph in the named graph GRAPH; the default graph holds one unrelated triple."""
    store = pyoxigraph.Store()
    store.load(article_nt, format=pyoxigraph.RdfFormat.N_TRIPLES, to_graph=pyoxigraph.NamedNode(GRAPH))
    store.add(pyoxigraph.Quad(pyoxigraph.NamedNode("urn:x:s"), pyoxigraph.NamedNode("urn:x:p"),
                              pyoxigraph.Literal("only in the default graph"), pyoxigraph.DefaultGraph()))
    with serving(SparqlHandler, store=store) as running:
        yield running


def _answers(result):
    if result.type == "ASK":
        return result.askAnswer
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        return set(result.graph)
    return sorted(tuple(str(term) if term is not None else None for term in row) for row in result)


@pytest.mark.parametrize("name", list(LIBRARY))
def test_every_library_query_answers_as_the_embedded_store(server, embedded, name):
    query = LIBRARY[name]
    remote = Endpoint(server.url + "/query", default_graph=GRAPH)
    assert _answers(remote.query(query.text, query.bindings())) == _answers(
        embedded.query(query.text, query.bindings()))


def test_a_short_query_is_a_get_with_the_protocols_parameters(server):
    result = Endpoint(server.url + "/query", default_graph=GRAPH).query(
        "SELECT ?d WHERE { ?d a nmdkg:MotorNeuronDisease }")
    assert len(result.bindings) >= 1
    [seen] = server.requests
    assert seen.method == "GET"
    assert seen.params["default-graph-uri"] == [GRAPH]
    assert seen.headers["accept"] == "application/sparql-results+json"
    assert seen.headers["user-agent"].startswith("nmdkg/")
    assert "PREFIX nmdkg:" in seen.params["query"][0]  # the default prefixes are declared for the server


def test_a_long_query_is_a_form_encoded_post_never_sparql_query_body(server):
    padding = "# " + "x" * MAX_GET_URL + "\n"
    result = Endpoint(server.url + "/query", default_graph=GRAPH).query(
        padding + "ASK { ?d a nmdkg:MotorNeuronDisease }")
    assert result.askAnswer is True
    [seen] = server.requests
    assert seen.method == "POST"
    assert seen.headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert seen.params["default-graph-uri"] == [GRAPH]


def test_without_a_graph_the_servers_default_graph_is_queried(server):
    result = Endpoint(server.url + "/query").query("SELECT ?o WHERE { ?s ?p ?o }")
    assert [str(row[0]) for row in result] == ["only in the default graph"]
    assert "default-graph-uri" not in server.requests[0].params


def test_values_are_bound_never_pasted(server):
    hostile = Literal('x" } ; DROP ALL ; SELECT * { "')
    result = Endpoint(server.url + "/query", default_graph=GRAPH).query(
        "SELECT ?label WHERE { ?d rdfs:label ?label }", {"label": hostile})
    assert result.bindings == []
    sent = server.requests[0].params["query"][0]
    assert 'VALUES (?label) { ("x\\" } ; DROP ALL ; SELECT * { \\"") }' in sent


def test_updates_and_service_are_refused_before_anything_is_sent(server):
    from nmdkg.core.errors import InputError

    remote = Endpoint(server.url + "/query")
    for text in ("DROP ALL", "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
                 "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"):
        with pytest.raises(InputError):
            remote.query(text)
    assert server.requests == []


def test_a_construct_answer_is_an_rdflib_graph(server, embedded):
    text = "CONSTRUCT { ?d a nmdkg:MotorNeuronDisease } WHERE { ?d a nmdkg:MotorNeuronDisease }"
    remote = Endpoint(server.url + "/query", default_graph=GRAPH).query(text)
    assert set(remote.graph) == set(embedded.query(text).graph) != set()
    assert server.requests[0].headers["accept"].startswith("text/turtle")


@pytest.mark.parametrize("status, body, media_type, expected", [
    (400, b"<html><body><h1>Bad query</h1><p>line 1</p></body></html>", "text/html",
     r"HTTP 400 Bad Request: Bad query line 1$"),
    (401, b"who are you", "text/plain", r"HTTP 401 .*wrong or missing credentials"),
    (500, b"x" * 5000, "text/plain", r"HTTP 500 .*x…$"),
    (200, b"<html>not json</html>", "text/html", r"not SPARQL JSON results"),
])
def test_server_errors_are_one_short_line(server, status, body, media_type, expected):
    server.state["fail"] = (status, body, media_type)
    with pytest.raises(RemoteError, match=expected) as caught:
        Endpoint(server.url + "/query").query("SELECT * WHERE { ?s ?p ?o }")
    assert "\n" not in str(caught.value) and "<" not in str(caught.value) and len(str(caught.value)) < 500


def test_no_answer_within_the_timeout(server):
    server.state["delay"] = 3
    with pytest.raises(RemoteError, match=r"no answer within 0.5 s"):
        Endpoint(server.url + "/query", timeout=0.5).query("ASK { ?s ?p ?o }")


def test_an_endpoint_that_nobody_listens_on():
    from tests.integration.conftest import free_port

    with pytest.raises(RemoteError, match=r"cannot reach http://127.0.0.1:\d+/query: .*refused"):
        Endpoint(f"http://127.0.0.1:{free_port()}/query").query("ASK { ?s ?p ?o }")


def test_urls_with_credentials_or_other_schemes_are_refused_and_redacted():
    from nmdkg.core.errors import InputError

    with pytest.raises(InputError) as caught:
        check_url("http://dba:s3cret@127.0.0.1:8890/sparql")
    assert "s3cret" not in str(caught.value) and "***@" in str(caught.value)
    with pytest.raises(InputError, match="not an http"):
        check_url("ftp://127.0.0.1/sparql")
    assert "s3cret" not in repr(Credentials("dba", "s3cret"))


def test_the_command_line_gives_the_same_table_as_the_embedded_store(server, run, article_nt, tmp_path):
    local = tmp_path / "article.nt"
    local.write_bytes(article_nt)
    by_endpoint = run("query", "08", "--format", "tsv", "--endpoint", server.url + "/query", "--graph", GRAPH)
    by_file = run("query", "08", "--format", "tsv", "--data", str(local))
    assert by_endpoint.exit_code == by_file.exit_code == 0
    assert by_endpoint.stdout == by_file.stdout and by_file.stdout.count("\n") > 1
    refused = run("query", "08", "--endpoint", server.url + "/query", "--data", str(local))
    assert refused.exit_code == 2 and "exclude each other" in refused.stderr


def test_json_terms_as_the_embedded_store_gives_them():
    from rdflib import BNode, URIRef
    from rdflib.namespace import XSD

    from nmdkg.query.remote import result_from_json

    payload = b"""{"head": {"vars": ["a", "b", "c", "d", "e"]}, "results": {"bindings": [
        {"a": {"type": "literal", "value": "x", "datatype": "http://www.w3.org/2001/XMLSchema#string"},
         "b": {"type": "typed-literal", "value": "5", "datatype": "http://www.w3.org/2001/XMLSchema#integer"},
         "c": {"type": "literal", "value": "y", "xml:lang": "en"},
         "d": {"type": "bnode", "value": "n1"}, "e": {"type": "uri", "value": "urn:x:e"}}]}}"""
    [row] = result_from_json(payload, "SELECT")
    assert tuple(row) == (Literal("x"), Literal("5", datatype=XSD.integer), Literal("y", lang="en"), BNode("n1"),
                          URIRef("urn:x:e"))
    assert row[0].datatype is None  # plain, as rdflib parses a plain literal
    with pytest.raises(RemoteError, match="answered with a boolean"):
        result_from_json(b'{"head": {}, "boolean": true}', "SELECT")
    with pytest.raises(RemoteError, match="not SPARQL JSON results"):
        result_from_json(b'{"head": {"vars": ["a"]}, "results": {"bindings": [{"a": {"type": "triple"}}]}}',
                         "SELECT")
