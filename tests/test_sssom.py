"""SSSOM export: read back by sssom-pydantic (an SSSOM reader we did not write), one row per mapping triple of
the graph, every identifier expanding to the graph's own IRI."""

from __future__ import annotations

import pytest
import sssom_pydantic

from nmdkg.export import sssom as sssom_export

SKOS = "http://www.w3.org/2004/02/skos/core#"


@pytest.fixture(scope="module")
def triples(nmd_triples):
    return nmd_triples


@pytest.fixture(scope="module")
def exported(default_build):
    """The mapping set that ``nmdkg build`` writes beside the graph (the session's default build)."""
    return default_build / "nmdkg.sssom.tsv"


def test_export_writes_a_readable_mapping_set(run, tmp_path):
    """``nmdkg export --format sssom`` writes the same kind of file (the article scope, to be quick)."""
    result = run("export", "--format", "sssom", "--scope", "article", "--out", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    pack = sssom_pydantic.read(tmp_path / "nmdkg.sssom.tsv")
    assert {"MONDO", "UMLS"} <= {m.subject.prefix for m in pack.mappings} | {m.object.prefix for m in pack.mappings}


def test_the_sssom_reader_reads_every_mapping_of_the_graph(triples, exported):
    pack = sssom_pydantic.read(exported)
    expected = {(s[1:-1], p[1:-1], o[1:-1]) for s, p, o in triples
                if p.startswith(f"<{SKOS}") and p.endswith("Match>") and o.startswith("<")}
    assert len(expected) > 50
    converter = pack.converter
    read = {(converter.expand(m.subject.curie), converter.expand(m.predicate.curie),
             converter.expand(m.object.curie)) for m in pack.mappings}
    assert read == expected
    assert len(pack.mappings) == len(expected)
    assert {m.justification.curie for m in pack.mappings} == {sssom_export.JUSTIFICATION}


def test_the_mapping_set_names_itself_its_version_and_licence(exported):
    from nmdkg import __version__

    metadata = sssom_pydantic.read(exported).mapping_set
    assert str(metadata.id).endswith(f"/{__version__}/nmdkg.sssom.tsv")
    assert metadata.version == __version__
    assert str(metadata.license) == sssom_export.LICENSE


def test_the_article_sources_are_there(exported):
    """The issue's list: MONDO, OMIM, Orphanet and UMLS identifiers, and the curated counterparts."""
    pack = sssom_pydantic.read(exported)
    prefixes = {m.object.prefix for m in pack.mappings} | {m.subject.prefix for m in pack.mappings}
    assert {"MONDO", "OMIM", "ORPHA", "UMLS"} <= prefixes
    assert any(m.predicate.curie == "skos:narrowMatch" for m in pack.mappings)


def test_same_graph_same_bytes(triples):
    assert sssom_export.document(triples, "x") == sssom_export.document(list(reversed(triples)), "x")
