"""Patients from GA4GH Phenopacket v2 JSON files, read with the ``phenopackets`` package (the schema's
own Python bindings), for ``nmdkg diagnose --phenopacket`` and the real-case benchmark.

What is taken from a phenopacket:

* ``id`` -- the case identifier;
* ``phenotypicFeatures`` -- each ``type.id`` (an HPO term) is a present finding, or an absent one when
  ``excluded`` is true;
* ``metaData.externalReferences[].id`` -- the publication(s) that report the case (``PMID:...``), which
  ``--exclude-own-publication`` leaves out of the disease profiles;
* ``diseases[].term.id`` and the diagnoses of ``interpretations`` -- the reported diagnosis, used by the
  benchmark only (never by the ranking).

A file that is not JSON, or not a phenopacket by the schema, is reported with its path and the parser's
reason; a folder is read file by file (``*.json``, sorted), so that one bad file does not stop the others
(:func:`iter_folder` yields a :class:`Unreadable` for it).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from nmdkg.core.errors import InputError


@dataclass(frozen=True)
class Case:
    """What a phenopacket says about one patient."""

    id: str
    present: tuple[str, ...]
    absent: tuple[str, ...]
    references: tuple[str, ...]
    diseases: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class Unreadable:
    """A file that could not be read as a phenopacket."""

    source: str
    reason: str


def _parse(text: str, source: str):
    from google.protobuf.json_format import Parse, ParseError
    from phenopackets import Phenopacket

    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{source}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None
    try:
        return Parse(text, Phenopacket())
    except ParseError as exc:
        raise InputError(f"{source}: not a GA4GH Phenopacket v2: {exc}") from None


def case_from_text(text: str, source: str) -> Case:
    """The :class:`Case` of one phenopacket's JSON text; ``source`` names it in messages."""
    packet = _parse(text, source)
    present: list[str] = []
    absent: list[str] = []
    for feature in packet.phenotypic_features:
        (absent if feature.excluded else present).append(feature.type.id)
    diseases = [d.term.id for d in packet.diseases if not d.excluded and d.term.id]
    for interpretation in packet.interpretations:
        term = interpretation.diagnosis.disease.id
        if term:
            diseases.append(term)
    references = [r.id for r in packet.meta_data.external_references if r.id]
    identifier = packet.id or Path(source).stem
    return Case(identifier, tuple(present), tuple(absent), tuple(dict.fromkeys(references)),
                tuple(dict.fromkeys(diseases)), source)


def read_file(path: Path) -> Case:
    """One phenopacket file (:class:`InputError` when it cannot be read)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: phenopacket file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None
    return case_from_text(text, path.name)


def files(path: Path) -> list[Path]:
    """The phenopacket files of ``path``: the file itself, or a folder's ``*.json`` (recursively, sorted)."""
    path = Path(path)
    if path.is_dir():
        found = sorted(p for p in path.rglob("*.json") if p.is_file())
        if not found:
            raise InputError(f"{path}: no phenopacket (*.json) in the folder")
        return found
    if not path.exists():
        raise InputError(f"{path}: no such phenopacket file or folder")
    return [path]


def iter_folder(path: Path) -> Iterator[Case | Unreadable]:
    """Every phenopacket of a file or folder, in order; a bad file is yielded as :class:`Unreadable`."""
    for file in files(path):
        try:
            yield read_file(file)
        except InputError as exc:
            yield Unreadable(file.name, str(exc))


__all__ = ["Case", "Unreadable", "case_from_text", "files", "iter_folder", "read_file"]
