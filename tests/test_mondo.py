"""The MONDO slice (issue 14): the vendoring script on a small real excerpt, the reader's checksum check,
and the curated identifiers checked against the vendored slice."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
from pathlib import Path

import pytest

from nmdkg.core.errors import DataError
from nmdkg.core.paths import MONDO_DIR
from nmdkg.curated.tables import load_curated
from nmdkg.sources import mondo

ROOT = Path(__file__).resolve().parent.parent
EXCERPT = Path(__file__).parent / "resources" / "mondo"


def vendor():
    spec = importlib.util.spec_from_file_location("vendor_mondo", ROOT / "scripts" / "vendor_mondo.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def vendor_run(tmp_path: Path, upstream: Path, capsys) -> tuple[int, str]:
    code = vendor().main([str(upstream), "--out", str(tmp_path / "slice"), "--commit", "0" * 40])
    return code, capsys.readouterr().err


def test_vendor_script_writes_a_reproducible_slice(tmp_path, capsys):
    assert vendor_run(tmp_path, EXCERPT, capsys) == (0, "")
    first = {p.name: p.read_bytes() for p in (tmp_path / "slice").iterdir()}
    assert vendor_run(tmp_path, EXCERPT, capsys) == (0, "")
    assert first == {p.name: p.read_bytes() for p in (tmp_path / "slice").iterdir()}
    manifest = json.loads(first["MANIFEST.json"])
    assert manifest["release_version"] == "2026-08-04" and manifest["licence"] == "CC0-1.0"
    assert manifest["source"] == "monarch-initiative/mondo"
    assert manifest["generated_by"] == "scripts/vendor_mondo.py"
    for name, digest in manifest["files"].items():
        assert hashlib.sha256(first[name]).hexdigest() == digest
    for path, digest in manifest["upstream_files"].items():
        assert hashlib.sha256((EXCERPT / path).read_bytes()).hexdigest() == digest
    sliced = mondo.parse(tmp_path / "slice")
    # DMD -> DMD-related muscular dystrophy -> muscular dystrophy -> hereditary NMD -> neuromuscular disease
    assert {"MONDO:0700285", "MONDO:0020121", "MONDO:0100546", "MONDO:0019056"} <= sliced.ancestors("MONDO:0010679")
    assert sliced.mondo_of["OMIM:310200"] == {"MONDO:0010679"}
    assert sliced.labels["MONDO:0010679"] == "Duchenne muscular dystrophy"
    # edges leaving the slice (myasthenia gravis -> autoimmune disease of the PNS) are not kept
    assert sliced.parents.get("MONDO:0009688", set()) == set()


def test_vendor_script_refuses_a_missing_file(tmp_path, capsys):
    upstream = tmp_path / "up"
    shutil.copytree(EXCERPT, upstream)
    (upstream / "reports" / "superclass-count.tsv").unlink()
    code, err = vendor_run(tmp_path, upstream, capsys)
    assert code == 2 and "superclass-count.tsv: missing" in err
    assert not (tmp_path / "slice").exists()


def test_vendor_script_refuses_a_malformed_row(tmp_path, capsys):
    upstream = tmp_path / "up"
    shutil.copytree(EXCERPT, upstream)
    edges = upstream / "subsets" / "mondo-rare_edges.tsv"
    edges.write_text(edges.read_text() + "urn:x\tMONDO:1\tbiolink:subclass_of\n")
    code, err = vendor_run(tmp_path, upstream, capsys)
    assert code == 2 and "mondo-rare_edges.tsv:10: has 3 cells; expected 6" in err


def test_reader_refuses_a_slice_edited_by_hand(tmp_path):
    copy = tmp_path / "mondo"
    shutil.copytree(MONDO_DIR, copy)
    with (copy / "is_a.tsv").open("a") as handle:
        handle.write("MONDO:0009688\tMONDO:0019056\n")
    with pytest.raises(DataError, match=r"is_a\.tsv:0: checksum differs from MANIFEST\.json"):
        mondo.parse(copy)


def test_vendored_slice_matches_its_manifest():
    sliced = mondo.load()
    assert sliced.version == "2026-08-04"
    assert "MONDO:0019056" not in sliced.ancestors("MONDO:0009688")   # the gap the overrides fill
    assert "MONDO:0019056" in sliced.ancestors("MONDO:0010679")


def test_curated_identifiers_are_checked_against_the_slice(curated_copy):
    disorders = curated_copy / "disorders.tsv"
    text = disorders.read_text().replace("MONDO:0005301\t", "MONDO:0000000\t").replace("OMIM:254200|", "OMIM:254201|")
    disorders.write_text(text)
    counterparts = curated_copy / "disorder_counterparts.tsv"
    counterparts.write_text(counterparts.read_text() +
                            "duchenne-muscular-dystrophy\tOMIM:310200\texactMatch\tthe MONDO mapping\n")
    with pytest.raises(DataError) as error:
        load_curated(curated_copy)
    message = str(error.value)
    assert "disorders.tsv:5: column 'id': MONDO:0000000 is not a class of the MONDO slice" in message
    assert "column 'xrefs': MONDO 2026-08-04 has no exact match of MONDO:0009688 to OMIM:254201" in message
    assert "disorder_counterparts.tsv:3: column 'counterpart': MONDO already puts OMIM:310200" in message


def test_overrides_reference_must_resolve(curated_copy):
    overrides = curated_copy / "neuromuscular_overrides.tsv"
    overrides.write_text(overrides.read_text() + "OMIM:160900\tin\ta reason\tMONDO:0000000\n"
                         "OMIM:160901\tin\ta reason\tref-nowhere\n")
    with pytest.raises(DataError) as error:
        load_curated(curated_copy)
    assert "MONDO:0000000 is not a class of the MONDO slice" in str(error.value)
    assert "'ref-nowhere' is neither a sources.tsv reference nor a MONDO class" in str(error.value)


def test_build_refuses_an_override_of_an_unannotated_disease(curated_copy, run):
    overrides = curated_copy / "neuromuscular_overrides.tsv"
    overrides.write_text(overrides.read_text() + "OMIM:999999\tin\ta reason\tMONDO:0020121\n")
    result = run("build", "--data", str(curated_copy), "--out", str(curated_copy.parent / "out"))
    assert result.exit_code == 1
    assert "neuromuscular_overrides.tsv:" in result.stderr
    assert "OMIM:999999 is not a disease of the HPO annotations" in result.stderr
    assert not (curated_copy.parent / "out" / "nmdkg.nt").exists()
