"""Typed records -> RDF graph (ontology + facts).

One small function per entity kind adds that kind's triples. Every fact row becomes an association node
(Biolink style: ``biolink:subject`` / ``biolink:predicate`` / ``biolink:object``) that names the source
section it comes from (``nmdkg:claimedBy``), plus the direct triple ``subject predicate object`` so that
plain queries stay simple. A fact whose correction rejects it keeps its association (the source's claim)
but gets no direct triple. See ``docs/decisions/0001-provenance-as-association-nodes.md``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from nmdkg.build import treatments
from nmdkg.core.errors import InputError
from nmdkg.core.gcpause import paused
from nmdkg.core.namespaces import BIOLINK, NMDKG, NMDKGR, ONTOLOGY_IRI, expand
from nmdkg.core.ntriples import NTriple, ordered, term, to_graph
from nmdkg.core.paths import ONTOLOGY
from nmdkg.curated import tables as c
from nmdkg.sources import maxo


def en(text: str) -> Literal:
    return Literal(text, lang="en")


def new_graph() -> Graph:
    """An empty graph with no prefixes bound: exports bind exactly the prefixes they use."""
    return Graph(bind_namespaces="none")


def load_ontology(version: str) -> Graph:
    """The ontology, with its version IRI and version info stamped from the package version."""
    graph = new_graph()
    try:
        graph.parse(ONTOLOGY, format="turtle")
    except Exception as exc:  # rdflib raises several unrelated types for syntax errors
        raise InputError(f"{ONTOLOGY.name}: cannot parse the ontology: {exc}") from exc
    graph.add((ONTOLOGY_IRI, OWL.versionIRI, URIRef(f"https://w3id.org/nmdkg/releases/{version}/ontology")))
    graph.add((ONTOLOGY_IRI, OWL.versionInfo, Literal(version)))
    return graph


def iter_triples(data: c.Curated | None = None, *, scope: str = "nmd", version: str | None = None,
                 progress: Callable[[str], None] | None = None) -> Iterator[NTriple]:
    """Every triple of the graph, as N-Triples term strings (``nmdkg.core.ntriples``): the ontology, the curated
    tables (``data/curated`` by default) and, unless ``scope`` is ``article``, the HPO annotations of the
    scope's diseases (``nmd`` or ``all``).

    The one generator behind both sinks: an rdflib graph (``build_graph``) and the canonical N-Triples
    of the command-line build (``build_canonical``). Duplicates are possible; both sinks drop them.
    """
    from nmdkg import __version__
    from nmdkg.build.hpo import SCOPES, hpo_triples, load_sources

    if scope not in SCOPES:
        raise InputError(f"unknown scope {scope!r}; choose one of: {', '.join(SCOPES)}")
    data = data or c.load_curated()
    ontology = load_ontology(version or __version__)
    builder = _Builder(data)
    for add in _ENTITY_BUILDERS:
        add(builder)
    builder.add_facts()
    builder.add_corrections()
    builder.add_counterparts()
    for s, p, o in (*ontology, *builder.triples):
        yield term(s), term(p), term(o)
    if scope == "article":
        yield from treatments.as_ntriples(treatments.therapy_triples(data, builder.iris, None))
        return
    sources = load_sources()
    yield from hpo_triples(sources, data, scope, progress)
    yield from _treatment_triples(sources, data, scope, builder.iris, progress)


def _treatment_triples(sources, data: c.Curated, scope: str, iris: dict[str, URIRef],
                       progress: Callable[[str], None] | None) -> Iterator[NTriple]:
    """The therapies table and the MAxO annotations of the scope's diseases (``nmdkg.build.treatments``), with the
    HPO terms the annotations target."""
    from nmdkg.build.hpo import hierarchy_triples, select

    diseases = select(sources, scope, data)
    treatments.check_indications(data, diseases, scope)
    yield from treatments.as_ntriples(treatments.therapy_triples(data, iris, diseases))
    hpo = sources.ontology
    targets = {a.target for a in maxo.load_annotations().rows if a.target and a.target.startswith("HP:")}
    phenotypes = set()
    for target in targets:
        found = hpo.get(target)
        if found is not None and found.id == target and "HP:0000118" in hpo.ancestors(target):
            phenotypes.add(target)
    counts = treatments.Counts()
    yield from treatments.as_ntriples(treatments.maxo_triples(data, diseases, phenotypes, counts))
    used = {a.target for a in maxo.load_annotations().rows if a.target in phenotypes}
    yield from hierarchy_triples(hpo, used)
    if progress:
        progress(f"MAxO: {counts.kept} annotations of {len(counts.diseases)} diseases kept; "
                 f"{counts.outside_scope} outside scope '{scope}', {counts.relation_left_out} without an effect "
                 f"claim, {counts.target_left_out} with a target that is not a phenotype")


def build_graph(data: c.Curated | None = None, *, scope: str = "nmd", version: str | None = None,
                progress: Callable[[str], None] | None = None) -> Graph:
    """The knowledge graph as an rdflib ``Graph`` (see ``iter_triples`` for what it holds)."""
    return to_graph(iter_triples(data, scope=scope, version=version, progress=progress), new_graph())


@paused()
def build_canonical(data: c.Curated | None = None, *, scope: str = "nmd", version: str | None = None,
                    progress: Callable[[str], None] | None = None) -> list[NTriple]:
    """The knowledge graph as sorted, de-duplicated N-Triples terms: the fast path of ``nmdkg build``."""
    return ordered(iter_triples(data, scope=scope, version=version, progress=progress))


class _Builder:
    """Resolves curated keys to IRIs and adds triples."""

    def __init__(self, data: c.Curated):
        self.triples: list[tuple] = []
        self.data = data
        self.iris: dict[str, URIRef] = {}
        for table in c.ENTITY_TABLES:
            for record in data[table.table]:
                self.iris[record.ref] = self._iri_of(record)
        self.rejected = {
            (r.fact_table, r.subject, r.object) for r in data["corrections"] if r.kind == "rejected"
        }
        self.associations: dict[tuple[str, str, str], list[URIRef]] = {}

    @staticmethod
    def _iri_of(record: c.Record) -> URIRef:
        identifier = getattr(record, "id", None) or getattr(record, "pmid", None)
        return expand(identifier) if identifier else NMDKGR[record.ref]

    def add(self, s: URIRef, p: URIRef, o: URIRef | Literal) -> None:
        self.triples.append((s, p, o))

    def describe(self, record: c.Record, iri: URIRef, types: tuple[URIRef, ...], label: str) -> None:
        """Type, label, identifier and mentions: what every entity node carries."""
        for rdf_type in types:
            self.add(iri, RDF.type, rdf_type)
        self.add(iri, RDFS.label, en(label))
        identifier = getattr(record, "id", None) or getattr(record, "pmid", None)
        if identifier:
            self.add(iri, DCTERMS.identifier, Literal(identifier))
        for source in getattr(record, "mentioned_in", ()):
            self.add(iri, NMDKG.mentionedIn, self.iris[source])
        definition = getattr(record, "definition", None)
        if definition:
            self.add(iri, SKOS.definition, en(definition))

    # -- facts -------------------------------------------------------------------------------------

    def association(self, table: str, kind: URIRef, s: URIRef, p: URIRef, o: URIRef,
                    record: c.Fact) -> URIRef:
        source = self.iris[record.source]
        digest = hashlib.sha1(f"{s} {p} {o} {source}".encode()).hexdigest()[:16]
        node = NMDKGR[f"association-{digest}"]
        self.add(node, RDF.type, kind)
        self.add(node, BIOLINK.subject, s)
        self.add(node, BIOLINK.predicate, p)
        self.add(node, BIOLINK.object, o)
        self.add(node, NMDKG.claimedBy, source)
        self.add(node, NMDKG.statement, en(record.statement))
        if (table, record.subject, record.object) not in self.rejected:
            self.add(s, p, o)
        self.associations.setdefault((table, record.subject, record.object), []).append(node)
        return node

    def add_facts(self) -> None:
        data, iri = self.data, self.iris
        for r in data["disorder_classifications"]:
            self.association(r.table, NMDKG.DisorderClassificationAssociation, iri[r.disorder], RDF.type,
                             NMDKG[r.category], r)
        causes = data.index("causes")
        for r in data["disorder_causes"]:
            self.association(r.table, NMDKG.DisorderCauseAssociation, iri[r.disorder], NMDKG[r.relation],
                             iri[r.cause], r)
            gene = causes[r.cause].gene
            if gene:  # a genetic cause also gives the disorder-to-gene edge, from the same source
                self.association(r.table, NMDKG.DisorderGeneAssociation, iri[r.disorder],
                                 NMDKG.hasGermlineMutationIn, iri[gene], r)
        for r in data["disorder_phenotypes"]:
            self.association(r.table, NMDKG.DisorderPhenotypeAssociation, iri[r.disorder], NMDKG.hasPhenotype,
                             iri[r.phenotype], r)
        for r in data["cause_effects"]:
            self.association(r.table, NMDKG.CauseEffectAssociation, iri[r.cause], NMDKG.causes,
                             iri[r.phenotype], r)
        for r in data["intervention_targets"]:
            self.association(r.table, NMDKG.TreatmentTargetAssociation, iri[r.intervention],
                             NMDKG[r.relation], iri[r.target], r)
        for r in data["impact_coping"]:
            self.association(r.table, NMDKG.ImpactCopingAssociation, iri[r.impact], NMDKG.hasCopingStrategy,
                             iri[r.strategy], r)

    def add_counterparts(self) -> None:
        """The article disorders' mappings to their counterparts in the HPO annotations."""
        match = {"exactMatch": SKOS.exactMatch, "narrowMatch": SKOS.narrowMatch}
        for r in self.data["disorder_counterparts"]:
            self.add(self.iris[r.disorder], match[r.relation], expand(r.counterpart))

    def add_corrections(self) -> None:
        for r in self.data["corrections"]:
            node = NMDKGR[f"correction-{r.key}"]
            self.add(node, RDF.type, NMDKG.Correction)
            self.add(node, RDFS.label, en(f"correction: {r.key.replace('-', ' ')}"))
            for association in self.associations[(r.fact_table, r.subject, r.object)]:
                self.add(node, NMDKG.corrects, association)
            self.add(node, NMDKG.correctionKind, NMDKG.Rejected if r.kind == "rejected" else NMDKG.Refined)
            self.add(node, NMDKG.statement, en(r.statement))
            self.add(node, NMDKG.citation, self.iris[r.citation])


