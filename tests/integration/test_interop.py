"""Outside clients against ``nmdkg serve``: CORS on request only, the dataset description served as a named
graph, and the library bound the usual way (a top-level ``VALUES`` block) through SPARQLWrapper and
rdflib's SPARQLStore."""

from __future__ import annotations

import time
import urllib.parse
import urllib.request

import pytest
from rdflib import Graph, Literal

from nmdkg.export import void
from nmdkg.publish.serve import DESCRIPTION_GRAPH
from tests.integration.conftest import start_serve, stop_group

NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def headers(url: str, origin: str = "http://example.org") -> dict[str, str]:
    request = urllib.request.Request(url + "?query=ASK%7B%7D", headers={"Origin": origin})
    with NO_PROXY.open(request, timeout=10) as response:
        response.read()
        return {key.lower(): value for key, value in response.headers.items()}


@pytest.fixture(scope="module")
def served_with_cors(article_build, tmp_path_factory):
    running = start_serve(article_build, tmp_path_factory.mktemp("cors") / "store", "--cors")
    try:
        yield running
    finally:
        stop_group(running.process)


def test_cors_only_when_asked(served, served_with_cors):
    assert "access-control-allow-origin" not in headers(served.endpoint)
    assert headers(served_with_cors.endpoint)["access-control-allow-origin"] == "*"
    # start_serve returns once the URLs are printed; the --cors line follows them (read by another thread)
    deadline = time.monotonic() + 30
    while not any("--cors" in line for line in served_with_cors.output) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert any("--cors" in line for line in served_with_cors.output), served_with_cors.output


def test_the_dataset_description_is_served_beside_the_graph(served, default_build):
    from nmdkg import __version__

    url = served.page + "store?graph=" + urllib.parse.quote(DESCRIPTION_GRAPH, safe="")
    request = urllib.request.Request(url, headers={"Accept": "text/turtle"})
    with NO_PROXY.open(request, timeout=30) as response:
        description = Graph().parse(data=response.read(), format="turtle")
    triples = sum(1 for _ in (default_build / "nmdkg.nt").open("rb"))
    assert description.value(void.release_iri(__version__), void.VOID.triples) == Literal(triples)


def test_virtuoso_gives_the_embedded_rows_for_a_top_level_values_block(virtuoso, default_build):
    """Each library file bound by one VALUES block at the top (no nmdkg rewriting) gives the embedded
    store's rows on Virtuoso 7, in the same order when it has ORDER BY (issue 19). Where that text is the
    one ``nmdkg query`` sends (every case but those whose subquery projects a parameter), the request is the
    one test_virtuoso.py::test_library_gives_the_embedded_answers makes: it is sent there, not twice."""
    import os

    from nmdkg.cli import main
    from nmdkg.core.bind import with_values
    from nmdkg.query.remote import Endpoint
    from nmdkg.store import Store
    from tests.integration.cases import CASES, LIBRARY, answer, booleans_as_integers
    from tests.integration.conftest import GRAPH, VIRTUOSO_PASSWORD, VIRTUOSO_USER
    from tests.test_portable_queries import top_level_only

    assert len(CASES) > 30
    differ = [(name, params) for name, params in CASES
              if top_level_only(LIBRARY[name].text, LIBRARY[name].bindings(params))
              != with_values(LIBRARY[name].text, LIBRARY[name].bindings(params))]
    assert differ, "no case binds differently: the test of test_virtuoso.py covers them all"
    os.environ["NMDKG_TEST_VIRTUOSO_PASSWORD"] = VIRTUOSO_PASSWORD
    assert main(["push", "--endpoint", virtuoso.crud, "--graph", GRAPH, "--data", str(default_build),
                 "--user", VIRTUOSO_USER, "--password-env", "NMDKG_TEST_VIRTUOSO_PASSWORD"]) == 0
    remote = Endpoint(virtuoso.sparql, default_graph=GRAPH)
    embedded = Store.from_files([default_build / "nmdkg.nt"])
    wrong = []
    for name, params in differ:
        query = LIBRARY[name]
        expected = answer(query.run(embedded, params), ordered=query.ordered, normalise=booleans_as_integers)
        got = answer(remote.query(top_level_only(query.text, query.bindings(params))), ordered=query.ordered)
        if got != expected:
            wrong.append((name, params))
    assert not wrong


def test_a_query_cancelled_by_the_server_is_reported_as_a_timeout(run, default_build, tmp_path):
    running = start_serve(default_build, tmp_path / "store", "--timeout", "1")
    try:
        result = run("query", "--sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . "
                     "FILTER (STR(?c) = STR(?f)) }", "--endpoint", running.endpoint)
    finally:
        stop_group(running.process)
    assert result.exit_code != 0
    assert "timeout" in result.stderr and "Traceback" not in result.stderr
