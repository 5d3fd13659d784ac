"""Content tests on the real graph: the article's facts, their provenance, and the corrections."""

from __future__ import annotations

from rdflib import Graph, Literal
from rdflib.namespace import RDF, RDFS

from nmdkg.core.namespaces import BIOLINK, NMDKG, NMDKGR, expand

MG, SMA, GBS, MS, DMD = (expand(c) for c in
                         ("MONDO:0009688", "MONDO:0001516", "MONDO:0016218", "MONDO:0005301", "MONDO:0010679"))
ARTICLE = NMDKGR["nmd-article"]

FACT_PREDICATES = (NMDKG.hasPhenotype, NMDKG.causedBy, NMDKG.triggeredBy, NMDKG.hasGermlineMutationIn,
                   NMDKG.causes, NMDKG.treats, NMDKG.prevents, NMDKG.hasCopingStrategy)


def ask(graph: Graph, query: str, **bindings) -> bool:
    return graph.query(query, initNs={"nmdkg": NMDKG, "biolink": BIOLINK, "rdfs": RDFS},
                       initBindings=bindings).askAnswer


def test_mg_is_treated_by_pyridostigmine(graph):
    assert (expand("DRUGBANK:DB00545"), NMDKG.treats, MG) in graph
    assert (expand("DRUGBANK:DB00545"), RDFS.subClassOf, expand("CHEBI:37733")) in graph   # MAxO's ChEBI import


def test_dmd_has_germline_mutation_in_dmd_but_broad_sma_not_in_smn1(graph):
    """Issue 14: only 5q SMA is caused by SMN1, so the broad SMA class gets no gene edge (rejected claim)."""
    assert (SMA, NMDKG.hasGermlineMutationIn, expand("HGNC:11117")) not in graph
    assert (DMD, NMDKG.hasGermlineMutationIn, expand("HGNC:2928")) in graph


def test_gbs_is_triggered_by_viral_infection(graph):
    assert (GBS, NMDKG.triggeredBy, NMDKGR["viral-infection"]) in graph
    assert (NMDKGR["viral-infection"], RDF.type, NMDKG.Infection) in graph


def test_autoimmune_disorders_are_mg_and_gbs(graph):
    rows = graph.query("""
        SELECT DISTINCT ?d WHERE { ?d nmdkg:causedBy ?c . ?c a/rdfs:subClassOf* nmdkg:AutoimmuneReaction }
    """, initNs={"nmdkg": NMDKG, "rdfs": RDFS})
    assert {r.d for r in rows} == {MG, GBS}


def test_coping_strategies_of_each_impact(graph):
    def strategies(impact: str) -> set[str]:
        return {str(graph.value(s, RDFS.label)) for s in graph.objects(NMDKGR[impact], NMDKG.hasCopingStrategy)}

    assert strategies("depression-and-anxiety") == {"psychotherapy", "mindfulness practice",
                                                    "medication for depression or anxiety"}
    assert strategies("loss-of-independence") == {"assistive device", "home modification"}
    assert strategies("frustration-and-fatigue") == {"support group", "energy conservation techniques"}


def test_eleven_symptom_groups_each_with_findings(graph):
    groups = set(graph.subjects(RDF.type, NMDKG.SymptomGroup))
    assert len(groups) == 11
    for group in groups:
        assert list(graph.objects(group, NMDKG.hasMember)), f"{group} has no findings"


def test_every_fact_triple_has_an_association_with_a_source(graph):
    checked = 0
    for predicate in FACT_PREDICATES:
        for s, o in graph.subject_objects(predicate):
            checked += 1
            assert ask(graph, """
                ASK { ?a biolink:subject ?s ; biolink:predicate ?p ; biolink:object ?o ;
                         nmdkg:claimedBy/a nmdkg:SourceDocument }""", s=s, p=predicate, o=o), (s, predicate, o)
    assert checked > 80


def test_every_association_comes_from_a_section_of_a_document(graph):
    """The article's facts come from its sections; approvals and guidelines from PubMed records."""
    associations = set(graph.subjects(NMDKG.claimedBy, None))
    therapies = set(graph.subjects(RDF.type, NMDKG.TherapyIndicationAssociation))
    assert associations and therapies
    for a in associations - therapies:
        for section in graph.objects(a, NMDKG.claimedBy):
            assert graph.value(section, RDFS.label) is not None
            assert (section, expand("dcterms:isPartOf"), ARTICLE) in graph
    for a in therapies:
        sources = list(graph.objects(a, NMDKG.claimedBy))
        assert sources and all(str(graph.value(s, expand("dcterms:identifier"))).startswith("PMID:") for s in sources)


def test_ms_claim_is_kept_but_rejected(graph):
    assert (MS, RDF.type, NMDKG.NeuromuscularDisorder) not in graph
    assert (MS, RDF.type, NMDKG.CentralNervousSystemDisorder) in graph
    rows = list(graph.query("""
        SELECT ?claim ?section ?citation WHERE {
            ?claim biolink:subject ?ms ; biolink:predicate rdf:type ; biolink:object nmdkg:NeuromuscularDisorder ;
                   nmdkg:claimedBy ?section .
            ?correction nmdkg:corrects ?claim ; nmdkg:correctionKind nmdkg:Rejected ; nmdkg:citation ?citation .
        }""", initNs={"nmdkg": NMDKG, "biolink": BIOLINK, "rdf": RDF}, initBindings={"ms": MS}))
    assert [(r.section, r.citation) for r in rows] == [(NMDKGR["article-what-are-nmds"], expand("PMID:29320652"))]


def test_refined_claims_stay_asserted(graph):
    assert (expand("CHEBI:50858"), NMDKG.treats, NMDKGR["autoimmune-reaction"]) in graph
    refined = set(graph.subjects(NMDKG.correctionKind, NMDKG.Refined))
    assert len(refined) >= 5


def test_entities_are_named_by_standard_identifiers(graph, curated):
    for table in ("disorders", "genes", "pathogens", "agents", "phenotypes"):
        for row in curated[table]:
            iri = expand(row.id)
            assert (iri, expand("dcterms:identifier"), Literal(row.id)) in graph, row.id


def test_disorder_mappings_to_omim_and_orphanet(graph):
    assert (MG, expand("skos:exactMatch"), expand("OMIM:254200")) in graph
    assert (MG, expand("skos:exactMatch"), expand("ORPHA:589")) in graph
    assert (DMD, expand("skos:exactMatch"), expand("OMIM:310200")) in graph