# -- one function per entity kind ------------------------------------------------------------------

def _add_sources(b: _Builder) -> None:
    for r in b.data["sources"]:
        node = b.iris[r.ref]
        b.describe(r, node, (NMDKG.SourceDocument,), r.title)
        b.add(node, DCTERMS.title, en(r.title))
        if r.part_of:
            b.add(node, DCTERMS.isPartOf, b.iris[r.part_of])
        if r.doi:
            b.add(node, RDFS.seeAlso, URIRef(f"https://doi.org/{r.doi}"))
        if r.locator:
            b.add(node, DCTERMS.bibliographicCitation, Literal(r.locator))
        if r.date:
            b.add(node, DCTERMS.date, Literal(r.date))


def _add_disorders(b: _Builder) -> None:
    for r in b.data["disorders"]:
        node = b.iris[r.ref]
        b.describe(r, node, (NMDKG[r.category],), r.label)
        for parent in r.parents:
            b.add(node, RDFS.subClassOf, b.iris[parent])
        for synonym in r.synonyms:
            b.add(node, SKOS.altLabel, en(synonym))
        for xref in r.xrefs:
            b.add(node, SKOS.exactMatch, expand(xref))


def _add_genes(b: _Builder) -> None:
    for r in b.data["genes"]:
        node = b.iris[r.ref]
        b.describe(r, node, (NMDKG.Gene,), r.symbol)
        b.add(node, SKOS.altLabel, en(r.label))
        if r.ncbigene:
            b.add(node, SKOS.exactMatch, expand(r.ncbigene))


