"""Reader of the vendored MAxO slices (``data/upstream/maxo/`` and ``data/upstream/maxo-annotations/``).

``scripts/vendor_maxo.py`` writes them from the upstream repositories; this module checks each vendored file
against the checksum its ``MANIFEST.json`` records and parses it:

* ``maxo/maxo-terms.tsv``: every MAXO term with its label, obsolete flag, replacement and synonyms;
* ``maxo/chebi-terms.tsv``: the ChEBI terms MAxO or MONDO import, with their labels (the identifiers the curated
  tables may use without further checking);
* ``maxo-annotations/maxo-annotations.tsv``: Monarch's medical-action annotations of the diseases the graph
  can hold, and ``disease-equivalents.tsv``: the OMIM/Orphanet equivalents (from MONDO) of their diseases.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from nmdkg.core.errors import DataError, Problem
from nmdkg.core.paths import CURATED_DIR

UPSTREAM_DIR = CURATED_DIR.parent / "upstream"
MAXO_DIR = UPSTREAM_DIR / "maxo"
ANNOTATIONS_DIR = UPSTREAM_DIR / "maxo-annotations"


@dataclass(frozen=True)
class Term:
    id: str
    label: str
    obsolete: bool
    replaced_by: str | None
    synonyms: tuple[str, ...]


@dataclass(frozen=True)
class Annotation:
    line: int
    disease: str            # MONDO:n (or OMIM:n)
    disease_name: str
    reference: str          # PMID:n
    action: str             # MAXO:n
    action_label: str
    target: str | None      # HP:n, or the disease (MONDO:n), or None
    relation: str           # treats, prevents, contraindicated, ...
    evidence: str           # PCS, TAS, ...
    extension: str | None   # CHEBI:n
    extension_label: str | None


@dataclass(frozen=True)
class Vocabulary:
    """MAXO and ChEBI terms of the vendored MAxO release."""

    version: str
    commit: str
    sha256: str
    terms: dict[str, Term]
    chebi: dict[str, str]

    def check(self, curie: str) -> str | None:
        """None if ``curie`` (a MAXO or CHEBI identifier) is a current term of the slice, else the reason."""
        if curie.startswith("MAXO:"):
            term = self.terms.get(curie)
            if term is None:
                return f"{curie} is not a MAXO term of MAxO {self.version} (data/upstream/maxo)"
            if term.obsolete:
                hint = f"; use {term.replaced_by}" if term.replaced_by else ""
                return f"{curie} ({term.label}) is obsolete in MAxO {self.version}{hint}"
        elif curie.startswith("CHEBI:") and curie not in self.chebi:
            return f"{curie} is not among the ChEBI terms MAxO or MONDO import (data/upstream/maxo)"
        return None


@dataclass(frozen=True)
class Annotations:
    version: str
    commit: str
    sha256: str
    rows: tuple[Annotation, ...]
    equivalents: dict[str, tuple[str, ...]]   # MONDO disease -> OMIM/ORPHA equivalents


def _manifest(folder: Path) -> dict:
    path = folder / "MANIFEST.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataError([Problem(path, 0, None, f"cannot be read: {exc}")]) from exc
    problems = []
    for name, expected in manifest.get("files", {}).items():
        file = folder / name
        actual = hashlib.sha256(file.read_bytes()).hexdigest() if file.is_file() else None
        if actual != expected:
            reason = "is missing" if actual is None else f"sha256 {actual} differs from MANIFEST.json ({expected})"
            problems.append(Problem(file, 0, None, f"{reason}; regenerate with {manifest.get('generated_by')}"))
    if problems:
        raise DataError(problems)
    return manifest


def _rows(path: Path, header: list[str]) -> list[tuple[int, dict[str, str]]]:
    rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines(), delimiter="\t",
                           quoting=csv.QUOTE_NONE))
    if not rows or rows[0] != header:
        raise DataError([Problem(path, 1, None, f"header is not: {' '.join(header)}")])
    return [(n, dict(zip(header, row, strict=True))) for n, row in enumerate(rows[1:], start=2)
            if len(row) == len(header)]


@lru_cache(maxsize=2)
def vocabulary(folder: Path = MAXO_DIR) -> Vocabulary:
    manifest = _manifest(folder)
    terms = {}
    for _n, r in _rows(folder / "maxo-terms.tsv", ["id", "label", "obsolete", "replaced_by", "synonyms"]):
        synonyms = tuple(s for s in r["synonyms"].split("|") if s)
        terms[r["id"]] = Term(r["id"], r["label"], r["obsolete"] == "true", r["replaced_by"] or None, synonyms)
    chebi = {r["id"]: r["label"] for _n, r in _rows(folder / "chebi-terms.tsv", ["id", "label", "imported_by"])}
    digest = manifest["upstream_files"].get("maxo.obo", "")
    return Vocabulary(manifest["release_version"], manifest["commit"], digest, terms, chebi)


ANNOTATION_COLUMNS = [
    "disease_id", "disease_name", "source_id", "maxo_id", "maxo_name", "hpo_id", "relation", "evidence",
    "extension_id", "extension_name", "comment", "other", "author", "last_updated", "created",
]


@lru_cache(maxsize=2)
def load_annotations(folder: Path = ANNOTATIONS_DIR) -> Annotations:
    manifest = _manifest(folder)
    rows = tuple(
        Annotation(n, r["disease_id"], r["disease_name"], r["source_id"], r["maxo_id"], r["maxo_name"],
                   r["hpo_id"] or None, r["relation"], r["evidence"], r["extension_id"] or None,
                   r["extension_name"] or None)
        for n, r in _rows(folder / "maxo-annotations.tsv", ANNOTATION_COLUMNS)
    )
    equivalents: dict[str, list[str]] = {}
    for _n, r in _rows(folder / "disease-equivalents.tsv", ["disease_id", "equivalent", "joined_by"]):
        equivalents.setdefault(r["disease_id"], []).append(r["equivalent"])
    digest = next(iter(manifest["upstream_files"].values()), "")
    return Annotations(manifest["release_version"], manifest["commit"], digest, rows,
                       {d: tuple(e) for d, e in equivalents.items()})
