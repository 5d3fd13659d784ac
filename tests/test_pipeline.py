"""The build pipeline as a library (``nmdkg.release.pipeline``): the Python API writes what `nmdkg build` writes,
validated, all or nothing."""

from __future__ import annotations

import pytest
from rdflib import Graph

import nmdkg
from nmdkg.validate.shapes import NonConformingGraph

RELEASE_FILES = ["describe/edge-kinds.tsv", "describe/node-kinds.tsv", "nmdkg.jsonld", "nmdkg.nt",
                 "nmdkg.sssom.tsv", "nmdkg.ttl", "void.ttl"]


@pytest.fixture(scope="module")
def article_build(tmp_path_factory):
    """``nmdkg build --scope article`` through the library, as the command runs it (no query store: the
    files compared are those of the release)."""
    from nmdkg.release.pipeline import read_and_build, write_release

    out = tmp_path_factory.mktemp("article")
    graph, document = read_and_build(scope="article")
    write_release(graph, out, document=document)
    return out


def files(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_the_api_writes_the_files_of_the_command_byte_for_byte(graph, tmp_path, article_build):
    release = nmdkg.write_release(graph, tmp_path / "api")
    assert files(tmp_path / "api") == RELEASE_FILES
    for name in RELEASE_FILES:
        assert (tmp_path / "api" / name).read_bytes() == (article_build / name).read_bytes(), name
    assert release.triples == len(graph) and dict(release.edges)["nmdkg:hasPhenotype"] > 0


def test_the_api_writes_nothing_for_a_graph_that_does_not_conform(tmp_path):
    bad = Graph().parse(format="turtle", data="""
        @prefix nmdkg: <https://w3id.org/nmdkg/ontology/> .
        <http://purl.obolibrary.org/obo/NCBITaxon_64320> a nmdkg:Pathogen ;
            <http://purl.org/dc/terms/identifier> "NCBITaxon:64320" .
    """)  # a pathogen without a label
    shown = []
    try:
        nmdkg.write_release(bad, tmp_path / "out", show=shown.append)
    except NonConformingGraph as exc:
        assert "does not conform" in str(exc)
    else:
        raise AssertionError("a graph with a violation was written")
    assert "Entity-label-count" in "".join(shown)
    assert not (tmp_path / "out").exists() or files(tmp_path / "out") == []
