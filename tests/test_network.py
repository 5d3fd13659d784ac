"""Graph -> NetworkX: the bipartite disorder-phenotype network read by SPARQL, on a hand-made graph and on
the real builds."""

from __future__ import annotations

import json

import networkx as nx
import pytest
from rdflib import Graph
from rdflib.namespace import RDFS

from nmdkg.analysis import network
from nmdkg.core.errors import InputError
from nmdkg.core.namespaces import BIOLINK, NMDKG, compress, expand

#: Two annotated diseases under one article disorder, with every frequency form, a negated annotation, a
#: plain triple whose only annotation is negated, a rejected claim (association without its triple) and a
#: small HPO hierarchy.
TOY = """
@prefix nmdkg: <https://w3id.org/nmdkg/ontology/> .
@prefix NMDKG: <https://w3id.org/nmdkg/resource/> .
@prefix biolink: <https://w3id.org/biolink/vocab/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix HP: <http://purl.obolibrary.org/obo/HP_> .
@prefix OMIM: <http://purl.obolibrary.org/obo/OMIM_> .
@prefix MONDO: <http://purl.obolibrary.org/obo/MONDO_> .
@prefix ORPHA: <http://www.orpha.net/ORDO/Orphanet_> .

MONDO:0010679 a nmdkg:MuscularDystrophy ; rdfs:label "Duchenne muscular dystrophy"@en ;
    dcterms:identifier "MONDO:0010679" ; nmdkg:hasPhenotype HP:0003198 .
OMIM:310200 a nmdkg:MuscularDystrophy ; rdfs:label "Duchenne muscular dystrophy"@en ;
    dcterms:identifier "OMIM:310200" ; rdfs:subClassOf MONDO:0010679 ;
    nmdkg:hasPhenotype HP:0003236, HP:0003707, HP:0001270, HP:0003198 .
ORPHA:589 a nmdkg:NeuromuscularJunctionDisorder ; rdfs:label "Myasthenia gravis"@en ;
    dcterms:identifier "ORPHA:589" ; nmdkg:hasPhenotype HP:0001324, HP:0003236 .

NMDKG:a1 biolink:subject OMIM:310200 ; biolink:predicate nmdkg:hasPhenotype ; biolink:object HP:0003236 ;
    biolink:frequency_qualifier HP:0040280 ; nmdkg:claimedBy NMDKG:source-phenotype-hpoa .
NMDKG:a2 biolink:subject OMIM:310200 ; biolink:predicate nmdkg:hasPhenotype ; biolink:object HP:0003707 ;
    biolink:has_count 3 ; biolink:has_total 4 ; nmdkg:claimedBy NMDKG:source-phenotype-hpoa .
NMDKG:a3 biolink:subject ORPHA:589 ; biolink:predicate nmdkg:hasPhenotype ; biolink:object HP:0001324 ;
    biolink:has_percentage 90.0 ; nmdkg:claimedBy NMDKG:source-phenotype-hpoa .
NMDKG:a3b biolink:subject ORPHA:589 ; biolink:predicate nmdkg:hasPhenotype ; biolink:object HP:0001324 ;
    biolink:frequency_qualifier HP:0040284 ; nmdkg:claimedBy NMDKG:article .
NMDKG:a4 biolink:subject ORPHA:589 ; biolink:predicate nmdkg:hasPhenotype ; biolink:object HP:0001250 ;
    biolink:negated true .
NMDKG:a5 biolink:subject ORPHA:589 ; biolink:predicate nmdkg:hasPhenotype ; biolink:object HP:0003236 ;
    biolink:negated true .
NMDKG:a6 biolink:subject OMIM:310200 ; biolink:predicate nmdkg:hasPhenotype ; biolink:object HP:0001324 ;
    nmdkg:claimedBy NMDKG:article .

HP:0000118 rdfs:label "Phenotypic abnormality"@en .
HP:0003011 rdfs:label "Abnormality of the musculature"@en ; rdfs:subClassOf HP:0000118 .
HP:0003198 rdfs:label "Myopathy"@en ; rdfs:subClassOf HP:0003011 .
HP:0001324 rdfs:label "Muscle weakness"@en ; rdfs:subClassOf HP:0003011 .
HP:0003707 rdfs:label "Calf muscle pseudohypertrophy"@en ; rdfs:subClassOf HP:0003011 .
HP:0003236 rdfs:label "Elevated circulating creatine kinase concentration"@en ; rdfs:subClassOf HP:0000118 .
HP:0001270 rdfs:label "Motor delay"@en ; rdfs:subClassOf HP:0000118 .
HP:0001250 rdfs:label "Seizure"@en ; rdfs:subClassOf HP:0000118 .
"""


@pytest.fixture(scope="module")
def toy_graph() -> Graph:
    return Graph().parse(data=TOY, format="turtle")


