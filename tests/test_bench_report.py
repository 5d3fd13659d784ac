"""The published benchmark figures are the harness's own output: ``benchmarks/run.py --doc FILE --block NAME``
rewrites a marked block of docs/benchmarks.md from a run (or ``--render`` from a run's JSON)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def harness():
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "benchmarks" / "run.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


RUN = {"machine": {"cores": 2, "cpu": "test cpu", "ram_gb": 1.0, "python": "3.11", "load_average": [0.5, 0, 0],
                   "commit": "0123456789abcdef"},
       "date": "2026-12-03T10:00:00+0000", "scopes": ["nmd"], "stages": ["cold"], "baseline": False,
       "repeat": 5, "command": "python benchmarks/run.py --scope nmd --only cold",
       "rows": [{"scope": "nmd", "stage": "cold: python -c \"import nmdkg\"", "seconds": 0.2, "peak_mb": 40.0,
                 "extra": {"first_seconds": {"import": 0.3}}},
                {"scope": "nmd", "stage": "cold: export --format turtle", "seconds": 0.5, "peak_mb": 50.0,
                 "extra": {"first_seconds": {"export": 0.6}}}],
       "targets": []}


def test_render_rewrites_only_its_block(harness, tmp_path):
    doc = tmp_path / "bench.md"
    doc.write_text("before\n<!-- bench:cold -->\nold figures\n<!-- /bench -->\nbetween\n"
                   "<!-- bench:scopes -->\nkept\n<!-- /bench -->\nafter\n", encoding="utf-8")
    report = tmp_path / "run.json"
    report.write_text(json.dumps(RUN), encoding="utf-8")
    assert harness.main(["--render", str(report), "--doc", str(doc), "--block", "cold"]) == 0
    text = doc.read_text(encoding="utf-8")
    assert "old figures" not in text and "kept" in text and text.startswith("before\n") and text.endswith("after\n")
    cold = text.split("<!-- bench:cold -->")[1].split("<!-- /bench -->")[0]
    assert "python benchmarks/run.py --scope nmd --only cold" in cold and "code 0123456" in cold
    assert "| nmd | `export --format turtle` | 0.50 | 0.60 | 50 | 2.5× | ≤ 2 s: PASS |" in cold


def test_an_unknown_block_is_refused_and_the_file_left_alone(harness, tmp_path):
    doc = tmp_path / "bench.md"
    doc.write_text("<!-- bench:cold -->\nx\n<!-- /bench -->\n", encoding="utf-8")
    report = tmp_path / "run.json"
    report.write_text(json.dumps(RUN), encoding="utf-8")
    with pytest.raises(SystemExit, match=r"no single '<!-- bench:scopes -->' marker \(blocks: cold\)"):
        harness.main(["--render", str(report), "--doc", str(doc), "--block", "scopes"])
    assert doc.read_text(encoding="utf-8") == "<!-- bench:cold -->\nx\n<!-- /bench -->\n"


def test_the_published_document_has_its_blocks():
    text = (ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    for block in ("cold", "scopes"):
        assert text.count(f"<!-- bench:{block} -->") == 1
