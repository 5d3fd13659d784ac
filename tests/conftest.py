"""Shared fixtures: the real curated tables, the real graph, and a CLI runner."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from nmdkg.build.graph import build_canonical, build_graph, new_graph
from nmdkg.cli import main
from nmdkg.core.ntriples import to_graph
from nmdkg.core.paths import CURATED_DIR
from nmdkg.curated.tables import load_curated

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT.parent / "shared" / "sources" / "neuromuscular-disorders-article.txt"


@pytest.fixture(scope="session")
def curated():
    return load_curated()


@pytest.fixture(scope="session")
def graph(curated):
    """The article part of the graph: ontology + curated tables (``--scope article``)."""
    return build_graph(curated, scope="article")


@pytest.fixture(scope="session")
def nmd_triples(curated):
    """The default build's triples, sorted N-Triples terms (``build_canonical``), built once per session."""
    return build_canonical(curated, scope="nmd")


@pytest.fixture(scope="session")
def nmd_graph(nmd_triples):
    """The default build: the article part plus the neuromuscular diseases of the HPO annotations."""
    return to_graph(nmd_triples, new_graph())


# -- builds written by the command line, once per session --------------------------------------------------

def _build(out: Path, *scope: str) -> Path:
    code = main(["build", "--out", str(out), *scope])
    assert code == 0, f"nmdkg build {' '.join(scope)} failed with exit code {code}"
    return out


@pytest.fixture(scope="session")
def article_build(tmp_path_factory) -> Path:
    """``nmdkg build --scope article`` (about 2,000 triples) in a temporary folder; read it, never write."""
    return _build(tmp_path_factory.mktemp("article-build"), "--scope", "article")


@pytest.fixture(scope="session")
def default_build(tmp_path_factory) -> Path:
    """``nmdkg build`` (the default scope) in a temporary folder; read it, never write into it."""
    return _build(tmp_path_factory.mktemp("default-build"))


@pytest.fixture
def curated_copy(tmp_path: Path) -> Path:
    """A writable copy of the real curated tables, for bad-input tests."""
    target = tmp_path / "curated"
    shutil.copytree(CURATED_DIR, target)
    return target


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def run(capsys):
    """Run ``nmdkg ARGS`` in-process through the real entry point; return exit code and outputs."""

    def invoke(*args: str) -> Result:
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


@pytest.fixture(autouse=True)
def no_default_build(tmp_path_factory, monkeypatch):
    """Commands reuse the build in the default output folder when it is current (``nmdkg.release.manifest``): tests
    point that folder at an empty place, so that a developer's own ``output/`` never changes what they see."""
    import nmdkg.core.paths

    monkeypatch.setattr(nmdkg.core.paths, "DEFAULT_OUT", tmp_path_factory.getbasetemp() / "no-build" / "output")
