"""Exports: round trips between formats, byte-identical output across runs, prefixes, atomic writes."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from nmdkg.core.io import StagedFiles, atomic_writer, sha256_of
from nmdkg.export.rdf import FORMATS, serialize, used_prefixes, write_exports


def assert_isomorphic(expected: Graph, actual: Graph) -> None:
    if isomorphic(expected, actual):
        return
    _, only_expected, only_actual = graph_diff(to_isomorphic(expected), to_isomorphic(actual))
    pytest.fail(f"graphs differ:\nonly in expected:\n{only_expected.serialize(format='nt')[:2000]}\n"
                f"only in actual:\n{only_actual.serialize(format='nt')[:2000]}")


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_round_trip_is_isomorphic(graph, fmt):
    parsed = Graph().parse(data=serialize(graph, fmt), format=FORMATS[fmt].rdflib_name)
    assert len(parsed) == len(graph) > 1000
    assert_isomorphic(graph, parsed)


def test_awkward_literals_survive_every_format():
    """Quotes, backslashes, newlines, non-ASCII, typed and language-tagged literals round-trip."""
    from rdflib import Literal, URIRef
    from rdflib.namespace import RDFS, XSD

    g = Graph()
    node = URIRef("https://w3id.org/nmdkg/resource/x")
    for value in ['say "hi"', "back\\slash", "two\nlines\r", "Guillain-Barré — ü", "tab\there"]:
        g.add((node, RDFS.comment, Literal(value, lang="en")))
        g.add((node, RDFS.label, Literal(value)))
    g.add((node, URIRef("https://w3id.org/biolink/vocab/has_count"), Literal(3)))
    g.add((node, URIRef("https://w3id.org/biolink/vocab/has_percentage"), Literal("12.5", datatype=XSD.decimal)))
    g.add((node, URIRef("https://w3id.org/biolink/vocab/negated"), Literal(True)))
    for fmt in sorted(FORMATS):
        parsed = Graph().parse(data=serialize(g, fmt), format=FORMATS[fmt].rdflib_name)
        assert_isomorphic(g, parsed)


def test_turtle_to_jsonld_to_ntriples_chain(graph):
    turtle = Graph().parse(data=serialize(graph, "turtle"), format="turtle")
    jsonld = Graph().parse(data=serialize(turtle, "json-ld"), format="json-ld")
    ntriples = Graph().parse(data=serialize(jsonld, "nt"), format="nt")
    assert_isomorphic(graph, ntriples)


def test_jsonld_context_has_exactly_the_prefixes_used(graph):
    document = json.loads(serialize(graph, "json-ld"))
    context = document["@context"]
    assert set(context) == set(used_prefixes(graph))
    assert {"MONDO", "HP", "HGNC", "CHEBI", "MAXO", "NCBITaxon", "PMID", "nmdkg", "NMDKG"} <= set(context)
    assert context["MONDO"] == {"@id": "http://purl.obolibrary.org/obo/MONDO_", "@prefix": True}
    ids = {node["@id"] for node in document["@graph"]}
    assert "MONDO:0009688" in ids


def test_turtle_declares_only_used_prefixes(graph):
    text = serialize(graph, "turtle").decode()
    declared = {line.split()[1].rstrip(":") for line in text.splitlines() if line.startswith("@prefix")}
    body = "\n".join(line for line in text.splitlines() if not line.startswith("@prefix"))
    assert declared <= set(used_prefixes(graph))
    assert {"MONDO", "HP", "nmdkg", "NMDKG", "biolink"} <= declared
    for prefix in declared:
        assert f"{prefix}:" in body, f"@prefix {prefix} is declared but not used"


def test_ntriples_are_sorted(graph):
    lines = serialize(graph, "nt").decode().splitlines()
    assert lines == sorted(lines)


def test_build_output_is_byte_identical_across_processes(default_build, tmp_path):
    """A build in a fresh interpreter with another hash seed writes the bytes of the session's build (made in
    this process, with this interpreter's seed)."""
    out = tmp_path / "fresh"
    env = {**os.environ, "PYTHONHASHSEED": "2"}
    subprocess.run([sys.executable, "-m", "nmdkg.cli", "build", "--out", str(out)], check=True, env=env,
                   capture_output=True)  # the default build (scope nmd), as users run it
    release = {"nmdkg.ttl", "nmdkg.jsonld", "nmdkg.nt", "nmdkg.sssom.tsv", "void.ttl"}
    outputs = []
    for folder in (default_build, out):
        files = {p.name for p in folder.glob("*.*")}
        # manifest.json is this machine's cache key (it records file modification times), not a release file
        assert files == release | {"manifest.json"}
        outputs.append({name: (folder / name).read_bytes() for name in sorted(release)})
    assert outputs[0] == outputs[1]


