"""Namespaces and CURIE handling.

``NMDKG`` is a closed namespace of the ontology's own terms: a typo such as ``NMDKG.hasPhenotpye`` raises
instead of minting a new IRI. A test checks that it and ``ontology/nmdkg.ttl`` declare the same terms.

CURIEs are expanded and compressed with the ``curies`` package over maintained prefix maps: first the
Biolink Model's map (shipped in the ``biolink-model`` package, the convention of biomedical KGs), then the
Bioregistry's (shipped in the ``bioregistry`` package) for prefixes Biolink lacks, such as ``ORPHA``.
Both work offline.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD, DefinedNamespace

if TYPE_CHECKING:  # imported where used: curies (and pydantic) take a third of a second to import
    import curies

VOCAB_IRI = "https://w3id.org/nmdkg/ontology/"
RESOURCE_IRI = "https://w3id.org/nmdkg/resource/"
ONTOLOGY_IRI = URIRef("https://w3id.org/nmdkg/ontology")

BIOLINK = Namespace("https://w3id.org/biolink/vocab/")
OBO = Namespace("http://purl.obolibrary.org/obo/")
NMDKGR = Namespace(RESOURCE_IRI)


class NMDKG(DefinedNamespace):
    """The nmdkg ontology's classes, properties and individuals."""

    _NS = Namespace(VOCAB_IRI)
    _fail = True

    # classes
    Disorder: URIRef
    NeuromuscularDisorder: URIRef
    MuscularDystrophy: URIRef
    MotorNeuronDisease: URIRef
    NeuromuscularJunctionDisorder: URIRef
    PeripheralNeuropathy: URIRef
    Polyradiculoneuropathy: URIRef
    CentralNervousSystemDisorder: URIRef
    Cause: URIRef
    GeneticMutation: URIRef
    AutoimmuneReaction: URIRef
    Infection: URIRef
    ToxicExposure: URIRef
    AgeRelatedDegeneration: URIRef
    Gene: URIRef
    Pathogen: URIRef
    ToxicAgent: URIRef
    Phenotype: URIRef
    SymptomGroup: URIRef
    TreatmentTarget: URIRef
    Treatment: URIRef
    Medication: URIRef
    DrugClass: URIRef
    PhysicalOrOccupationalTherapy: URIRef
    SpeechAndSwallowingTherapy: URIRef
    RespiratorySupport: URIRef
    AssistiveDevice: URIRef
    LifestyleAndSupport: URIRef
    EmotionalImpact: URIRef
    CopingStrategy: URIRef
    SourceDocument: URIRef
    Association: URIRef
    DisorderClassificationAssociation: URIRef
    DisorderCauseAssociation: URIRef
    DisorderGeneAssociation: URIRef
    DisorderPhenotypeAssociation: URIRef
    CauseEffectAssociation: URIRef
    TreatmentTargetAssociation: URIRef
    ImpactCopingAssociation: URIRef
    Correction: URIRef
    CorrectionKind: URIRef
    ClinicalAttribute: URIRef
    InheritanceMode: URIRef
    ClinicalModifier: URIRef
    FrequencyTerm: URIRef
    MedicalHistoryFeature: URIRef
    DisorderAttributeAssociation: URIRef
    # classes of the treatments layer (decision 0009)
    Biologic: URIRef
    GeneTherapy: URIRef
    MedicalProcedure: URIRef
    MedicalAction: URIRef
    MechanismOfAction: URIRef
    TherapyIndicationAssociation: URIRef
    MedicalActionAssociation: URIRef
    # individuals
    Rejected: URIRef
    Refined: URIRef
    # object properties
    hasPhenotype: URIRef
    causedBy: URIRef
    triggeredBy: URIRef
    hasGermlineMutationIn: URIRef
    associatedWithGene: URIRef
    hasModeOfInheritance: URIRef
    hasClinicalCourse: URIRef
    hasClinicalModifier: URIRef
    hasMedicalHistoryFeature: URIRef
    germlineMutationCauses: URIRef
    inGene: URIRef
    hasPathogen: URIRef
    hasAgent: URIRef
    causes: URIRef
    treats: URIRef
    prevents: URIRef
    hasCopingStrategy: URIRef
    hasMember: URIRef
    corrects: URIRef
    correctionKind: URIRef
    citation: URIRef
    claimedBy: URIRef
    mentionedIn: URIRef
    # datatype properties
    statement: URIRef
    example: URIRef
    evidenceCode: URIRef
    sexQualifier: URIRef
    sha256: URIRef
    # properties of the treatments layer (decision 0009)
    contraindicatedFor: URIRef
    hasMechanism: URIRef
    diseaseContext: URIRef
    hasParticipant: URIRef
    approvalStatus: URIRef
    regulatoryAgency: URIRef
    approvalYear: URIRef
    indicationQualifier: URIRef


