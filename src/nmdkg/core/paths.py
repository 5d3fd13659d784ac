"""Where the project's resources live: in the source tree, or inside an installed wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent  # src/nmdkg (this file is src/nmdkg/core/paths.py)
_BUNDLED = _PACKAGE / "_resources"
_SOURCE_TREE = _PACKAGE.parent.parent


def _resource(*parts: str) -> Path:
    bundled = _BUNDLED.joinpath(*parts)
    return bundled if bundled.exists() else _SOURCE_TREE.joinpath(*parts)


ONTOLOGY = _resource("ontology", "nmdkg.ttl")
SHAPES_DIR = _resource("shapes")
QUERIES_DIR = _resource("queries")
CURATED_DIR = _resource("data", "curated")
MONDO_DIR = _resource("data", "upstream", "mondo")
DEFAULT_OUT = Path("output")


def cache_dir() -> Path:
    """Where derived data that is slow to compute is kept between runs (the merged prefix map):
    ``$NMDKG_CACHE_DIR``, else ``$XDG_CACHE_HOME/nmdkg``, else ``~/.cache/nmdkg``. Safe to delete."""
    import os

    if os.environ.get("NMDKG_CACHE_DIR"):
        return Path(os.environ["NMDKG_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "nmdkg"


def build_file(data: Path, *, datasets: bool = False) -> Path:
    """The RDF file a command reads: ``data`` itself, or the ``nmdkg.nt`` of a build folder.

    Raises ``InputError`` for a missing file or folder, or a suffix that names no RDF format of
    ``nmdkg.core.rdf_formats`` (N-Quads and TriG count only with ``datasets``).
    """
    from nmdkg.core.errors import InputError
    from nmdkg.core.rdf_formats import format_of

    if data.is_dir():
        data = data / "nmdkg.nt"
        if not data.is_file():
            raise InputError(f"{data.parent}: no nmdkg.nt in this folder "
                             f"(run `nmdkg build --out {data.parent}`)")
    elif not data.is_file():
        raise InputError(f"{data}: no such file (run `nmdkg build` first, or give --data a build folder)")
    format_of(data, datasets=datasets)
    return data
