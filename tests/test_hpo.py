"""The HPO part of the graph: readers on small real excerpts, the selection rule and the default build."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import OWL, RDF, RDFS

from nmdkg.build.graph import build_graph
from nmdkg.build.hpo import SOURCE_HPOA, HpoSources, hpo_triples, load_sources, overrides_of
from nmdkg.build.selection import category_of, name_matches, select_neuromuscular
from nmdkg.core.namespaces import BIOLINK, NMDKG, expand
from nmdkg.core.ntriples import to_graph
from nmdkg.sources import hpo_annotations, hpo_genes, hpo_obo, mondo

RESOURCES = Path(__file__).parent / "resources" / "hpo"


@pytest.fixture(scope="module")
def excerpt() -> HpoSources:
    annotations, problems = hpo_annotations.parse(RESOURCES / "phenotype.hpoa")
    genes, gene_problems = hpo_genes.parse(RESOURCES / "genes_to_phenotype.txt")
    assert problems == gene_problems == []
    return HpoSources(hpo_obo.parse(RESOURCES / "hp.obo"), annotations, genes, mondo.load())


@pytest.fixture(scope="module")
def excerpt_graph(excerpt, curated) -> Graph:
    # the overrides name diseases of the full release, which the excerpt lacks (the build refuses those)
    without_overrides = dataclasses.replace(curated, tables={**curated.tables, "neuromuscular_overrides": ()})
    return to_graph(hpo_triples(excerpt, without_overrides, "all"), Graph())


def associations(graph: Graph, subject: str, obj: str) -> list:
    return list(graph.query("""
        SELECT ?a WHERE { ?a biolink:subject ?s ; biolink:object ?o }""", initNs={"biolink": BIOLINK},
                            initBindings={"s": expand(subject), "o": expand(obj)}))


# -- readers ---------------------------------------------------------------------------------------

def test_hpoa_reader_keeps_every_field(excerpt):
    rows = [a for a in excerpt.annotations.annotations if a.disease == "ORPHA:589" and a.hpo_id == "HP:0001324"]
    assert len(rows) == 1
    row = rows[0]
    assert (row.references, row.evidence, row.frequency, row.aspect, row.negated) == (
        ("ORPHA:589",), "TAS", "HP:0040281", "P", False)
    assert excerpt.annotations.version == "2025-01-16"
    assert len(excerpt.annotations.sha256) == 64


def test_hpoa_reader_reads_not_rows(excerpt):
    negated = {(a.disease, a.hpo_id) for a in excerpt.annotations.annotations if a.negated}
    assert ("ORPHA:178400", "HP:0003474") in negated


def test_hpoa_reader_reports_malformed_rows(tmp_path):
    bad = tmp_path / "phenotype.hpoa"
    lines = (RESOURCES / "phenotype.hpoa").read_text().splitlines()
    header_at = next(i for i, line in enumerate(lines) if line.startswith("database_id"))
    lines.insert(header_at + 1, "OMIM:1\tx\tMAYBE\tHP:0000001")
    bad.write_text("\n".join(lines) + "\n")
    _, problems = hpo_annotations.parse(bad)
    assert [(p.line, p.reason) for p in problems] == [(header_at + 2, "has 4 cells; expected 12")]


def test_obo_reader_parses_terms_and_obsoletes():
    hpo = hpo_obo.load()
    assert hpo.version == "2025-01-16"
    assert hpo.terms["HP:0001324"].name == "Muscle weakness"
    assert hpo.terms["HP:0002355"].obsolete and hpo.terms["HP:0002355"].replaced_by == "HP:0001288"
    assert "HP:0000118" in hpo.ancestors("HP:0001324")


# -- what each annotation becomes ---------------------------------------------------------------

def test_positive_annotation_is_an_edge_with_its_evidence(excerpt_graph):
    mg = expand("ORPHA:589")
    assert (mg, NMDKG.hasPhenotype, expand("HP:0001324")) in excerpt_graph
    [(node,)] = associations(excerpt_graph, "ORPHA:589", "HP:0001324")
    assert (node, BIOLINK.frequency_qualifier, expand("HP:0040281")) in excerpt_graph
    assert (node, BIOLINK.publications, expand("ORPHA:589")) in excerpt_graph
    assert (node, NMDKG.evidenceCode, Literal("TAS")) in excerpt_graph
    assert (node, NMDKG.claimedBy, SOURCE_HPOA) in excerpt_graph
    assert (node, BIOLINK.primary_knowledge_source, expand("infores:hpo-annotations")) in excerpt_graph


def test_count_frequency_and_pmid_are_carried(excerpt_graph):
    [(node,)] = associations(excerpt_graph, "OMIM:310200", "HP:0003236")
    assert (node, BIOLINK.has_count, Literal(1)) in excerpt_graph
    assert (node, BIOLINK.has_total, Literal(1)) in excerpt_graph
    assert (node, BIOLINK.publications, expand("PMID:29067653")) in excerpt_graph


def test_not_row_is_a_negated_association_never_an_edge(excerpt_graph):
    disease, term = expand("ORPHA:178400"), expand("HP:0003474")
    assert (disease, NMDKG.hasPhenotype, term) not in excerpt_graph
    [(node,)] = associations(excerpt_graph, "ORPHA:178400", "HP:0003474")
    assert (node, BIOLINK.negated, Literal(True)) in excerpt_graph


def test_inheritance_and_course_rows_are_not_phenotypes(excerpt_graph):
    dmd = expand("OMIM:310200")
    assert (dmd, NMDKG.hasModeOfInheritance, expand("HP:0001419")) in excerpt_graph
    assert (dmd, NMDKG.hasClinicalCourse, expand("HP:0011463")) in excerpt_graph
    assert (dmd, NMDKG.hasPhenotype, expand("HP:0001419")) not in excerpt_graph
    assert (expand("HP:0001419"), RDF.type, NMDKG.InheritanceMode) in excerpt_graph
    assert (expand("HP:0001419"), RDF.type, NMDKG.Phenotype) not in excerpt_graph


def test_hierarchy_is_closed_upward(excerpt_graph):
    terms = {o for o in excerpt_graph.objects(None, RDFS.subClassOf) if str(o).startswith(str(expand("HP:")))}
    assert len(terms) > 50
    for term in terms:
        assert excerpt_graph.value(term, RDFS.label) is not None, f"{term} is used but not described"
    assert (expand("HP:0000118"), RDFS.label, Literal("Phenotypic abnormality", lang="en")) in excerpt_graph


def test_release_version_and_checksums_are_recorded(excerpt_graph, excerpt):
    assert (SOURCE_HPOA, OWL.versionInfo, Literal("2025-01-16")) in excerpt_graph
    assert (SOURCE_HPOA, NMDKG.sha256, Literal(excerpt.annotations.sha256)) in excerpt_graph


def test_genes_link_to_their_diseases_and_reuse_curated_gene_nodes(excerpt_graph):
    # DMD (NCBIGene:1756) is a curated gene: its node is the HGNC one
    assert (expand("OMIM:310200"), NMDKG.associatedWithGene, expand("HGNC:2928")) in excerpt_graph
    assert (expand("NCBIGene:1756"), RDF.type, NMDKG.Gene) not in excerpt_graph


def test_zero_of_n_is_evidence_of_absence_never_an_edge(excerpt_graph):
    """Issue 14: OMIM:301075 "0/10" hearing impairment was looked for in ten patients and found in none."""
    disease, term = expand("OMIM:301075"), expand("HP:0000365")
    assert (disease, NMDKG.hasPhenotype, term) not in excerpt_graph
    [(node,)] = associations(excerpt_graph, "OMIM:301075", "HP:0000365")
    assert (node, BIOLINK.negated, Literal(True)) in excerpt_graph
    assert (node, BIOLINK.has_count, Literal(0)) in excerpt_graph
    assert (node, BIOLINK.has_total, Literal(10)) in excerpt_graph


# -- the selection: MONDO plus curated overrides ---------------------------------------------------

@pytest.fixture(scope="module")
def sources():
    return load_sources()


@pytest.fixture(scope="module")
def selected(sources, curated):
    return select_neuromuscular(sources.annotations.annotations, sources.ontology, sources.mondo,
                                overrides_of(curated))


def test_selection_count(selected, curated):
    # MONDO 2026-08-04 (rare-subset is-a edges below neuromuscular disease and myopathy) selects 1055 of the
    # 12640 OMIM/Orphanet diseases of HPO 2025-01-16; the overrides table adds 60 (the keyword rule chose 897)
    overrides = overrides_of(curated)
    assert sum(1 for d in selected.values() if d.by_mondo) == 1055
    assert len(selected) == 1055 + sum(o.include for o in overrides) - sum(not o.include for o in overrides)
    assert len(selected) == 1115, "MONDO, the overrides or the HPO release changed: update docs/decisions/0007"


@pytest.mark.parametrize("disease", ["OMIM:254200", "ORPHA:589", "OMIM:310200", "ORPHA:98896", "ORPHA:803",
                                     "OMIM:105400", "ORPHA:70", "OMIM:253300", "OMIM:253550", "OMIM:253400",
                                     "OMIM:271150", "ORPHA:98916", "ORPHA:98919", "OMIM:232300",
                                     # named in issue 14 as missed by the keyword rule
                                     "ORPHA:2912", "ORPHA:1267", "OMIM:530000", "OMIM:266500", "OMIM:105210",
                                     "ORPHA:84142"])
def test_article_disorders_and_known_nmds_are_in(selected, disease):
    assert disease in selected


@pytest.mark.parametrize("disease", ["OMIM:126200", "ORPHA:3151", "OMIM:115200", "DECIPHER:21",
                                     # heart and gut diseases the keyword rule let in (issue 14)
                                     "ORPHA:563", "ORPHA:66529", "OMIM:155310"])
def test_non_neuromuscular_diseases_are_out(sources, selected, disease):
    """MS susceptibility, an MS-ichthyosis syndrome, dilated cardiomyopathy 1A, a DECIPHER syndrome,
    peripartum and Tako-Tsubo cardiomyopathy, visceral myopathy 1."""
    assert disease in {a.disease for a in sources.annotations.annotations}
    assert disease not in selected


def test_myasthenia_gravis_is_in_by_override_only(sources, selected):
    """MONDO's rare subset has no is-a path from myasthenia gravis to neuromuscular disease."""
    assert "MONDO:0019056" not in sources.mondo.ancestors("MONDO:0009688")
    assert not selected["OMIM:254200"].by_mondo and selected["OMIM:254200"].by_override
    assert selected["OMIM:254200"].category == "NeuromuscularJunctionDisorder"


