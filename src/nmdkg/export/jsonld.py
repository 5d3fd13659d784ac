"""A streaming writer of compacted JSON-LD 1.1 from canonical N-Triples.

rdflib's JSON-LD serializer builds the whole document in memory and takes minutes at full-HPO scale; the
graph has no blank nodes and few term kinds, so a flattened, compacted document can be written in one
pass over the sorted triples: one node object per subject, in subject order, properties and values in
triple order. IRIs become CURIEs wherever a context prefix covers them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import groupby
from operator import itemgetter

from nmdkg.core.namespaces import DELIMITERS, HEAD
from nmdkg.core.ntriples import NTriple, parse_object

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"


def context(prefixes: dict[str, str]) -> dict:
    """A JSON-LD 1.1 context for ``prefixes``.

    A namespace that does not end in ``/`` or ``#`` (``MONDO_``, ``HP_``) is declared with
    ``"@prefix": true`` so that JSON-LD 1.1 processors expand compact IRIs such as ``MONDO:0009688``.
    """
    return {
        prefix: namespace if namespace[-1] in "/#:?[]@" else {"@id": namespace, "@prefix": True}
        for prefix, namespace in sorted(prefixes.items())
    }


class _Compactor:
    """IRI -> CURIE under the longest namespace of ``prefixes`` that is a proper prefix of it, else the IRI.

    When every namespace ends with a delimiter (as those of ``nmdkg.export.rdf.used_prefixes`` do), the answer
    depends only on the IRI up to its last delimiter (:data:`nmdkg.core.namespaces.HEAD`), and millions of IRIs
    share a few hundred such heads. Answers are also kept per IRI, up to a bound (objects repeat).
    """

    def __init__(self, prefixes: dict[str, str]):
        self.by_length = sorted(prefixes.items(), key=lambda item: (-len(item[1]), item[0]))
        self.by_head = all(namespace[-1:] in DELIMITERS for namespace in prefixes.values())
        self.heads: dict[str, tuple[str, str] | None] = {}
        self.cache: dict[str, str] = {}

    def _longest(self, iri: str) -> tuple[str, str] | None:
        for prefix, namespace in self.by_length:
            if iri.startswith(namespace) and len(iri) > len(namespace):
                return prefix, namespace
        return None

    def __call__(self, iri: str) -> str:
        found = self.cache.get(iri)
        if found is not None:
            return found
        if self.by_head:
            match = HEAD.match(iri)
            head = match.group() if match else ""
            if head not in self.heads:
                self.heads[head] = self._longest(head + "x") if head else None
            namespace = self.heads[head]
        else:
            namespace = self._longest(iri)
        found = iri if namespace is None else f"{namespace[0]}:{iri[len(namespace[1]):]}"
        if len(self.cache) < 500_000:
            self.cache[iri] = found
        return found


def write(triples: Iterable[NTriple], prefixes: dict[str, str]) -> Iterator[str]:
    """Yield the text of a compacted, flattened JSON-LD document of ``triples`` (sorted canonical form).

    Each node object is the text ``json.dumps`` writes for ``{"@id": ..., "@type": [...], key: [values]}``
    with ``separators=(", ", ": ")``, put together from pieces that are encoded once per distinct term
    (objects repeat: the same phenotype, evidence code or source in thousands of nodes).
    """
    compact = _Compactor(prefixes)
    dumps = json.dumps
    yield '{\n  "@context": ' + dumps(context(prefixes), indent=2, ensure_ascii=False).replace("\n", "\n  ")
    yield ',\n  "@graph": ['
    strings: dict[str, str] = {}  # IRI -> its compacted form as a JSON string
    values: dict[str, str] = {}  # object term -> its value object as JSON text

    def string(iri: str) -> str:
        found = strings.get(iri)
        if found is None:
            found = dumps(compact(iri), ensure_ascii=False)
            if len(strings) < _CACHED:
                strings[iri] = found
        return found

    def value(text: str) -> str:
        found = values.get(text)
        if found is None:
            found = dumps(_value(text, compact), ensure_ascii=False, separators=(", ", ": "))
            if len(values) < _CACHED:
                values[text] = found
        return found

    separator = "\n    "
    for subject, group in groupby(triples, key=itemgetter(0)):
        parts = [separator, '{"@id": ', dumps(compact(subject[1:-1]), ensure_ascii=False)]
        for predicate, same in groupby(group, key=itemgetter(1)):
            if predicate == RDF_TYPE:
                parts.append(', "@type": [' + ", ".join(string(t[2][1:-1]) for t in same) + "]")
            else:
                parts.append(", " + string(predicate[1:-1]) + ": [" + ", ".join(value(t[2]) for t in same) + "]")
        parts.append("}")
        yield "".join(parts)
        separator = ",\n    "
    yield "\n  ]\n}\n"


#: At most this many distinct terms are kept encoded (objects repeat; subjects do not).
_CACHED = 500_000


def _value(text: str, compact: _Compactor) -> dict[str, str]:
    kind, lexical, language, datatype = parse_object(text)
    if kind == "iri":
        return {"@id": compact(lexical)}
    if language:
        return {"@value": lexical, "@language": language}
    if datatype:
        return {"@value": lexical, "@type": compact(datatype)}
    return {"@value": lexical}