@pytest.fixture(scope="module")
def toy(toy_graph) -> network.PhenotypeData:
    return network.read(toy_graph)


def test_nodes_have_kind_label_identifier(toy):
    B = toy.bipartite
    assert toy.disorders() == ["MONDO:0010679", "OMIM:310200", "ORPHA:589"]
    assert B.nodes["OMIM:310200"] == {
        "kind": "disorder", "bipartite": 0, "label": "Duchenne muscular dystrophy",
        "identifier": "OMIM:310200", "iri": "http://purl.obolibrary.org/obo/OMIM_310200",
        "category": "MuscularDystrophy", "counterpart_of": "MONDO:0010679"}
    assert B.nodes["HP:0003707"]["kind"] == "phenotype"
    assert B.nodes["HP:0003707"]["label"] == "Calf muscle pseudohypertrophy"
    assert B.nodes["HP:0003707"]["bipartite"] == 1
    assert nx.is_bipartite(B)


def test_edges_carry_frequency_in_every_form_and_source(toy):
    B = toy.bipartite
    assert B.edges["OMIM:310200", "HP:0003236"] == {"frequency": 1.0, "source": "NMDKG:source-phenotype-hpoa"}
    assert B.edges["OMIM:310200", "HP:0003707"]["frequency"] == 0.75          # 3/4
    # two annotations: 90 % (percentage) and Very rare; the edge keeps the highest, and both sources
    assert B.edges["ORPHA:589", "HP:0001324"] == {"frequency": 0.9,
                                                   "source": "NMDKG:article|NMDKG:source-phenotype-hpoa"}
    assert "frequency" not in B.edges["OMIM:310200", "HP:0001270"]           # a plain triple, no annotation


def test_negated_annotations_never_become_edges(toy):
    B = toy.bipartite
    assert not B.has_edge("ORPHA:589", "HP:0001250")   # NOT, no plain triple
    assert not B.has_edge("ORPHA:589", "HP:0003236")   # a plain triple whose only annotation is NOT
    assert toy.negated == (("ORPHA:589", "HP:0001250"), ("ORPHA:589", "HP:0003236"))


def test_a_claim_without_its_triple_is_not_an_edge(toy):
    assert not toy.bipartite.has_edge("OMIM:310200", "HP:0001324")


def test_hierarchy_labels_and_counterparts(toy):
    assert toy.parents["HP:0001324"] == ("HP:0003011",)
    assert toy.term_labels["HP:0000118"] == "Phenotypic abnormality"
    assert "HP:0000118" in toy.terms() and "HP:0001250" in toy.terms()
    assert toy.counterparts == {"OMIM:310200": ("MONDO:0010679",)}


def test_every_kind_of_source_reads_the_same(toy_graph, toy, tmp_path):
    from nmdkg.store import Store

    path = tmp_path / "toy.nt"
    toy_graph.serialize(path, format="nt", encoding="utf-8")
    for source in (path, str(path), path.read_bytes(), Store.from_graph(toy_graph, engine="rdflib")):
        other = network.read(source)
        assert sorted(other.bipartite.edges(data=True)) == sorted(toy.bipartite.edges(data=True)), source
        assert dict(other.bipartite.nodes(data=True)) == dict(toy.bipartite.nodes(data=True))
        assert other.negated == toy.negated and other.parents == toy.parents


def test_unreadable_sources_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="RDF file not found"):
        network.read(tmp_path / "missing.nt")
    bad = tmp_path / "bad.nt"
    bad.write_text("<a> <b> .\n")
    with pytest.raises(InputError, match="not valid N-Triples"):
        network.read(bad)
    table = tmp_path / "x.csv"
    table.write_text("")
    with pytest.raises(InputError, match="unknown RDF file suffix"):
        network.read(table)
    with pytest.raises(TypeError):
        network.read(42)


def test_incidence_and_projection(toy):
    X = network.incidence(toy.bipartite, ["OMIM:310200", "ORPHA:589"], ["HP:0003236", "HP:0001324"])
    assert X.toarray().tolist() == [[1, 0], [0, 1]]   # ORPHA:589's CK edge is negated-only: not there
    G = network.projection(X @ X.T, ["OMIM:310200", "ORPHA:589"], B=toy.bipartite)
    assert G.number_of_edges() == 0 and G.nodes["ORPHA:589"]["label"] == "Myasthenia gravis"


@pytest.mark.parametrize("curie", ["HP:0001324", "OMIM:310200", "ORPHA:589", "MONDO:0009688",
                                   "NMDKG:article", "DECIPHER:1"])
def test_network_curies_are_the_prefix_maps(curie):
    iri = str(expand(curie))
    assert network.curie(iri) == curie == compress(iri)


