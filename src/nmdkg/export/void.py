"""Build -> dataset description: a VoID / HCLS description of the release, in Turtle (``output/void.ttl``).

Following the three levels of the W3C HCLS Community Profile for dataset descriptions: the **summary**
(``https://w3id.org/nmdkg``: title, description, licence, no version), the **version** (the release IRI
stamped from the package version: ``pav:version``, ``dct:isVersionOf``, its sources and statistics) and the
**distributions** (each file the build wrote: format, byte size, SHA-256). The statistics are VoID's:
``void:triples``, ``void:entities``, ``void:distinctSubjects``, ``void:distinctObjects``, ``void:classes``,
``void:properties``, with a ``void:classPartition`` per class and a ``void:propertyPartition`` per property.

The sources are every upstream source the graph names (the HPO files, with their release version and
checksum as the graph records them, the licence read from ``hp.obo``'s header) and every vendored slice
under ``data/upstream/<name>/MANIFEST.json`` (source repository, commit, release version, licence, the
checksum of each upstream and vendored file), whatever slices exist.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCMITYPE, DCTERMS, RDF, XSD

from nmdkg.core.errors import InputError
from nmdkg.core.io import sha256_of
from nmdkg.core.ntriples import NTriple, parse_object
from nmdkg.core.paths import CURATED_DIR

VOID = Namespace("http://rdfs.org/ns/void#")
PAV = Namespace("http://purl.org/pav/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
SUMMARY = URIRef("https://w3id.org/nmdkg")
DATA_LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
UPSTREAM_DIR = CURATED_DIR.parent / "upstream"
#: The media type of each file a build may write, by suffix.
MEDIA_TYPES = {".ttl": "text/turtle", ".jsonld": "application/ld+json", ".nt": "application/n-triples",
               ".rdf": "application/rdf+xml", ".tsv": "text/tab-separated-values", ".json": "application/json"}

_RDF_TYPE = f"<{RDF.type}>"
_NMDKG_SOURCE = "<https://w3id.org/nmdkg/ontology/SourceDocument>"
_VERSION_INFO = "<http://www.w3.org/2002/07/owl#versionInfo>"
_SHA256 = "<https://w3id.org/nmdkg/ontology/sha256>"
_TITLE = f"<{DCTERMS.title}>"


def release_iri(version: str) -> URIRef:
    return URIRef(f"https://w3id.org/nmdkg/releases/{version}")


def read_manifests(root: Path = UPSTREAM_DIR) -> list[tuple[str, dict]]:
    """``(slice name, manifest)`` for every ``<root>/<name>/MANIFEST.json``, sorted by name; none is fine.

    A manifest that is not a JSON object is an ``InputError`` naming the file.
    """
    found = []
    for path in sorted(Path(root).glob("*/MANIFEST.json")):
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(f"{path}: cannot read the manifest: {exc}") from exc
        if not isinstance(manifest, dict):
            raise InputError(f"{path}: a manifest is a JSON object")
        found.append((path.parent.name, manifest))
    return found


def hpo_licence() -> str | None:
    """The licence IRI ``hp.obo`` declares in its header (``property_value: terms:license IRI``)."""
    from nmdkg.sources.hpo_obo import hp_obo_path

    with open(hp_obo_path(), encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("[Term]"):
                break
            if line.startswith("property_value: terms:license "):
                return line.split()[2]
    return None


def statistics(triples: list[NTriple]) -> dict:
    """VoID's counts of a graph given as N-Triples term strings."""
    subjects, objects, typed = set(), set(), defaultdict(set)
    per_property: Counter = Counter()
    for s, p, o in triples:
        subjects.add(s)
        objects.add(o)
        per_property[p] += 1
        if p == _RDF_TYPE:
            typed[o].add(s)
    return {"triples": len(triples), "distinctSubjects": len(subjects), "distinctObjects": len(objects),
            "entities": len(set().union(*typed.values())) if typed else 0, "classes": len(typed),
            "properties": len(per_property),
            "classPartition": {c[1:-1]: len(members) for c, members in sorted(typed.items())},
            "propertyPartition": {p[1:-1]: n for p, n in sorted(per_property.items())}}


def _graph_sources(triples: list[NTriple]) -> dict[str, dict[str, str]]:
    """The source documents that carry a version (upstream files): IRI -> title, version, sha256."""
    documents = {s for s, p, o in triples if p == _RDF_TYPE and o == _NMDKG_SOURCE}
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for s, p, o in triples:
        if s in documents and p in (_VERSION_INFO, _SHA256, _TITLE):
            found[s][{_VERSION_INFO: "version", _SHA256: "sha256", _TITLE: "title"}[p]] = parse_object(o)[1]
    return {s[1:-1]: values for s, values in sorted(found.items()) if "version" in values}


