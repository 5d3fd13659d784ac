"""Regenerate the MONDO slice under ``data/upstream/mondo/`` from a MONDO repository folder.

Usage::

    python scripts/vendor_mondo.py UPSTREAM_DIR [--out data/upstream/mondo]

``UPSTREAM_DIR`` is a plain folder or a git checkout of ``monarch-initiative/mondo`` holding the files of
``UPSTREAM_FILES`` at their repository paths. The slice keeps the MONDO classes below ``ROOTS`` (neuromuscular
disease, myopathy and the article's disorders) in the rare-disease subset's is-a edges, their labels, the
is-a edges among them and their exact matches to OMIM and Orphanet. Nothing else of MONDO is kept.

A missing file or a malformed row stops the script with the file and line at fault (exit 2); nothing is
written then. The outputs are sorted and carry no timestamp, so a rerun on the same upstream is byte-identical.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from nmdkg.core.hierarchy import closure

EDGES = "subsets/mondo-rare_edges.tsv"
OMIM = "src/ontology/mappings/mondo_exactmatch_omim.sssom.tsv"
ORPHANET = "src/ontology/mappings/mondo_exactmatch_orphanet.sssom.tsv"
LABELS = "reports/superclass-count.tsv"
UPSTREAM_FILES = (EDGES, OMIM, ORPHANET, LABELS)

#: The classes whose descendants the slice keeps: the field's neuromuscular classes and the article's disorders.
ROOTS = {
    "MONDO:0019056": "neuromuscular disease",
    "MONDO:0005336": "myopathy",
    "MONDO:0020121": "muscular dystrophy",
    "MONDO:0010679": "Duchenne muscular dystrophy",
    "MONDO:0004976": "amyotrophic lateral sclerosis",
    "MONDO:0001516": "spinal muscular atrophy",
    "MONDO:0009688": "myasthenia gravis",
    "MONDO:0005244": "peripheral neuropathy",
    "MONDO:0016218": "Guillain-Barre syndrome",
    "MONDO:0005301": "multiple sclerosis",
}
SOURCE = "monarch-initiative/mondo"
LICENCE = "CC0-1.0"
CURIE = re.compile(r"^MONDO:\d{7}$")
PREFIX_OF = {"OMIM:": "OMIM:", "Orphanet:": "ORPHA:"}


class Refused(Exception):
    """A missing upstream file or a malformed row: the message names the file and line."""


def _read(folder: Path, path: str) -> tuple[bytes, list[str]]:
    file = folder / path
    if not file.is_file():
        raise Refused(f"{file}: missing (expected the MONDO repository file {path})")
    data = file.read_bytes()
    try:
        return data, data.decode("utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise Refused(f"{file}: not UTF-8 text ({exc})") from exc


def read_edges(folder: Path) -> list[tuple[str, str]]:
    _, lines = _read(folder, EDGES)
    header = ["id", "subject", "predicate", "object", "relation", "knowledge_source"]
    if not lines or lines[0].split("\t") != header:
        raise Refused(f"{folder / EDGES}:1: expected the header {' '.join(header)}")
    edges = []
    for number, line in enumerate(lines[1:], start=2):
        cells = line.split("\t")
        if len(cells) != len(header):
            raise Refused(f"{folder / EDGES}:{number}: has {len(cells)} cells; expected {len(header)}")
        if cells[4] != "rdfs:subClassOf":
            continue
        if not (CURIE.match(cells[1]) and CURIE.match(cells[3])):
            raise Refused(f"{folder / EDGES}:{number}: subject and object must be MONDO identifiers")
        edges.append((cells[1], cells[3]))
    return edges


def read_exact_matches(folder: Path, path: str) -> tuple[str, list[tuple[str, str, str]]]:
    """The release version (from ``mapping_set_version``) and the (MONDO, label, OMIM/ORPHA) rows."""
    _, lines = _read(folder, path)
    version, rows, header = "", [], None
    for number, line in enumerate(lines, start=1):
        if line.startswith("#"):
            found = re.search(r"releases/(\d{4}-\d{2}-\d{2})/", line)
            if line.startswith("# mapping_set_version:") and found:
                version = found.group(1)
            continue
        cells = line.split("\t")
        if header is None:
            header = cells
            if header[:4] != ["subject_id", "subject_label", "predicate_id", "object_id"]:
                raise Refused(f"{folder / path}:{number}: expected an SSSOM header starting "
                              "subject_id subject_label predicate_id object_id")
            continue
        if len(cells) != len(header) or not CURIE.match(cells[0]):
            raise Refused(f"{folder / path}:{number}: malformed mapping row")
        prefix = next((p for p in PREFIX_OF if cells[3].startswith(p)), None)
        if cells[2] != "skos:exactMatch" or prefix is None or not cells[3][len(prefix):].isdigit():
            raise Refused(f"{folder / path}:{number}: expected skos:exactMatch to an OMIM or Orphanet number")
        rows.append((cells[0], cells[1], PREFIX_OF[prefix] + cells[3][len(prefix):]))
    if header is None or not version:
        raise Refused(f"{folder / path}: no header row or no mapping_set_version with a release date")
    return version, rows


def read_labels(folder: Path) -> dict[str, str]:
    _, lines = _read(folder, LABELS)
    if not lines or lines[0].split("\t") != ["cls", "clsLabel", "numSuperCls"]:
        raise Refused(f"{folder / LABELS}:1: expected the header cls clsLabel numSuperCls")
    labels = {}
    for number, line in enumerate(lines[1:], start=2):
        cells = line.split("\t")
        if len(cells) != 3:
            raise Refused(f"{folder / LABELS}:{number}: has {len(cells)} cells; expected 3")
        if CURIE.match(cells[0]):
            if not (len(cells[1]) >= 2 and cells[1][0] == cells[1][-1] == '"'):
                raise Refused(f"{folder / LABELS}:{number}: the label is not a quoted string")
            labels[cells[0]] = cells[1][1:-1]
    return labels


def make_slice(folder: Path) -> tuple[dict[str, bytes], dict[str, str], str]:
    """The slice's files (name -> bytes), the upstream checksums and the release version."""
    edges = read_edges(folder)
    omim_version, omim = read_exact_matches(folder, OMIM)
    orpha_version, orpha = read_exact_matches(folder, ORPHANET)
    labels = read_labels(folder)
    children: dict[str, set[str]] = defaultdict(set)
    for child, parent in edges:
        children[parent].add(child)
    kept = closure(ROOTS, children.__getitem__)
    mapped_labels = {m: label for m, label, _ in (*omim, *orpha)}
    classes = ["id\tlabel"] + [f"{m}\t{labels.get(m) or mapped_labels.get(m, '')}" for m in sorted(kept)]
    is_a = ["subject\tobject", *sorted(f"{c}\t{p}" for c, p in set(edges) if c in kept and p in kept)]
    matches = ["mondo\tpredicate\tobject",
               *sorted({f"{m}\tskos:exactMatch\t{x}" for m, _, x in (*omim, *orpha) if m in kept})]
    files = {name: ("\n".join(rows) + "\n").encode() for name, rows in
             (("classes.tsv", classes), ("is_a.tsv", is_a), ("exact_matches.tsv", matches))}
    upstream = {path: hashlib.sha256(_read(folder, path)[0]).hexdigest() for path in UPSTREAM_FILES}
    return files, upstream, max(omim_version, orpha_version)