def test_article_scope(graph):
    data = network.read(graph)
    disorders = data.disorders()
    assert disorders and all(d.startswith("MONDO:") for d in disorders)
    plain = {(network.curie(str(s)), network.curie(str(o)))
             for s, o in graph.subject_objects(NMDKG.hasPhenotype)}
    assert {(d, p) for d, p in data.bipartite.edges() if d in disorders} | \
        {(p, d) for d, p in data.bipartite.edges() if p in disorders} >= plain


def test_default_build_network(nmd_graph):
    data = network.read(nmd_graph)
    B = data.bipartite
    annotated = [d for d in data.disorders() if d.startswith(network.ANNOTATED_PREFIXES)]
    assert len(annotated) == 1115   # the MONDO selection plus overrides (issue 14; the keyword rule chose 897)
    assert all(B.degree(d) > 0 for d in data.disorders())
    assert B.number_of_edges() == len(set(nmd_graph.subject_objects(NMDKG.hasPhenotype)))
    # NOT annotations of the build are never edges
    negated = {(network.curie(str(s)), network.curie(str(o))) for s, o in nmd_graph.query(
        "SELECT ?s ?o WHERE { ?a biolink:negated true ; biolink:subject ?s ; biolink:object ?o }",
        initNs={"biolink": BIOLINK})}
    assert len(negated) > 50
    # a pair can be negated by one annotation and stated by another (a 0/n row of one study next to a
    # positive row of another, issue 14): only pairs with no positive annotation must lack an edge
    stated = {(network.curie(str(s)), network.curie(str(o))) for s, o in nmd_graph.query(
        "SELECT ?s ?o WHERE { ?a biolink:subject ?s ; biolink:object ?o ; biolink:predicate nmdkg:hasPhenotype "
        "FILTER NOT EXISTS { ?a biolink:negated true } }", initNs={"biolink": BIOLINK, "nmdkg": NMDKG})}
    assert 0 < len(negated & stated) < 10
    assert not any(B.has_edge(d, p) for d, p in negated - stated)
    assert set(data.negated) == negated
    # the article's disorders are joined to their counterparts
    assert data.counterparts["OMIM:310200"] == ("MONDO:0010679",)
    assert (expand("OMIM:310200"), RDFS.subClassOf, expand("MONDO:0010679")) in nmd_graph
    share = sum(1 for *_, f in B.edges(data="frequency") if f is not None) / B.number_of_edges()
    assert 0.5 < share < 1.0


def _same(a: network.PhenotypeData, b: network.PhenotypeData) -> None:
    """Two readings of a network are the same: nodes and edges with their attributes, in the same order."""
    assert list(a.bipartite.nodes(data=True)) == list(b.bipartite.nodes(data=True))
    assert list(a.bipartite.edges(data=True)) == list(b.bipartite.edges(data=True))
    assert a.negated == b.negated and a.parents == b.parents and a.counterparts == b.counterparts
    assert a.term_labels == b.term_labels


def test_the_saved_form_rebuilds_the_network(toy):
    document, arrays = network.to_tables(toy)
    assert document["format"] == network.TABLES_FORMAT
    assert arrays["incidence_indices"].dtype.kind == "i" and len(arrays["incidence_indices"]) == \
        toy.bipartite.number_of_edges() == 6  # OMIM:310200's 4, MONDO:0010679's 1, ORPHA:589's 1
    again = network.from_tables(json.loads(json.dumps(document)), arrays)
    _same(toy, again)
    assert "HP:0001250" in {p for _, p in again.negated}  # a negated phenotype that is no edge
    with pytest.raises(ValueError, match="nmdkg-network"):
        network.from_tables({**document, "format": "nmdkg-network/0"}, arrays)


def test_the_triples_source_reads_as_sparql_does(toy_graph, toy, nmd_triples):
    from nmdkg.core.ntriples import canonical, lines

    _same(network.read(network.TriplesSource(canonical(toy_graph))), toy)
    _same(network.read(network.TriplesSource(nmd_triples)), network.read(lines(nmd_triples)))
    with pytest.raises(ValueError, match="answers only"):
        network.TriplesSource([]).select("SELECT * WHERE { ?s ?p ?o }")


def test_the_triples_source_gives_the_rankers_annotations_as_sparql_does(toy_graph, nmd_triples):
    """The build reads the ranker's annotations from its triples (``ASSOCIATIONS_QUERY`` answered by a
    TriplesSource): the same annotations, publications included, as by SPARQL on Oxigraph."""
    from collections import Counter

    from nmdkg.core.ntriples import canonical, lines
    from nmdkg.diagnose.ranker import read_associations

    def annotations(source) -> Counter:
        return Counter((key, a) for key, found in read_associations(source).items() for a in found)

    for triples in (canonical(toy_graph), nmd_triples):
        from_triples = annotations(network.TriplesSource(triples))
        assert from_triples == annotations(network.SparqlSource(lines(triples)))
    assert sum(1 for _, a in from_triples if a.publications) > 1000 and any(a.negated for _, a in from_triples)
