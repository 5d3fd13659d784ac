"""Vendor a handful of real phenopackets (monarch-initiative/phenopacket-store, CC BY 4.0) for the tests.

Usage: python scripts/vendor_phenopackets.py UPSTREAM_DIR [COMMIT] [RELEASE]

UPSTREAM_DIR is a checkout (or export) of phenopacket-store; the files listed in FILES are copied as they
are into tests/resources/phenopackets/cases/, and MANIFEST.json (beside cases/) records the source, commit,
release, licence and the sha256 of every file. A missing or malformed file is refused (its path, exit 2).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

SOURCE = "monarch-initiative/phenopacket-store"
#: One case for each of four neuromuscular diseases among the candidates (each with its PMID).
FILES = (
    "notebooks/SOD1/phenopackets/PMID_30236613_patient.json",
    "notebooks/DNM2/phenopackets/PMID_24465259_Patient_4.json",
    "notebooks/MFN2/phenopackets/PMID_26956144_patient.json",
    "notebooks/PREPL/phenopackets/PMID_29483676_proband.json",
)
TARGET = Path(__file__).resolve().parent.parent / "tests" / "resources" / "phenopackets"


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    upstream = Path(argv[0])
    commit = argv[1] if len(argv) > 1 else ""
    release = argv[2] if len(argv) > 2 else ""
    upstream_files, files = {}, {}
    (TARGET / "cases").mkdir(parents=True, exist_ok=True)
    for name in FILES:
        path = upstream / name
        if not path.is_file():
            print(f"{path}: missing", file=sys.stderr)
            return 2
        data = path.read_bytes()
        try:
            record = json.loads(data)
            if not isinstance(record, dict) or "phenotypicFeatures" not in record:
                raise ValueError("no phenotypicFeatures")
        except ValueError as exc:
            print(f"{path}:1: not a phenopacket: {exc}", file=sys.stderr)
            return 2
        digest = hashlib.sha256(data).hexdigest()
        upstream_files[name] = digest
        (TARGET / "cases" / Path(name).name).write_bytes(data)
        files[f"cases/{Path(name).name}"] = digest
    manifest = {"source": SOURCE, "commit": commit, "release_version": release, "licence": "CC-BY-4.0",
                "attribution": "GA4GH phenopacket-store (Monarch Initiative); each case curated from the "
                               "publication in its metaData.externalReferences",
                "upstream_files": upstream_files, "files": files,
                "generated_by": "scripts/vendor_phenopackets.py"}
    (TARGET / "MANIFEST.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
