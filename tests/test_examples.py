"""The runnable examples: each is run (on the default build, already built for the session) and its output
checked."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_the_examples_folder_is_not_empty():
    assert sorted(p.name for p in EXAMPLES.glob("*.py")) == ["diagnose_patient.py", "shared_symptoms.py"]


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.py")), ids=lambda p: p.name)
def test_every_example_has_a_tutorial_docstring_and_a_main(path):
    module = runpy.run_path(str(path), run_name="example")   # not "__main__": nothing runs yet
    assert len(module["__doc__"]) > 500 and "python examples/" in module["__doc__"]
    assert callable(module["main"])


def test_shared_symptoms(nmd_graph, capsys):
    module = runpy.run_path(str(EXAMPLES / "shared_symptoms.py"), run_name="example")
    result = module["main"](nmd_graph, permutations=20)
    out = capsys.readouterr().out
    values = result["values"]
    pairs = result["pairs"]
    assert len(pairs) == 5
    # the same disease in two catalogues beats unrelated ones on every measure; Resnik sees relatives
    same, lems, _, sma_als, unrelated = range(5)
    for metric in ("shared", "jaccard", "cosine", "resnik"):
        assert values[metric][same] > values[metric][unrelated]
    assert values["jaccard"][sma_als] == 0 < values["resnik"][sma_als]
    assert values["resnik"][lems] > values["resnik"][unrelated]
    assert "Duchenne muscular dystrophy is in community" in out and "Symptom hubs:" in out


def test_diagnose_patient(nmd_graph, capsys):
    module = runpy.run_path(str(EXAMPLES / "diagnose_patient.py"), run_name="example")
    result = module["main"](nmd_graph)
    out = capsys.readouterr().out
    ids = [r.id for r in result["results"]]
    assert "OMIM:310200" in ids[:5]          # Duchenne muscular dystrophy near the top
    assert result["records"][0]["id"] == "mg-1"
    assert result["records"][0]["results"][0]["label"].lower().startswith("myasthenia gravis")
    assert "absent but annotated: HP:0001638 Cardiomyopathy" in out
