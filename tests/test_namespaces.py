"""The merged prefix map and its cache: the same map whether merged now or read back."""

from __future__ import annotations

import json

import pytest

from nmdkg.core import namespaces


@pytest.fixture(scope="module")
def merged_now():
    """The map merged from the sources, once for the module (a merge takes seconds)."""
    return namespaces._merge_records()


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    """An empty cache folder, and the module's memoised maps forgotten (restored afterwards)."""
    monkeypatch.setenv("NMDKG_CACHE_DIR", str(tmp_path))
    cached = (namespaces.prefix_records, namespaces._expansions, namespaces._contractions, namespaces.converter)
    for function in cached:
        function.cache_clear()
    yield tmp_path
    for function in cached:
        function.cache_clear()


def test_the_cache_holds_the_merged_map(fresh, merged_now):
    merged = namespaces.prefix_records()
    files = list(fresh.glob("prefix-map-*.json"))
    assert len(files) == 1
    assert json.loads(files[0].read_text()) == [list(record) for record in merged]
    namespaces.prefix_records.cache_clear()
    assert namespaces.prefix_records() == merged == merged_now
    assert str(namespaces.expand("ORPHA:589")) == "http://www.orpha.net/ORDO/Orphanet_589"
    assert namespaces.compress("http://www.orpha.net/ORDO/Orphanet_589") == "ORPHA:589"


def test_a_damaged_cache_is_merged_again(fresh):
    merged = namespaces.prefix_records()
    (path,) = fresh.glob("prefix-map-*.json")
    path.write_text('[["broken"')
    namespaces.prefix_records.cache_clear()
    assert namespaces.prefix_records() == merged
    assert json.loads(path.read_text()) == [list(record) for record in merged]


def test_an_unwritable_cache_is_ignored(monkeypatch, fresh, merged_now):
    blocker = fresh / "file"
    blocker.write_text("")
    monkeypatch.setenv("NMDKG_CACHE_DIR", str(blocker / "below-a-file"))
    assert namespaces.prefix_records() == merged_now


def test_the_converter_agrees_with_the_fast_maps():
    converter = namespaces.converter()
    for curie in ("MONDO:0009688", "HP:0001324", "ORPHA:589", "Orphanet:589", "NCBIGene:1756", "nmdkg:Disorder"):
        assert converter.expand(curie) == str(namespaces.expand(curie))
    iri = "http://purl.obolibrary.org/obo/MONDO_0009688"
    assert converter.compress(iri) == namespaces.compress(iri)


def test_the_first_merge_says_so_and_a_cached_map_is_silent(fresh, capsys):
    capsys.readouterr()
    namespaces.prefix_records()
    assert "merging the prefix maps" in capsys.readouterr().err
    namespaces.prefix_records.cache_clear()
    namespaces.prefix_records()
    assert capsys.readouterr().err == ""