def _add_pathogens(b: _Builder) -> None:
    for r in b.data["pathogens"]:
        b.describe(r, b.iris[r.ref], (NMDKG.Pathogen,), r.label)


def _add_agents(b: _Builder) -> None:
    for r in b.data["agents"]:
        b.describe(r, b.iris[r.ref], (NMDKG.ToxicAgent,), r.label)


def _add_causes(b: _Builder) -> None:
    links = (("gene", NMDKG.inGene), ("pathogen", NMDKG.hasPathogen), ("agent", NMDKG.hasAgent))
    for r in b.data["causes"]:
        node = b.iris[r.ref]
        b.describe(r, node, (NMDKG[r.category],), r.label)
        for column, predicate in links:
            value = getattr(r, column)
            for target in (value if isinstance(value, tuple) else (value,) if value else ()):
                b.add(node, predicate, b.iris[target])


def _add_symptoms(b: _Builder) -> None:
    for r in b.data["symptom_groups"]:
        node = b.iris[r.ref]
        b.describe(r, node, (NMDKG.SymptomGroup,), r.label)
        if r.match:
            b.add(node, SKOS.closeMatch, expand(r.match))
    for r in b.data["phenotypes"]:
        node = b.iris[r.ref]
        b.describe(r, node, (NMDKG.Phenotype,), r.label)
        for group in r.groups:
            b.add(b.iris[group], NMDKG.hasMember, node)