def test_categories_come_from_mondo(selected):
    assert selected["OMIM:160900"].category == "MuscularDystrophy"   # myotonic dystrophy 1
    assert selected["OMIM:162500"].category == "PeripheralNeuropathy"   # HNPP
    assert selected["OMIM:105550"].category == "MotorNeuronDisease"   # ALS/FTD 1


def test_overrides_are_checked_against_annotations_and_mondo(sources, tmp_path):
    from nmdkg.build.selection import Override, check_overrides

    rows = (Override("OMIM:999999", True, 2), Override("OMIM:310200", True, 3), Override("OMIM:254200", True, 4))
    problems = check_overrides(rows, sources.annotations.annotations, sources.mondo, tmp_path / "o.tsv")
    assert [(p.line, p.column) for p in problems] == [(2, "disease"), (3, "decision")]


def test_compare_reports_precision_and_recall(sources, curated):
    from nmdkg.build.selection import compare

    report = compare(sources.annotations.annotations, sources.ontology, sources.mondo, overrides_of(curated))
    assert report["mondo"]["recall"] == 1.0 and report["mondo"]["only_selected"]  # overrides only add
    assert report["keyword rule"]["size"] == 897
    assert "ORPHA:563" in report["keyword rule"]["only_reference"]   # peripartum cardiomyopathy
    assert "ORPHA:2912" in report["keyword rule"]["only_selected"]   # poliomyelitis


