"""The syntax of the standard identifiers the graph uses, one pattern per prefix.

The same patterns appear as ``sh:pattern`` in ``shapes/``; a test keeps the two in step.
"""

from __future__ import annotations

import re

#: CURIE patterns of each identifier space, as the issuing authority defines them.
PATTERNS: dict[str, str] = {
    "MONDO": r"^MONDO:\d{7}$",
    "HP": r"^HP:\d{7}$",
    "OMIM": r"^OMIM:\d{6}$",
    "ORPHA": r"^ORPHA:\d+$",
    "DECIPHER": r"^DECIPHER:\d+$",
    "UMLS": r"^UMLS:C\d{7}$",
    "HGNC": r"^HGNC:\d+$",
    "NCBIGene": r"^NCBIGene:\d+$",
    "CHEBI": r"^CHEBI:\d+$",
    "DRUGBANK": r"^DRUGBANK:DB\d{5}$",
    "MAXO": r"^MAXO:\d{7}$",
    "NCBITaxon": r"^NCBITaxon:\d+$",
    "PMID": r"^PMID:\d+$",
    "NMDKG": r"^NMDKG:[a-z0-9]+(-[a-z0-9]+)*$",
}

_COMPILED = {prefix: re.compile(pattern) for prefix, pattern in PATTERNS.items()}

KEY_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def check_curie(curie: str, allowed: tuple[str, ...]) -> str | None:
    """Return None if ``curie`` is well formed with one of the ``allowed`` prefixes, else the reason.

    >>> check_curie("HP:0001324", ("HP",)) is None
    True
    >>> check_curie("HP:1324", ("HP",))
    "'HP:1324' does not match the HP pattern ^HP:\\\\d{7}$"
    >>> check_curie("MONDO:0009688", ("HP",))
    "'MONDO:0009688' has prefix MONDO; expected one of: HP"
    """
    prefix, sep, _ = curie.partition(":")
    if not sep:
        return f"{curie!r} is not a CURIE (expected PREFIX:ID)"
    if prefix not in allowed:
        return f"{curie!r} has prefix {prefix}; expected one of: {', '.join(allowed)}"
    if not _COMPILED[prefix].match(curie):
        return f"{curie!r} does not match the {prefix} pattern {PATTERNS[prefix]}"
    return None
