"""Phenopackets in: real published cases (tests/resources/phenopackets, from phenopacket-store, CC BY 4.0)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from nmdkg import phenopackets
from nmdkg.diagnose import Ranker, patients_of_phenopackets
from nmdkg.errors import InputError

FOLDER = Path(__file__).parent / "resources" / "phenopackets" / "cases"
MANIFEST = json.loads((FOLDER.parent / "MANIFEST.json").read_text())
NAMES = sorted(name.removeprefix("cases/") for name in MANIFEST["files"])


def test_the_vendored_cases_match_their_manifest():
    assert MANIFEST["source"] == "monarch-initiative/phenopacket-store" and MANIFEST["licence"] == "CC-BY-4.0"
    assert MANIFEST["commit"] and MANIFEST["release_version"]
    names = sorted(f.name for f in FOLDER.glob("*.json"))
    assert names and names == NAMES
    for name in names:
        assert hashlib.sha256((FOLDER / name).read_bytes()).hexdigest() == MANIFEST["files"][f"cases/{name}"]


def test_a_phenopacket_gives_observed_excluded_references_and_diagnosis():
    case = phenopackets.read_file(FOLDER / "PMID_30236613_patient.json")
    raw = json.loads((FOLDER / "PMID_30236613_patient.json").read_text())
    features = raw["phenotypicFeatures"]
    assert case.id == raw["id"]
    assert case.present == tuple(f["type"]["id"] for f in features if not f.get("excluded"))
    assert case.absent == tuple(f["type"]["id"] for f in features if f.get("excluded"))
    assert case.references == ("PMID:30236613",)
    assert "OMIM:105400" in case.diseases


def test_a_folder_is_read_file_by_file_and_a_bad_file_does_not_stop_it(tmp_path):
    for name in NAMES:
        (tmp_path / name).write_bytes((FOLDER / name).read_bytes())
    (tmp_path / "broken.json").write_text("{not json")
    (tmp_path / "other.json").write_text('{"id": "x", "phenotypicFeatures": 3}')
    items = list(phenopackets.iter_folder(tmp_path))
    bad = {i.source: i.reason for i in items if isinstance(i, phenopackets.Unreadable)}
    assert sorted(bad) == ["broken.json", "other.json"]
    assert "not valid JSON" in bad["broken.json"] and "not a GA4GH Phenopacket v2" in bad["other.json"]
    assert len([i for i in items if isinstance(i, phenopackets.Case)]) == len(NAMES)
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no phenopacket"):
        phenopackets.files(tmp_path / "empty")


@pytest.fixture(scope="module")
def ranker(nmd_graph) -> Ranker:
    return Ranker.from_graph(nmd_graph)


def test_real_cases_rank_their_diagnosis_and_leave_out_their_publication(ranker):
    patients = [p for p in patients_of_phenopackets(FOLDER)]
    assert len(patients) == len(NAMES)
    cited = 0
    for patient in patients:
        truth = next(d for d in phenopackets.read_file(FOLDER / patient.source).diseases if d in ranker.row)
        present = [t for t in patient.present if ranker.hpo.get(t)]
        given = ranker.scores(present, (), ())
        left_out = ranker.scores(present, (), patient.references)
        row = ranker.row[truth]
        if any(row in ranker.cited_by.get(r, ()) for r in patient.references):
            cited += 1
            assert left_out[row] != given[row]      # the truth's own-paper annotations were taken out
        others = [i for i in range(len(given)) if not any(i in ranker.cited_by.get(r, ())
                                                          for r in patient.references)]
        assert (left_out[others] == given[others]).all()   # nobody else changed
    assert cited >= 1


def test_cli_phenopacket_folder(run, nmd_graph, tmp_path):
    graph = tmp_path / "nmdkg.nt"
    nmd_graph.serialize(graph, format="nt", encoding="utf-8")
    out = tmp_path / "ranked.jsonl"
    result = run("diagnose", "--phenopacket", str(FOLDER), "--exclude-own-publication", "--top", "2",
                 "--out", str(out), "--data", str(graph))
    assert result.exit_code == 0, result.stderr
    records = [json.loads(line) for line in out.read_text().splitlines()]
    ids = sorted(json.loads((FOLDER / n).read_text())["id"] for n in NAMES)
    assert sorted(r["id"] for r in records) == ids
    assert all(len(r["results"]) == 2 and r["excluded_references"][0].startswith("PMID:") for r in records)
    alone = run("diagnose", "HP:0001324", "--exclude-own-publication")
    assert alone.exit_code == 2 and "needs patients" in alone.stderr