def test_write_exports_writes_each_format(graph, tmp_path):
    paths = write_exports(graph, tmp_path, ("turtle", "xml"))
    assert [p.name for p in paths] == ["nmdkg.ttl", "nmdkg.rdf"]
    assert all(p.stat().st_size > 10_000 for p in paths)


def test_atomic_writer_leaves_nothing_on_failure(tmp_path: Path):
    target = tmp_path / "out.ttl"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_writer(target) as handle:
        handle.write(b"half")
        raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert list(tmp_path.iterdir()) == [target]


def test_a_large_file_is_hashed_once_and_a_rewrite_hashed_again(tmp_path: Path):
    """sha256_of keeps the digest of a large file by its identity: a rename (a staged file committed into
    place) keeps it, a rewrite of the same size replaces it."""
    first = os.urandom(1 << 20)
    staged = tmp_path / "staged.nt"
    staged.write_bytes(first)
    assert sha256_of(staged) == hashlib.sha256(first).hexdigest()
    target = tmp_path / "nmdkg.nt"
    staged.rename(target)
    assert sha256_of(target) == hashlib.sha256(first).hexdigest()
    second = os.urandom(1 << 20)
    with atomic_writer(target) as handle:
        handle.write(second)
    assert sha256_of(target) == hashlib.sha256(second).hexdigest()


def test_staged_files_appear_together_or_not_at_all(tmp_path: Path):
    old = tmp_path / "a.nt"
    old.write_text("old")
    with StagedFiles() as staged:
        staged.write(old, b"new")
        staged.write(tmp_path / "deep" / "er" / "b.tsv", b"b")
        assert old.read_text() == "old" and not (tmp_path / "deep" / "er" / "b.tsv").exists()
        assert staged.commit() == [old, tmp_path / "deep" / "er" / "b.tsv"]
    assert old.read_text() == "new" and (tmp_path / "deep" / "er" / "b.tsv").read_text() == "b"
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]

    with pytest.raises(RuntimeError), StagedFiles() as staged:
        staged.write(old, b"newer")
        staged.write(tmp_path / "made" / "for" / "it.ttl", b"x")
        raise RuntimeError("validation failed")
    assert old.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.nt", "deep"]  # the folders it made are gone


def test_staged_exports_equal_serialize_all(graph, tmp_path: Path):
    from nmdkg.core.ntriples import canonical
    from nmdkg.export.rdf import StagedExports, serialize_all

    triples = canonical(graph)
    with StagedFiles() as staged:
        exports = StagedExports(triples, tmp_path, staged, ("turtle", "json-ld", "nt", "xml"))
        try:
            written = exports.finish()
        finally:
            exports.stop()
        staged.commit()
    expected = serialize_all(triples, ("turtle", "json-ld", "nt", "xml"))
    assert [p.name for p in written] == ["nmdkg.ttl", "nmdkg.jsonld", "nmdkg.nt", "nmdkg.rdf"]
    assert {p.suffix: p.read_bytes() for p in written} == {
        ".ttl": expected["turtle"], ".jsonld": expected["json-ld"], ".nt": expected["nt"], ".rdf": expected["xml"]}


def test_staged_exports_stopped_leave_nothing(graph, tmp_path: Path):
    from nmdkg.core.ntriples import canonical
    from nmdkg.export.rdf import StagedExports

    with pytest.raises(RuntimeError), StagedFiles() as staged:
        exports = StagedExports(canonical(graph), tmp_path / "out", staged)
        try:
            raise RuntimeError("the graph does not conform")
        finally:
            exports.stop()
    assert not (tmp_path / "out").exists()
    assert all(not child.is_alive() for _, child in exports.children) and not exports.children