def describe(triples: list[NTriple], version: str, distributions: dict[str, bytes | Path],
             manifests: Iterable[tuple[str, dict]] | None = None) -> Graph:
    """The description as an rdflib graph (IRIs only, no blank nodes).

    ``distributions`` maps each written file's name to its bytes or to a file holding them.
    """
    g = Graph(bind_namespaces="none")
    release = release_iri(version)
    base = f"{release}/void#"
    g.add((SUMMARY, RDF.type, DCMITYPE.Dataset))
    g.add((SUMMARY, DCTERMS.title, Literal("nmdkg: the open knowledge graph of neuromuscular disorders", lang="en")))
    g.add((SUMMARY, DCTERMS.description, Literal(
        "Neuromuscular disorders, their causes, genes, symptoms, treatments and emotional impacts, each fact "
        "with its source; for research and education, not for clinical decisions.", lang="en")))
    g.add((SUMMARY, DCTERMS.license, DATA_LICENSE))
    g.add((release, RDF.type, DCMITYPE.Dataset))
    g.add((release, RDF.type, VOID.Dataset))
    g.add((release, DCTERMS.isVersionOf, SUMMARY))
    g.add((release, PAV.version, Literal(version)))
    g.add((release, DCTERMS.title, Literal(f"nmdkg release {version}", lang="en")))
    g.add((release, DCTERMS.license, DATA_LICENSE))
    stats = statistics(triples)
    for key in ("triples", "entities", "distinctSubjects", "distinctObjects", "classes", "properties"):
        g.add((release, VOID[key], Literal(stats[key])))
    for kind, key, prop in (("class", "classPartition", VOID["class"]), ("property", "propertyPartition",
                                                                           VOID.property)):
        for iri, count in stats[key].items():
            part = URIRef(base + f"{kind}-" + hashlib.sha1(iri.encode()).hexdigest()[:12])
            g.add((release, VOID[key], part))
            g.add((part, prop, URIRef(iri)))
            g.add((part, VOID.entities if kind == "class" else VOID.triples, Literal(count)))
    licence = hpo_licence()
    for iri, values in _graph_sources(triples).items():
        source = URIRef(iri)
        g.add((release, DCTERMS.source, source))
        g.add((source, RDF.type, DCMITYPE.Dataset))
        g.add((source, DCTERMS.title, Literal(values.get("title", iri), lang="en")))
        g.add((source, PAV.version, Literal(values["version"])))
        if "sha256" in values:
            _checksum(g, source, values["sha256"], base)
        if licence:
            g.add((source, DCTERMS.license, URIRef(licence)))
    for name, manifest in (read_manifests() if manifests is None else manifests):
        _manifest(g, release, name, manifest, base)
    for name, content in sorted(distributions.items()):
        if isinstance(content, Path):  # a file written by the build, hashed once (nmdkg.core.io.sha256_of)
            size, sha256 = content.stat().st_size, sha256_of(content)
        else:
            size, sha256 = len(content), hashlib.sha256(content).hexdigest()
        file = URIRef(f"{release}/{name}")
        g.add((release, DCAT.distribution, file))
        g.add((file, RDF.type, DCAT.Distribution))
        g.add((file, RDF.type, VOID.Dataset))
        g.add((file, DCTERMS.title, Literal(name)))
        g.add((file, DCAT.mediaType, Literal(MEDIA_TYPES.get(Path(name).suffix, "application/octet-stream"))))
        g.add((file, DCAT.byteSize, Literal(size, datatype=XSD.nonNegativeInteger)))
        g.add((file, DCTERMS.license, DATA_LICENSE))
        _checksum(g, file, sha256, base)
    return g


def _checksum(g: Graph, node: URIRef, sha256: str, base: str) -> None:
    checksum = URIRef(base + "sha256-" + sha256)
    g.add((node, SPDX.checksum, checksum))
    g.add((checksum, RDF.type, SPDX.Checksum))
    g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    g.add((checksum, SPDX.checksumValue, Literal(sha256, datatype=XSD.hexBinary)))


def _manifest(g: Graph, release: URIRef, name: str, manifest: dict, base: str) -> None:
    """A vendored slice: its upstream repository, commit, release, licence and file checksums."""
    source = URIRef(f"{base}upstream-{name}")
    g.add((release, DCTERMS.source, source))
    g.add((source, RDF.type, DCMITYPE.Dataset))
    g.add((source, DCTERMS.title, Literal(name)))
    if isinstance(manifest.get("source"), str):
        g.add((source, DCTERMS.isVersionOf, URIRef(f"https://github.com/{manifest['source']}")))
    if manifest.get("release_version"):
        g.add((source, PAV.version, Literal(str(manifest["release_version"]))))
    if manifest.get("commit") and isinstance(manifest.get("source"), str):
        g.add((source, PAV.retrievedFrom,
               URIRef(f"https://github.com/{manifest['source']}/tree/{manifest['commit']}")))
    licence = manifest.get("licence") or manifest.get("license")
    if isinstance(licence, str) and licence:
        g.add((source, DCTERMS.license, URIRef(licence) if licence.startswith("http") else Literal(licence)))
    if manifest.get("generated_by"):
        g.add((source, PAV.createdWith, Literal(str(manifest["generated_by"]))))
    for key in ("upstream_files", "files"):
        for path, sha256 in sorted((manifest.get(key) or {}).items()):
            part = URIRef(f"{base}upstream-{name}-{key}-" + hashlib.sha1(path.encode()).hexdigest()[:12])
            g.add((source, DCTERMS.hasPart, part))
            g.add((part, DCTERMS.title, Literal(path)))
            if key == "files":
                g.add((part, PAV.derivedFrom, source))
            if isinstance(sha256, str):
                _checksum(g, part, sha256, base)


def turtle(graph: Graph) -> bytes:
    from nmdkg.export.rdf import serialize

    return serialize(graph, "turtle")
