"""One table of RDF file formats: what one command writes, every reader takes, and all refuse alike."""

from pathlib import Path

import pytest

from nmdkg.analysis import network
from nmdkg.core.errors import InputError
from nmdkg.core.paths import build_file
from nmdkg.core.rdf_formats import BY_NAME, RDF_FORMATS, of_path, suffixes
from nmdkg.core.rdf_read import read_rdf
from nmdkg.export.rdf import FORMATS, serialize
from nmdkg.store import Store


def test_every_suffix_names_one_format():
    seen = [s for f in RDF_FORMATS for s in f.suffixes]
    assert len(seen) == len(set(seen))
    assert all(s.startswith(".") and s == s.lower() for s in seen)
    for fmt in RDF_FORMATS:
        assert of_path(f"x.{fmt.extension}", datasets=True) is fmt
        assert of_path(f"X.{fmt.extension.upper()}", datasets=True) is fmt  # suffixes match in any case


def test_datasets_only_where_asked():
    assert of_path("g.nq") is None and of_path("g.trig") is None
    assert of_path("g.nq", datasets=True) is BY_NAME["nquads"]
    assert ".trig" in suffixes(datasets=True) and ".trig" not in suffixes()
    assert of_path("g.csv", datasets=True) is None


@pytest.mark.parametrize("name", list(FORMATS))
def test_what_export_writes_every_reader_reads(graph, tmp_path: Path, name: str):
    fmt = FORMATS[name]
    path = tmp_path / f"graph.{fmt.extension}"
    path.write_bytes(serialize(graph, fmt))
    expected = len(graph)
    assert len(read_rdf([path])) == expected
    assert len(Store.from_files([path])) == expected
    assert len(Store.from_files([path], engine="rdflib")) == expected
    assert build_file(path) == path
    assert build_file(path, datasets=True) == path


def test_readers_refuse_an_unknown_suffix_with_one_message(tmp_path: Path):
    path = tmp_path / "graph.csv"
    path.write_text("a,b\n")
    messages = []
    for read in (lambda: read_rdf([path]), lambda: Store.from_files([path]), lambda: build_file(path),
                 lambda: network.read(path)):
        with pytest.raises(InputError) as caught:
            read()
        messages.append(str(caught.value))
    assert all(m.startswith(f"{path}: unknown RDF file suffix '.csv'; expected one of: .json, .jsonld")
               for m in messages), messages


def test_a_dataset_is_refused_where_triples_are_read(tmp_path: Path):
    path = tmp_path / "graph.nq"
    path.write_text('<http://example.org/s> <http://example.org/p> "o" <http://example.org/g> .\n')
    with pytest.raises(InputError, match=r"unknown RDF file suffix '\.nq'"):
        Store.from_files([path])
    assert build_file(path, datasets=True) == path
