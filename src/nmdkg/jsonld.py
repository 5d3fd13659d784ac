"""A streaming writer of compacted JSON-LD 1.1 from canonical N-Triples.

rdflib's JSON-LD serializer builds the whole document in memory and takes minutes at full-HPO scale; the
graph has no blank nodes and few term kinds, so a flattened, compacted document can be written in one
pass over the sorted triples: one node object per subject, in subject order, properties and values in
triple order. IRIs become CURIEs wherever a context prefix covers them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import groupby

from nmdkg.ntriples import NTriple, parse_object

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
    def __init__(self, prefixes: dict[str, str]):
        self.by_length = sorted(prefixes.items(), key=lambda item: (-len(item[1]), item[0]))
        self.cache: dict[str, str] = {}

    def __call__(self, iri: str) -> str:
        found = self.cache.get(iri)
        if found is None:
            found = iri
            for prefix, namespace in self.by_length:
                if iri.startswith(namespace) and len(iri) > len(namespace):
                    found = f"{prefix}:{iri[len(namespace):]}"
                    break
            if len(self.cache) < 200_000:
                self.cache[iri] = found
        return found


def write(triples: list[NTriple], prefixes: dict[str, str]) -> Iterator[str]:
    """Yield the text of a compacted, flattened JSON-LD document of ``triples`` (sorted canonical form)."""
    compact = _Compactor(prefixes)
    dumps = json.dumps
    yield '{\n  "@context": ' + dumps(context(prefixes), indent=2, ensure_ascii=False).replace("\n", "\n  ")
    yield ',\n  "@graph": ['
    first = True
    for subject, group in groupby(triples, key=lambda t: t[0]):
        node: dict[str, object] = {"@id": compact(subject[1:-1])}
        for predicate, values in groupby(group, key=lambda t: t[1]):
            objects = [t[2] for t in values]
            if predicate == RDF_TYPE:
                node["@type"] = [compact(o[1:-1]) for o in objects]
                continue
            node[compact(predicate[1:-1])] = [_value(o, compact) for o in objects]
        yield ("\n    " if first else ",\n    ") + dumps(node, ensure_ascii=False, separators=(", ", ": "))
        first = False
    yield "\n  ]\n}\n"


def _value(text: str, compact: _Compactor) -> dict[str, str]:
    kind, lexical, language, datatype = parse_object(text)
    if kind == "iri":
        return {"@id": compact(lexical)}
    if language:
        return {"@value": lexical, "@language": language}
    if datatype:
        return {"@value": lexical, "@type": compact(datatype)}
    return {"@value": lexical}
