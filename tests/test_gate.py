"""The CI gate: engines are required where ``.ci/run`` says so, and ``make test`` lints and type-checks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.integration import conftest as integration

ROOT = Path(__file__).resolve().parent.parent


def test_ci_run_requires_the_engines_and_runs_make_test():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^export NMDKG_REQUIRE_ENGINES=1$", script, re.MULTILINE)
    assert script.rstrip().endswith("make test")


def test_make_test_lints_type_checks_and_tests():
    recipe = (ROOT / "Makefile").read_text(encoding="utf-8").split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "ruff check" in recipe and "mypy" in recipe and "pytest" in recipe


def test_a_missing_engine_fails_where_engines_are_required(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("NMDKG_REQUIRE_ENGINES", "1")
    with pytest.raises(pytest.fail.Exception, match="engines are required"):
        integration.unavailable("virtuoso-t is not installed")
    monkeypatch.delenv("NMDKG_REQUIRE_ENGINES")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception):
        integration.unavailable("virtuoso-t is not installed")


def test_a_missing_engine_skips_only_where_allowed(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("NMDKG_REQUIRE_ENGINES", raising=False)
    with pytest.raises(pytest.skip.Exception):
        integration.unavailable("virtuoso-t is not installed")


def test_our_own_failure_is_never_a_skip(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("NMDKG_REQUIRE_ENGINES", raising=False)
    with pytest.raises(pytest.fail.Exception, match="printed no URLs"):
        integration.broken("nmdkg serve printed no URLs: ")


def test_serve_printing_nothing_is_a_failure_of_the_fixture(tmp_path):
    """start_serve raises (the fixture turns it into a failure) when nmdkg serve exits without its URLs."""
    with pytest.raises(RuntimeError, match="nmdkg serve printed no URLs"):
        integration.start_serve(tmp_path / "missing", tmp_path / "store", timeout=60)