def _add_interventions(b: _Builder) -> None:
    for r in b.data["interventions"]:
        node = b.iris[r.ref]
        b.describe(r, node, tuple(NMDKG[category] for category in r.categories), r.label)
        if r.parent:
            b.add(node, RDFS.subClassOf, b.iris[r.parent])
        for synonym in r.synonyms:
            b.add(node, SKOS.altLabel, en(synonym))
        if r.medical_action:
            b.add(node, SKOS.relatedMatch, expand(r.medical_action))


def _add_emotional_impacts(b: _Builder) -> None:
    for r in b.data["emotional_impacts"]:
        node = b.iris[r.ref]
        b.describe(r, node, (NMDKG.EmotionalImpact,), r.label)
        for example in r.examples:
            b.add(node, NMDKG.example, en(example))
        for related in r.related:
            b.add(node, SKOS.relatedMatch, expand(related))


def _add_mechanisms(b: _Builder) -> None:
    for r in b.data["mechanisms"]:
        node = b.iris[r.ref]
        b.describe(r, node, (NMDKG.MechanismOfAction,), r.label)
        for drug_class in r.drug_classes:
            b.add(b.iris[drug_class], NMDKG.hasMechanism, node)


def _add_therapy_agents(b: _Builder) -> None:
    for r in b.data["therapy_agents"]:
        node = b.iris[r.ref]
        b.describe(r, node, tuple(NMDKG[category] for category in r.categories), r.label)
        if r.parent:
            b.add(node, RDFS.subClassOf, b.iris[r.parent])
        b.add(node, NMDKG.hasMechanism, b.iris[r.mechanism])


_ENTITY_BUILDERS: tuple[Callable[[_Builder], None], ...] = (
    _add_sources, _add_disorders, _add_genes, _add_pathogens, _add_agents, _add_causes, _add_symptoms,
    _add_interventions, _add_emotional_impacts, _add_mechanisms, _add_therapy_agents,
)
