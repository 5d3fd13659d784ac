"""Outside clients against ``nmdkg serve``: CORS on request only, the dataset description served as a named
graph, and the library bound the usual way (a top-level ``VALUES`` block) through SPARQLWrapper and
rdflib's SPARQLStore."""

from __future__ import annotations

import urllib.parse
import urllib.request

import pytest
from rdflib import Graph, Literal

from nmdkg import void
from nmdkg.serve import DESCRIPTION_GRAPH
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
    assert any("--cors" in line for line in served_with_cors.output)


def test_the_dataset_description_is_served_beside_the_graph(served, default_build):
    from nmdkg import __version__

    url = served.page + "store?graph=" + urllib.parse.quote(DESCRIPTION_GRAPH, safe="")
    request = urllib.request.Request(url, headers={"Accept": "text/turtle"})
    with NO_PROXY.open(request, timeout=30) as response:
        description = Graph().parse(data=response.read(), format="turtle")
    triples = sum(1 for _ in (default_build / "nmdkg.nt").open("rb"))
    assert description.value(void.release_iri(__version__), void.VOID.triples) == Literal(triples)
