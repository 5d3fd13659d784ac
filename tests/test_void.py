"""The dataset description (VoID / HCLS) each build writes: counts equal to what a second engine counts in the
written graph, checksums equal to the files', sources with versions, licences and checksums."""

from __future__ import annotations

import hashlib
import json

import pyoxigraph
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS

from nmdkg.core.errors import InputError
from nmdkg.export import void

VOID, PAV, SPDX = void.VOID, void.PAV, void.SPDX


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from nmdkg.cli import main

    out = tmp_path_factory.mktemp("build")
    assert main(["build", "--scope", "article", "--out", str(out)]) == 0
    return out


def count(store: pyoxigraph.Store, query: str) -> int:
    return int(next(iter(store.query(query)))[0].value)


def test_counts_are_those_a_second_engine_finds_in_the_written_graph(built):
    from nmdkg import __version__

    description = Graph().parse(built / "void.ttl", format="turtle")
    release = void.release_iri(__version__)
    store = pyoxigraph.Store()
    store.bulk_load(path=str(built / "nmdkg.nt"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    expected = {
        VOID.triples: count(store, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"),
        VOID.distinctSubjects: count(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) { ?s ?p ?o }"),
        VOID.distinctObjects: count(store, "SELECT (COUNT(DISTINCT ?o) AS ?n) { ?s ?p ?o }"),
        VOID.properties: count(store, "SELECT (COUNT(DISTINCT ?p) AS ?n) { ?s ?p ?o }"),
        VOID.classes: count(store, "SELECT (COUNT(DISTINCT ?c) AS ?n) { ?s a ?c }"),
        VOID.entities: count(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) { ?s a ?c }"),
    }
    assert expected[VOID.triples] > 1000
    for prop, value in expected.items():
        assert description.value(release, prop) == Literal(value), prop
    partitions = {description.value(part, VOID.property): description.value(part, VOID.triples).toPython()
                  for part in description.objects(release, VOID.propertyPartition)}
    assert len(partitions) == expected[VOID.properties]
    assert sum(partitions.values()) == expected[VOID.triples]


def test_every_written_file_is_a_distribution_with_its_checksum(built):
    description = Graph().parse(built / "void.ttl", format="turtle")
    # the release's files; the query store, the cache and the manifest are this machine's (nmdkg.release.manifest)
    local = ("store/", "cache/", "manifest.json")
    files = sorted(name for name in (p.relative_to(built).as_posix() for p in built.rglob("*") if p.is_file())
                   if name != "void.ttl" and not name.startswith(local))
    assert {"nmdkg.ttl", "nmdkg.jsonld", "nmdkg.nt", "nmdkg.sssom.tsv"} <= set(files)
    distributions = {str(description.value(d, DCTERMS.title)): d for d in description.subjects(None, DCAT.Distribution)}
    assert sorted(distributions) == files
    for name, node in distributions.items():
        data = (built / name).read_bytes()
        assert description.value(node, DCAT.byteSize).toPython() == len(data)
        checksum = description.value(node, SPDX.checksum)
        assert str(description.value(checksum, SPDX.checksumValue)) == hashlib.sha256(data).hexdigest()


def test_upstream_hpo_files_have_version_checksum_and_licence(nmd_triples):
    triples = nmd_triples
    description = void.describe(triples, "9.9.9", {}, manifests=[])
    sources = set(description.objects(void.release_iri("9.9.9"), DCTERMS.source))
    hpo_files = {URIRef(f"https://w3id.org/nmdkg/resource/source-{name}")
                 for name in ("hp-obo", "phenotype-hpoa", "genes-to-phenotype")}
    assert hpo_files <= sources  # beside the MONDO and MAxO slices' sources
    from nmdkg.sources.hpo_obo import load

    hpo = load()
    obo = URIRef("https://w3id.org/nmdkg/resource/source-hp-obo")
    assert str(description.value(obo, PAV.version)) == hpo.version
    assert str(description.value(description.value(obo, SPDX.checksum), SPDX.checksumValue)) == hpo.sha256
    assert all(description.value(source, DCTERMS.license) is not None for source in sources)


def test_every_vendored_manifest_is_described(tmp_path, graph):
    from nmdkg.core.ntriples import canonical

    folder = tmp_path / "upstream" / "mondo"
    folder.mkdir(parents=True)
    manifest = {"source": "monarch-initiative/mondo", "commit": "0123abc", "release_version": "2025-01-01",
                "licence": "http://creativecommons.org/licenses/by/4.0/",
                "upstream_files": {"src/ontology/mondo-edit.obo": "ab" * 32}, "files": {"mondo.tsv": "cd" * 32},
                "generated_by": "scripts/vendor_mondo.py"}
    (folder / "MANIFEST.json").write_text(json.dumps(manifest))
    found = void.read_manifests(tmp_path / "upstream")
    assert [name for name, _ in found] == ["mondo"]
    text = void.turtle(void.describe(canonical(graph), "9.9.9", {}, manifests=found)).decode()
    for value in ("2025-01-01", "0123abc", "mondo-edit.obo", "ab" * 32, "cd" * 32,
                  "creativecommons.org/licenses/by/4.0"):
        assert value in text, value


def test_the_real_manifests_are_read_whatever_exists():
    manifests = void.read_manifests()
    assert all(isinstance(m, dict) for _, m in manifests)  # none yet is fine: slices arrive one by one


def test_a_malformed_manifest_names_its_file(tmp_path):
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "MANIFEST.json").write_text("{not json")
    with pytest.raises(InputError, match=r"broken/MANIFEST\.json"):
        void.read_manifests(tmp_path)
