"""Where the project's resources live: in the source tree, or inside an installed wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_BUNDLED = _PACKAGE / "_resources"
_SOURCE_TREE = _PACKAGE.parent.parent


def _resource(*parts: str) -> Path:
    bundled = _BUNDLED.joinpath(*parts)
    return bundled if bundled.exists() else _SOURCE_TREE.joinpath(*parts)


ONTOLOGY = _resource("ontology", "nmdkg.ttl")
SHAPES_DIR = _resource("shapes")
QUERIES_DIR = _resource("queries")
CURATED_DIR = _resource("data", "curated")
DEFAULT_OUT = Path("output")
