"""Graph -> files: Turtle, JSON-LD, N-Triples, RDF/XML.

Every output binds exactly the prefixes its IRIs use (Turtle prefixes, the JSON-LD ``@context``), is
byte-identical across runs for the same graph (sorted triples, sorted JSON, no blank nodes), and is written
atomically.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from nmdkg.io import write_bytes_atomic
from nmdkg.namespaces import prefix_of


@dataclass(frozen=True)
class Format:
    name: str
    extension: str
    rdflib_name: str
    media_type: str


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("turtle", "ttl", "turtle", "text/turtle"),
        Format("json-ld", "jsonld", "json-ld", "application/ld+json"),
        Format("nt", "nt", "nt", "application/n-triples"),
        Format("xml", "rdf", "pretty-xml", "application/rdf+xml"),
    )
}
#: Aliases accepted by ``--format``.
ALIASES = {"ttl": "turtle", "jsonld": "json-ld", "ntriples": "nt", "n-triples": "nt", "rdfxml": "xml",
           "rdf/xml": "xml", "rdf": "xml"}
#: What ``nmdkg build`` writes.
BUILD_FORMATS = ("turtle", "json-ld", "nt")


def resolve_format(name: str) -> Format:
    key = ALIASES.get(name.lower(), name.lower())
    if key not in FORMATS:
        raise ValueError(f"unknown format {name!r}; choose one of: {', '.join(FORMATS)}")
    return FORMATS[key]


def used_prefixes(graph: Graph) -> dict[str, str]:
    """The prefixes (from the project's converter) that cover at least one IRI of the graph."""
    found: dict[str, str] = {}
    seen: set[str] = set()
    for triple in graph:
        for term in triple:
            iri = term.datatype if isinstance(term, Literal) else term
            if isinstance(iri, URIRef) and iri not in seen:
                seen.add(iri)
                match = prefix_of(iri)
                if match:
                    found[match[0]] = match[1]
    return dict(sorted(found.items()))


def _with_prefixes(graph: Graph, prefixes: dict[str, str]) -> Graph:
    out = Graph(bind_namespaces="none")
    for prefix, namespace in prefixes.items():
        out.bind(prefix, namespace, override=True, replace=True)
    out += graph
    return out


def serialize(graph: Graph, fmt: str | Format) -> bytes:
    """Serialize ``graph`` deterministically in one of ``FORMATS``."""
    fmt = resolve_format(fmt) if isinstance(fmt, str) else fmt
    if fmt.name == "nt":
        lines = graph.serialize(format="nt", encoding="utf-8").decode("utf-8").splitlines()
        return ("\n".join(sorted(line for line in lines if line.strip())) + "\n").encode("utf-8")
    prefixes = used_prefixes(graph)
    if fmt.name == "json-ld":
        text = graph.serialize(format="json-ld", context=prefixes, auto_compact=True)
        document = _canonical_jsonld(json.loads(text), prefixes)
        return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
    if fmt.name == "xml":  # RDF/XML writes language tags as xml:lang
        prefixes = {**prefixes, "xml": "http://www.w3.org/XML/1998/namespace"}
    return _with_prefixes(graph, prefixes).serialize(format=fmt.rdflib_name, encoding="utf-8")


def jsonld_context(prefixes: dict[str, str]) -> dict:
    """A JSON-LD 1.1 context for ``prefixes``.

    A namespace that does not end in ``/`` or ``#`` (``MONDO_``, ``HP_``) is declared with
    ``"@prefix": true`` so that JSON-LD 1.1 processors expand compact IRIs such as ``MONDO:0009688``.
    """
    return {
        prefix: namespace if namespace[-1] in "/#:?[]@" else {"@id": namespace, "@prefix": True}
        for prefix, namespace in prefixes.items()
    }


def _canonical_jsonld(document: dict, prefixes: dict[str, str]) -> dict:
    """Compact every node IRI to a CURIE, put nodes in ``@id`` order and value lists in a stable order."""
    by_length = sorted(prefixes.items(), key=lambda item: -len(item[1]))

    def compact(iri: str) -> str:
        for prefix, namespace in by_length:
            if iri.startswith(namespace) and len(iri) > len(namespace):
                return f"{prefix}:{iri[len(namespace):]}"
        return iri

    def canonical(value):
        if isinstance(value, list):
            items = [canonical(v) for v in value]
            return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
        if isinstance(value, dict):
            return {k: compact(v) if k in ("@id", "@type") and isinstance(v, str) else canonical(v)
                    for k, v in value.items()}
        return value

    graph = document.get("@graph", [document] if "@id" in document else [])
    return {"@context": jsonld_context(prefixes), "@graph": canonical(graph)}


def write_exports(graph: Graph, out_dir: Path | str, formats: tuple[str, ...] = BUILD_FORMATS,
                  stem: str = "nmdkg") -> list[Path]:
    """Write ``graph`` in each format to ``out_dir/<stem>.<ext>``; all are serialized before any is written."""
    payloads = []
    for name in formats:
        fmt = resolve_format(name)
        payloads.append((Path(out_dir) / f"{stem}.{fmt.extension}", serialize(graph, fmt)))
    for path, data in payloads:
        write_bytes_atomic(path, data)
    return [path for path, _ in payloads]