#: Prefixes of our own namespaces and of the W3C vocabularies the graph uses.
LOCAL_PREFIXES: dict[str, str] = {
    "nmdkg": VOCAB_IRI,
    "NMDKG": RESOURCE_IRI,
    "biolink": str(BIOLINK),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
}


#: Where this project writes a prefix differently from the maps' preferred spelling (HPO's convention).
PREFERRED_PREFIXES: dict[str, str] = {"orpha": "ORPHA", "decipher": "DECIPHER"}


#: One record of the prefix map: (prefix, URI prefix, prefix synonyms, URI prefix synonyms).
PrefixRecord = tuple[str, str, list[str], list[str]]
#: Bumped when the way the maps are merged changes, so that no stale cache is read.
_MERGE_VERSION = 1


@lru_cache(maxsize=1)
def converter() -> curies.Converter:
    """The CURIE converter: our prefixes, then Biolink's map, then the Bioregistry's."""
    import curies

    return curies.Converter([curies.Record(prefix=prefix, uri_prefix=uri_prefix, prefix_synonyms=synonyms,
                                           uri_prefix_synonyms=uri_synonyms)
                             for prefix, uri_prefix, synonyms, uri_synonyms in prefix_records()],
                            strict=False)  # duplicates were excluded by _merge_records


@lru_cache(maxsize=1)
def prefix_records() -> list[PrefixRecord]:
    """The merged prefix map, read from the cache (``nmdkg.core.paths.cache_dir``) when it was merged from the
    installed versions of the maps, else merged and cached.

    Merging means importing the Bioregistry and validating its two thousand records: seconds, paid by every
    command on a cold start. The cache is keyed by the versions of ``biolink-model``, ``bioregistry`` and
    ``nmdkg`` and by our own prefixes, and written atomically; a cache that cannot be read or written is
    ignored (the map is merged again).
    """
    from nmdkg.core.paths import cache_dir

    path = cache_dir() / f"prefix-map-{_cache_key()}.json"
    try:
        cached = json.loads(path.read_text(encoding="utf-8"))
        return [(prefix, uri, list(synonyms), list(uri_synonyms)) for prefix, uri, synonyms, uri_synonyms in cached]
    except (OSError, ValueError, TypeError):
        pass
    import sys

    # seconds of silence otherwise, once per installation: say what is happening (on stderr, as progress)
    print(f"merging the prefix maps of Biolink and the Bioregistry (once; cached in {path.parent}/)",
          file=sys.stderr, flush=True)
    records = _merge_records()
    try:
        from nmdkg.core.io import write_bytes_atomic

        write_bytes_atomic(path, json.dumps(records, separators=(",", ":")).encode("utf-8"))
    except OSError:
        pass
    return records


def _cache_key() -> str:
    import hashlib
    from importlib.metadata import version

    from nmdkg import __version__

    parts = [str(_MERGE_VERSION), __version__, version("biolink-model"), version("bioregistry"),
             json.dumps([LOCAL_PREFIXES, PREFERRED_PREFIXES], sort_keys=True)]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def _merge_records() -> list[PrefixRecord]:
    """Our prefixes, then Biolink's map, then the Bioregistry's for the gaps."""
    import bioregistry
    import curies

    biolink_map = json.loads(
        resources.files("biolink_model").joinpath("prefixmaps/biolink_model_prefix_map.json").read_text()
    )
    records = [curies.Record(prefix=prefix, uri_prefix=iri) for prefix, iri in LOCAL_PREFIXES.items()]
    records += [
        curies.Record(prefix=prefix, uri_prefix=iri)
        for prefix, iri in sorted(biolink_map.items())
        if prefix not in LOCAL_PREFIXES and iri not in LOCAL_PREFIXES.values()
    ]
    # The Bioregistry fills the gaps only: a record whose prefix or URI prefix is already known is
    # skipped, and its synonyms that clash with known ones are dropped.
    prefixes = {p.casefold() for r in records for p in r._all_prefixes}
    uri_prefixes = {u for r in records for u in r._all_uri_prefixes}
    for record in bioregistry.get_converter().records:
        if record.prefix.casefold() in prefixes or record.uri_prefix in uri_prefixes:
            continue
        synonyms = [p for p in record.prefix_synonyms if p.casefold() not in prefixes]
        uri_synonyms = [u for u in record.uri_prefix_synonyms if u not in uri_prefixes]
        preferred = PREFERRED_PREFIXES.get(record.prefix, record.prefix)
        if preferred != record.prefix:  # e.g. Orphanet: ORPHA:589, as in HPO annotations
            synonyms = sorted({record.prefix, *synonyms} - {preferred})
        records.append(
            curies.Record(
                prefix=preferred,
                uri_prefix=record.uri_prefix,
                prefix_synonyms=synonyms,
                uri_prefix_synonyms=uri_synonyms,
            )
        )
        prefixes.update(p.casefold() for p in [record.prefix, *synonyms])
        uri_prefixes.update([record.uri_prefix, *uri_synonyms])
    merged = curies.Converter(records, strict=False)  # duplicates were excluded above
    return [(r.prefix, r.uri_prefix, list(r.prefix_synonyms), list(r.uri_prefix_synonyms)) for r in merged.records]