def _commit(folder: Path) -> str:
    try:
        out = subprocess.run(["git", "-C", str(folder), "rev-parse", "HEAD"], capture_output=True, text=True,
                             check=False)
    except OSError:
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("upstream", type=Path, help="a folder or git checkout of monarch-initiative/mondo")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "data/upstream/mondo")
    parser.add_argument("--commit", default=None, help="the upstream commit (read with git when not given)")
    args = parser.parse_args(argv)
    if not args.upstream.is_dir():
        print(f"{args.upstream}: not a folder", file=sys.stderr)
        return 2
    try:
        files, upstream, version = make_slice(args.upstream)
    except Refused as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    manifest = {
        "source": SOURCE,
        "commit": args.commit or _commit(args.upstream),
        "release_version": version,
        "licence": LICENCE,
        "roots": ROOTS,
        "upstream_files": upstream,
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
        "generated_by": "scripts/vendor_mondo.py",
    }
    files["MANIFEST.json"] = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
    args.out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():  # each file atomically: a temporary file renamed over the target
        with tempfile.NamedTemporaryFile(dir=args.out, delete=False) as handle:
            handle.write(data)
        os.chmod(handle.name, 0o644)
        os.replace(handle.name, args.out / name)
    counts = {name: data.count(b"\n") - 1 for name, data in files.items() if name.endswith(".tsv")}
    print(f"MONDO {version}: {counts} -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
