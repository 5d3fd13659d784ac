"""Reader of the vendored MONDO slice (``data/upstream/mondo/``, written by ``scripts/vendor_mondo.py``).

The slice holds the MONDO classes below neuromuscular disease, myopathy and the article's disorders (rare
subset is-a edges), their labels and their exact matches to OMIM and Orphanet. Each file's checksum is
checked against ``MANIFEST.json`` before it is read: a slice edited by hand, or half copied, is refused.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from nmdkg.core.errors import DataError, InputError, Problem
from nmdkg.core.hierarchy import closure

FILES = {"classes.tsv": ("id", "label"), "is_a.tsv": ("subject", "object"),
         "exact_matches.tsv": ("mondo", "predicate", "object")}


@dataclass
class Mondo:
    """The slice: classes with labels, is-a edges, exact matches, and the manifest's provenance."""

    version: str
    commit: str
    labels: dict[str, str]
    parents: dict[str, set[str]]
    matches: dict[str, set[str]]          # MONDO -> OMIM / ORPHA identifiers
    sha256: str                           # of the manifest, which pins every file
    mondo_of: dict[str, set[str]] = field(default_factory=dict)   # OMIM / ORPHA -> MONDO

    def __post_init__(self) -> None:
        index: dict[str, set[str]] = defaultdict(set)
        for mondo, targets in self.matches.items():
            for target in targets:
                index[target].add(mondo)
        self.mondo_of = dict(index)

    def ancestors(self, curie: str) -> set[str]:
        """``curie`` and every superclass of it in the slice."""
        return closure([curie], lambda node: self.parents.get(node, ()))

    def descendants(self, curie: str) -> set[str]:
        """``curie`` and every subclass of it in the slice."""
        children: dict[str, set[str]] = defaultdict(set)
        for child, parents in self.parents.items():
            for parent in parents:
                children[parent].add(child)
        return closure([curie], children.__getitem__)


def parse(folder: Path) -> Mondo:
    """Read the slice in ``folder``; ``DataError`` for a checksum mismatch or a malformed row."""
    manifest_path = folder / "MANIFEST.json"
    try:
        raw = manifest_path.read_bytes()
        manifest = json.loads(raw)
        expected = manifest["files"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{manifest_path}: cannot read the MONDO slice manifest ({exc})") from exc
    problems: list[Problem] = []
    rows: dict[str, list[list[str]]] = {}
    for name, header in FILES.items():
        path = folder / name
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(f"{path}: cannot read the MONDO slice ({exc})") from exc
        if hashlib.sha256(data).hexdigest() != expected.get(name):
            problems.append(Problem(path, 0, None, "checksum differs from MANIFEST.json; regenerate the slice "
                                    "with scripts/vendor_mondo.py instead of editing it"))
            continue
        lines = data.decode("utf-8").splitlines()
        if not lines or tuple(lines[0].split("\t")) != header:
            problems.append(Problem(path, 1, None, f"expected the header {' '.join(header)}"))
            continue
        rows[name] = []
        for number, line in enumerate(lines[1:], start=2):
            cells = line.split("\t")
            if len(cells) != len(header):
                problems.append(Problem(path, number, None, f"has {len(cells)} cells; expected {len(header)}"))
            else:
                rows[name].append(cells)
    if problems:
        raise DataError(problems)
    parents: dict[str, set[str]] = defaultdict(set)
    for child, parent in rows["is_a.tsv"]:
        parents[child].add(parent)
    matches: dict[str, set[str]] = defaultdict(set)
    for mondo, _predicate, target in rows["exact_matches.tsv"]:
        matches[mondo].add(target)
    return Mondo(version=manifest.get("release_version", ""), commit=manifest.get("commit", ""),
                 labels=dict(rows["classes.tsv"]), parents=dict(parents),
                 matches=dict(matches), sha256=hashlib.sha256(raw).hexdigest())


@lru_cache(maxsize=1)
def load() -> Mondo:
    """The vendored slice of the source tree or the installed package (read once per process)."""
    from nmdkg.core.paths import MONDO_DIR

    return parse(MONDO_DIR)