@lru_cache(maxsize=1)
def _expansions() -> dict[str, str]:
    """Every prefix and prefix synonym -> its URI prefix."""
    return {name: uri_prefix for prefix, uri_prefix, synonyms, _ in prefix_records()
            for name in (prefix, *synonyms)}


def is_known_prefix(prefix: str) -> bool:
    """Whether ``prefix`` (or a synonym of it) is a CURIE prefix of the converter."""
    return prefix in _expansions()


def expand(curie: str) -> URIRef:
    """Expand a CURIE to an IRI; raise ``ValueError`` for an unknown prefix.

    >>> str(expand("ORPHA:589")), str(expand("Orphanet:589"))
    ('http://www.orpha.net/ORDO/Orphanet_589', 'http://www.orpha.net/ORDO/Orphanet_589')
    """
    return URIRef(expand_iri(curie))


def expand_iri(curie: str) -> str:
    """:func:`expand`, as a plain string (the build's fast path writes N-Triples strings)."""
    prefix, sep, local = curie.partition(":")
    namespace = _expansions().get(prefix) if sep else None
    if namespace is None:
        raise ValueError(f"unknown CURIE prefix in {curie!r}")
    return namespace + local


@lru_cache(maxsize=1)
def _contractions() -> dict[str, str]:
    """Every URI prefix and URI prefix synonym -> the preferred CURIE prefix."""
    return {uri_prefix: prefix for prefix, main, _, uri_synonyms in prefix_records()
            for uri_prefix in (main, *uri_synonyms)}


#: The characters a namespace ends with.
DELIMITERS = "/#_:=?"
_DELIMITERS = frozenset(DELIMITERS)
#: An IRI's "head": everything up to its last delimiter before the final character (greedy).
HEAD = re.compile(r".*[/#_:=?](?=.)", re.DOTALL)


def prefix_of(iri: str) -> tuple[str, str] | None:
    """The (prefix, namespace IRI) that covers ``iri`` (the longest namespace wins), or None.

    >>> prefix_of("http://purl.obolibrary.org/obo/HP_0001324")
    ('HP', 'http://purl.obolibrary.org/obo/HP_')
    """
    iri = str(iri)
    # A namespace ends with a delimiter and is shorter than the IRI: the answer depends only on the IRI up
    # to its last delimiter (before the final character), and IRIs share few such heads.
    match = HEAD.match(iri)
    return _prefix_of_head(match.group()) if match else None


@lru_cache(maxsize=65536)
def _prefix_of_head(head: str) -> tuple[str, str] | None:
    """The longest namespace that is ``head`` or a prefix of it ending with a delimiter."""
    contractions = _contractions()
    for end in range(len(head), 0, -1):
        if head[end - 1] in _DELIMITERS:
            prefix = contractions.get(head[:end])
            if prefix is not None:
                return prefix, _expansions()[prefix]
    return None


def compress(iri: str) -> str | None:
    """The CURIE of an IRI, or None when no prefix covers it.

    >>> compress("http://www.orpha.net/ORDO/Orphanet_589")
    'ORPHA:589'
    """
    match = prefix_of(iri)
    if match is None:
        return None
    prefix, namespace = match
    return f"{prefix}:{str(iri)[len(namespace):]}" if str(iri).startswith(namespace) else None