def test_name_rule_and_groups():
    assert name_matches("Charcot-Marie-Tooth disease, axonal, type 2A1")
    assert not name_matches("Auditory neuropathy, autosomal recessive, 1")
    assert category_of("Myasthenic syndrome, congenital, 1A, slow-channel") == "NeuromuscularJunctionDisorder"
    assert category_of("Duchenne muscular dystrophy") == "MuscularDystrophy"


# -- the default build ----------------------------------------------------------------------------

def test_default_build_joins_the_article_disorders(nmd_graph):
    rows = nmd_graph.query("""
        SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?d rdfs:subClassOf* ?mg . ?d nmdkg:hasPhenotype ?p }""",
                           initNs={"rdfs": RDFS, "nmdkg": NMDKG}, initBindings={"mg": expand("MONDO:0009688")})
    assert int(next(iter(rows))[0]) > 20  # the article gives MG one finding; OMIM and Orphanet give many
    # OMIM:253300 (SMA type 1) reaches SMA through MONDO's own is-a edges, not a curated join
    assert (expand("OMIM:253300"), RDFS.subClassOf, expand("MONDO:0009669")) in nmd_graph
    assert next(iter(nmd_graph.query("ASK { ?d rdfs:subClassOf+ ?sma }", initNs={"rdfs": RDFS},
                                initBindings={"d": expand("OMIM:253300"), "sma": expand("MONDO:0001516")})))
    assert (expand("MONDO:0009688"), expand("skos:exactMatch"), expand("OMIM:254200")) in nmd_graph


def test_default_build_holds_hundreds_of_diseases(nmd_graph):
    diseases = {s for s in nmd_graph.subjects(NMDKG.mentionedIn, SOURCE_HPOA)
                if str(s).startswith((str(expand("OMIM:")), str(expand("ORPHA:"))))}
    assert len(diseases) == 1115   # the MONDO selection plus overrides (was 897 by the keyword rule)
    assert len(nmd_graph) > 200_000


def test_default_build_asserts_no_zero_of_n_annotation(nmd_graph):
    """Issue 14: every 0/n annotation is negated; its plain triple exists only when another, positive
    annotation of the same disease states the same finding."""
    absent = [a for a in nmd_graph.subjects(BIOLINK.has_count, Literal(0))
              if nmd_graph.value(a, BIOLINK.predicate) == NMDKG.hasPhenotype]
    assert len(absent) == 256
    assert all((a, BIOLINK.negated, Literal(True)) in nmd_graph for a in absent)
    asserted = []
    for a in absent:
        disease, finding = nmd_graph.value(a, BIOLINK.subject), nmd_graph.value(a, BIOLINK.object)
        if (disease, NMDKG.hasPhenotype, finding) in nmd_graph:
            positive = [b for b in nmd_graph.subjects(BIOLINK.subject, disease)
                        if nmd_graph.value(b, BIOLINK.object) == finding
                        and (b, BIOLINK.negated, Literal(True)) not in nmd_graph]
            assert positive, f"{disease} {finding} is asserted from a 0/n annotation alone"
            asserted.append(a)
    assert len(asserted) == 2


def test_scope_all_is_a_superset_choice():
    with pytest.raises(Exception, match="unknown scope"):
        build_graph(scope="everything")
