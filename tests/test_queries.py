"""The library of competency questions (``queries/``), the loader, the store and the result formats.

Every query runs on the real graph of the curated tables and its answer is compared with a pinned file in
``tests/resources/expected/``; both engines must give the same answers. After a deliberate change, rewrite
the pins and review the diff::

    NMDKG_UPDATE_PINS=1 python -m pytest tests/test_queries.py -k pinned

Without ``NMDKG_UPDATE_PINS`` the pins are only compared.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from nmdkg.core.errors import DataError, InputError
from nmdkg.core.namespaces import NMDKG, expand
from nmdkg.core.paths import QUERIES_DIR
from nmdkg.query.library import (
    NamedQuery,
    coerce,
    find,
    infer,
    library_files,
    load_library,
    load_query_file,
    parse_params,
    to_iri,
)
from nmdkg.query.results import is_graph, rows, short, to_csv, to_json, to_tsv
from nmdkg.store import Store, check_query

EXPECTED = Path(__file__).resolve().parent / "resources" / "expected"
UPDATE_PINS = bool(os.environ.get("NMDKG_UPDATE_PINS"))
LIBRARY = load_library()

MG, GBS, SMA, DMD, MS, NMD, ALS, PN = (expand(c) for c in (
    "MONDO:0009688", "MONDO:0016218", "MONDO:0001516", "MONDO:0010679", "MONDO:0005301", "MONDO:0019056",
    "MONDO:0004976", "MONDO:0005244"))

#: Pinned cases besides each query's defaults: (query, parameters).
EXTRA_CASES = [
    ("01-disorders-by-cause-kind", {"kind": "nmdkg:Infection"}),
    ("01-disorders-by-cause-kind", {"kind": "nmdkg:Cause"}),
    ("02-causes-of-a-disorder", {"disorder": "MONDO:0001516"}),
    ("03-genes-of-a-disorder", {"disorder": "MONDO:0019056"}),
    ("05-symptoms-of-a-disorder", {"disorder": "MONDO:0019056"}),
    ("06-disorders-sharing-symptoms", {"disorder": "MONDO:0004976", "min": "1"}),
    ("08-treatments-for-a-disorder", {"disorder": "MONDO:0016218"}),
    ("09-treatments-for-a-symptom", {"phenotype": "HP:0002093"}),
    ("13-provenance-of-a-fact", {"subject": "MONDO:0005301", "predicate": "rdf:type"}),
    ("20-subtypes-of-a-disorder", {"disorder": "MONDO:0005244"}),
    ("27-is-disorder-of-class", {"disorder": "MONDO:0009688"}),
    ("28-disorder-card", {"disorder": "MONDO:0016218"}),
    ("30-find-by-name", {"text": "Lou Gehrig's"}),
    ("40-disorder-descriptions", {"disorder": "MONDO:0009688"}),
    ("41-association-sources", {"subject": "MONDO:0016218"}),
]
CASES = [(name, {}) for name in LIBRARY] + EXTRA_CASES


def case_id(name: str, params: dict[str, str]) -> str:
    """The pin's file stem: the query name, then ``__param=value`` per parameter given."""
    stem = name + "".join(f"__{key}={value}" for key, value in sorted(params.items()))
    return re.sub(r"[^A-Za-z0-9._=-]", "_", stem)


@pytest.fixture(scope="session")
def stores(graph):
    """The graph of the curated tables behind each engine."""
    return {"oxigraph": Store.from_graph(graph), "rdflib": Store.from_graph(graph, engine="rdflib")}


@pytest.fixture(scope="session")
def ox(stores):
    return stores["oxigraph"]


def answer(store: Store, name: str, params: dict[str, str] | None = None):
    return LIBRARY[name].run(store, params or {})


def terms(result) -> list | bool:
    """A result as comparable terms: rows of terms, triples, or the ASK answer."""
    if result.type == "ASK":
        return bool(result.askAnswer)
    if is_graph(result):
        return sorted(result.graph)
    return [tuple(row) for row in rows(result)]


def records(result) -> list[dict]:
    """The solutions as dicts keyed by variable name."""
    return [{str(var): term for var, term in binding.items()} for binding in result.bindings]


def column(result, var: str) -> set:
    return {record.get(var) for record in records(result)} - {None}


# -- the loader, on the real folder -----------------------------------------------------------------

def test_library_is_every_numbered_file_of_the_real_folder():
    files = library_files()
    assert len(files) >= 25, files
    assert list(LIBRARY) == [p.stem for p in files]
    assert all(q.path.parent == QUERIES_DIR for q in LIBRARY.values())
    numbers = [q.number for q in LIBRARY.values()]
    # numbers are unique and rising; blocks are reserved by topic (40-49: the site), so gaps are allowed
    assert numbers[0] == 1 and numbers == sorted(set(numbers)), "numbers run 01, 02, ... without repeats"


def test_checks_are_not_competency_questions(tmp_path):
    checks = QUERIES_DIR / "checks"
    assert not {p.stem for p in checks.glob("*.rq")} & set(LIBRARY)
    # A copy of the library with a check beside it: the check is not listed.
    (tmp_path / "checks").mkdir()
    for path in library_files()[:2]:
        (tmp_path / path.name).write_text(path.read_text())
    (tmp_path / "checks" / "no-orphan-associations-violation.rq").write_text("SELECT ?a WHERE { ?a ?b ?c }\n")
    assert list(load_library(tmp_path)) == [p.stem for p in library_files()[:2]]


@pytest.mark.parametrize("name", list(LIBRARY))
def test_header_is_complete(name):
    query = LIBRARY[name]
    assert query.title and query.description and query.reasoning, name
    assert query.examples and all(e.startswith(f"nmdkg query {name}") for e in query.examples)
    for parameter in query.parameters:
        assert parameter.description
        assert re.search(rf"[?$]{parameter.name}\b", query.text)
        if query.form == "SELECT":
            assert parameter.name in query.projected
    query.bindings()  # the defaults bind


def test_readme_indexes_the_library():
    readme = (QUERIES_DIR / "README.md").read_text()
    row = r"^\| \[`([0-9]{2}-[a-z0-9-]+)`\]\(\1\.rq\) \| ([^|]+?) \|"
    index = dict(re.findall(row, readme, re.MULTILINE))
    assert index, "no index rows found in queries/README.md"
    assert set(index) == set(LIBRARY), "queries/README.md and queries/ list different queries"
    for name, title in index.items():
        assert title == LIBRARY[name].title, f"{name}: the index's title differs from the file's"


ISSUE_TOPICS = {
    "disorders by cause kind": "01-disorders-by-cause-kind",
    "causes of a disorder": "02-causes-of-a-disorder",
    "genes of a disorder": "03-genes-of-a-disorder",
    "disorders of a gene": "04-disorders-of-a-gene",
    "symptoms of a disorder, with subtypes'": "05-symptoms-of-a-disorder",
    "disorders sharing at least N symptoms, ranked": "06-disorders-sharing-symptoms",
    "most shared symptoms": "07-most-shared-symptoms",
    "treatments for a disorder": "08-treatments-for-a-disorder",
    "treatments for a symptom": "09-treatments-for-a-symptom",
    "drug classes in autoimmune disorders": "10-drug-classes-for-autoimmune-disorders",
    "non-drug care per disorder": "11-non-drug-care-for-a-disorder",
    "emotional impacts and coping": "12-emotional-impacts-and-coping",
    "provenance of any fact": "13-provenance-of-a-fact",
    "claims that carry a correction": "14-corrected-claims",
    "identifier mappings": "15-identifier-mappings",
    "counts per node kind": "17-counts-per-node-kind",
    "counts per edge kind": "18-counts-per-edge-kind",
}


@pytest.mark.parametrize("topic", sorted(ISSUE_TOPICS))
def test_library_covers_the_topic(topic):
    assert ISSUE_TOPICS[topic] in LIBRARY


# -- bad library files: the loader names file and line ----------------------------------------------

GOOD_HEADER = """# title: T
# description: D
# param: disorder iri default=MONDO:0009688 — the disorder
# reasoning: none
# example: nmdkg query 99-test
"""
BAD_FILES = {
    "no title": (GOOD_HEADER.replace("# title: T\n", "") + "SELECT ?disorder WHERE { ?disorder ?p ?o }",
                 "lacks a 'title'"),
    "unknown type": (GOOD_HEADER.replace(" iri ", " curie ") + "SELECT ?disorder WHERE { ?disorder ?p ?o }",
                     "unknown parameter type 'curie'"),
    "unknown field": ("# color: red\n" + GOOD_HEADER + "SELECT ?disorder WHERE { ?disorder ?p ?o }",
                      "unknown header field 'color'"),
    "parameter not projected": (GOOD_HEADER + "SELECT ?p WHERE { ?disorder ?p ?o }",
                                "must project ?disorder"),
    "parameter not in the query": (GOOD_HEADER + "SELECT ?p WHERE { ?s ?p ?o }", "has no variable ?disorder"),
    "bad default": (GOOD_HEADER.replace("MONDO:0009688", "NOPE:1")
                    + "SELECT ?disorder WHERE { ?disorder ?p ?o }", "unknown CURIE prefix 'NOPE'"),
    "an update": (GOOD_HEADER + "DELETE WHERE { ?disorder ?p ?o }", "updates are refused"),
    "a syntax error": (GOOD_HEADER + "SELECT ?disorder WHERE { ?disorder ?p }", "does not parse"),
    "bad example": (GOOD_HEADER.replace("nmdkg query 99-test", "nmdkg query 98-other")
                    + "SELECT ?disorder WHERE { ?disorder ?p ?o }", "an example starts with"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_query_file_is_a_data_error_naming_file_and_line(tmp_path, case):
    text, reason = BAD_FILES[case]
    (tmp_path / "99-test.rq").write_text(text)
    with pytest.raises(DataError) as error:
        load_library(tmp_path)
    assert "99-test.rq:" in str(error.value)
    assert reason in str(error.value)


def test_an_empty_folder_is_an_empty_library(tmp_path):
    assert load_library(tmp_path) == {}


def test_find_by_name_number_prefix_or_file(tmp_path):
    assert find("05", LIBRARY).name == "05-symptoms-of-a-disorder"
    assert find("5", LIBRARY).name == "05-symptoms-of-a-disorder"
    assert find("05-symptoms-of-a-disorder", LIBRARY).name == "05-symptoms-of-a-disorder"
    assert find("disorder-card", LIBRARY).name == "28-disorder-card"
    path = tmp_path / "mine.rq"
    path.write_text("SELECT ?d WHERE { ?d a nmdkg:MotorNeuronDisease }")
    mine = find(str(path), LIBRARY)
    assert not mine.declared and mine.form == "SELECT"
    with pytest.raises(InputError, match="did you mean 05-symptoms-of-a-disorder"):
        find("05-symptom-of-a-disorder", LIBRARY)
    with pytest.raises(InputError, match="names several queries"):
        find("symptom", LIBRARY)


# -- answers, pinned -------------------------------------------------------------------------------

def pin_text(result) -> str:
    """A small human-checkable rendering: a header, then one line per answer (CURIEs, literal text)."""
    if result.type == "ASK":
        return to_json(result)

    def cell(term) -> str:
        return short(term).replace("\t", "\\t")

    if is_graph(result):
        lines = sorted("\t".join(cell(t) for t in triple) for triple in result.graph)
        return "\n".join(["subject\tpredicate\tobject", *lines]) + "\n"
    lines = ["\t".join(cell(t) for t in row) for row in rows(result)]
    return "\n".join(["\t".join(str(v) for v in result.vars), *lines]) + "\n"


@pytest.mark.parametrize(("name", "params"), CASES, ids=[case_id(*c) for c in CASES])
def test_pinned_answer(ox, name, params):
    query = LIBRARY[name]
    result = query.run(ox, params)
    suffix = ".json" if query.form == "ASK" else ".tsv"
    pin = EXPECTED / f"{case_id(name, params)}{suffix}"
    actual = pin_text(result)
    if UPDATE_PINS:
        pin.parent.mkdir(parents=True, exist_ok=True)
        pin.write_text(actual, encoding="utf-8")
    assert pin.is_file(), f"no pin {pin.name}: run NMDKG_UPDATE_PINS=1 pytest {__file__} -k pinned"
    expected = pin.read_text(encoding="utf-8")
    if query.form == "ASK":
        assert json.loads(actual) == json.loads(expected)
        return
    expected_lines, actual_lines = expected.splitlines(), actual.splitlines()
    assert actual_lines[0] == expected_lines[0], "the columns changed"
    if query.ordered and not is_graph(result):
        assert actual_lines[1:] == expected_lines[1:]
    else:
        assert sorted(actual_lines[1:]) == sorted(expected_lines[1:])


def test_every_pin_belongs_to_a_case():
    pins = {p.stem for p in EXPECTED.glob("*.*")}
    assert pins, "no pins found"
    assert pins == {case_id(*c) for c in CASES}, "a pin without a case (or a case without a pin)"


@pytest.mark.parametrize(("name", "params"), CASES, ids=[case_id(*c) for c in CASES])
def test_engines_agree(stores, name, params):
    query = LIBRARY[name]
    by_oxigraph = terms(query.run(stores["oxigraph"], params))
    by_rdflib = terms(query.run(stores["rdflib"], params))
    if isinstance(by_oxigraph, bool) or query.ordered:
        assert by_oxigraph == by_rdflib
    else:
        assert sorted(by_oxigraph, key=repr) == sorted(by_rdflib, key=repr)


# -- known facts, stated outright ------------------------------------------------------------------

def test_autoimmune_finds_mg_and_gbs_through_the_class_hierarchy(ox):
    assert column(answer(ox, "01-disorders-by-cause-kind"), "disorder") == {MG, GBS}
    everything = column(answer(ox, "01-disorders-by-cause-kind", {"kind": "nmdkg:Cause"}), "disorder")
    # ALS "caused by age-related degeneration" and SMA "caused by SMN1" (true of 5q SMA only) are rejected
    # corrections (issue 14): the article's claims stay as associations, with no causedBy triple
    assert everything == {DMD, GBS, MG, PN}
    assert column(answer(ox, "01-disorders-by-cause-kind", {"kind": "nmdkg:Infection"}), "relation") \
        == {NMDKG.triggeredBy}  # found through rdfs:subPropertyOf* nmdkg:causedBy


def test_pyridostigmine_treats_mg(ox):
    result = answer(ox, "08-treatments-for-a-disorder")
    assert expand("DRUGBANK:DB00545") in column(result, "treatment")
    assert {expand("CHEBI:37733"), expand("CHEBI:50858"), expand("CHEBI:35705")} \
        <= column(answer(ox, "10-drug-classes-for-autoimmune-disorders"), "drugClass")


def test_smn1_claim_of_the_broad_sma_class_is_rejected(ox):
    """Issue 14: only 5q SMA (MONDO:0019079) is caused by SMN1; the article's claim about SMA as a whole
    stays as its association, corrected and rejected, so no query returns it as a fact."""
    assert column(answer(ox, "03-genes-of-a-disorder"), "gene") == set()
    assert column(answer(ox, "04-disorders-of-a-gene"), "disorder") == set()
    assert column(answer(ox, "04-disorders-of-a-gene", {"gene": "NCBIGene:6606"}), "disorder") == set()
    claims = records(answer(ox, "14-corrected-claims"))
    assert {b["predicate"] for b in claims if b["subject"] == SMA} == {NMDKG.causedBy, NMDKG.hasGermlineMutationIn}


def test_every_correction_is_listed_with_its_citation(ox, curated):
    result = answer(ox, "14-corrected-claims")
    assert len(column(result, "correction")) == len(curated["corrections"]) >= 8
    rejected = [b for b in records(result) if b["correctionKind"] == NMDKG.Rejected]
    # issue 14 rejects ALS "caused by age-related degeneration" and SMA "caused by SMN1" (two associations)
    assert sorted((b["subject"], b["asserted"]) for b in rejected) == \
        sorted([(MS, Literal(False)), (ALS, Literal(False)), (SMA, Literal(False)), (SMA, Literal(False))])
    assert all(short(b["citation"]).startswith("PMID:") for b in records(result))


def test_ms_is_not_a_neuromuscular_disorder(ox):
    assert answer(ox, "27-is-disorder-of-class").askAnswer is False
    assert answer(ox, "27-is-disorder-of-class", {"disorder": "MONDO:0009688"}).askAnswer is True
    assert MS not in column(answer(ox, "19-disorders-by-class"), "disorder")


def test_symptoms_of_subtypes_reach_the_parent(ox):
    result = answer(ox, "05-symptoms-of-a-disorder", {"disorder": "MONDO:0019056"})
    via = {(b["phenotype"], b["via"]) for b in records(result)}
    assert (expand("HP:0002398"), SMA) in via  # stated for SMA, found for neuromuscular disease
    assert (expand("HP:0001324"), NMD) in via


def test_counts_match_the_describe_tables(ox, graph):
    from nmdkg.core.namespaces import compress
    from nmdkg.export import describe

    nodes = {compress(b["kind"]): int(b["direct"]) for b in records(answer(ox, "17-counts-per-node-kind"))
             if int(b["direct"])}
    assert nodes == dict(describe.node_counts(graph))
    edges = {compress(b["kind"]): int(b["direct"]) for b in records(answer(ox, "18-counts-per-edge-kind"))
             if int(b["direct"])}
    assert edges == dict(describe.edge_counts(graph))
    entailed = {compress(b["kind"]): int(b["entailed"])
                for b in records(answer(ox, "18-counts-per-edge-kind"))}
    assert entailed["nmdkg:causedBy"] == edges["nmdkg:causedBy"] + edges["nmdkg:triggeredBy"]


def test_emotional_impacts_have_their_strategies(ox):
    result = answer(ox, "12-emotional-impacts-and-coping")
    pairs = {(str(b["impactLabel"]), str(b["strategyLabel"])) for b in records(result)}
    assert ("loss of independence", "home modification") in pairs and len(pairs) == 7


# -- the larger graph: queries keep working as the graph grows ---------------------------------------

@pytest.fixture(scope="session")
def nmd_ox(nmd_graph):
    return Store.from_graph(nmd_graph)


def test_every_query_runs_on_the_default_build(nmd_ox):
    for name, query in LIBRARY.items():
        result = query.run(nmd_ox)
        assert result.type == query.form, name


@pytest.mark.parametrize("name", ["12-emotional-impacts-and-coping", "14-corrected-claims",
                                  "21-classification-claims-checked", "22-symptom-groups",
                                  "25-pathogens-and-toxic-agents", "26-facts-of-a-source"])
def test_article_level_answers_do_not_change_with_the_hpo_annotations(ox, nmd_ox, name):
    assert sorted(terms(answer(nmd_ox, name)), key=repr) == sorted(terms(answer(ox, name)), key=repr)


def test_subtype_annotations_reach_the_article_disorders(nmd_ox):
    via = column(answer(nmd_ox, "05-symptoms-of-a-disorder"), "via")
    assert MG in via and len(via) > 1  # the HPO annotations of MG's counterparts count for MG
    mappings = answer(nmd_ox, "15-identifier-mappings", {"disorder": "MONDO:0009688"})
    assert expand("ORPHA:589") in column(mappings, "xref")


def test_every_article_disorder_reaches_its_annotated_subtypes(nmd_ox):
    """Issue 14: the annotated diseases reach the article's disorders through MONDO's is-a edges."""
    counts = {b["disorder"]: int(b["annotatedSubtypes"])
              for b in records(answer(nmd_ox, "37-annotated-subtypes-per-disorder"))}
    assert counts == {NMD: 1115, PN: 373, expand("MONDO:0020121"): 206, SMA: 61, ALS: 39, GBS: 4, MG: 3, DMD: 2,
                      MS: 0}
    subtypes = column(answer(nmd_ox, "20-subtypes-of-a-disorder", {"disorder": "MONDO:0020121"}), "subtype")
    # Becker, limb-girdle 2A, facioscapulohumeral 1, myotonic dystrophy 1, a congenital muscular dystrophy
    assert {expand(c) for c in ("OMIM:300376", "OMIM:253600", "OMIM:158900", "OMIM:160900", "OMIM:602541")} <= subtypes
    neuropathies = column(answer(nmd_ox, "20-subtypes-of-a-disorder", {"disorder": "MONDO:0005244"}), "subtype")
    # CMT 1A, CIDP, hereditary neuropathy with liability to pressure palsies
    assert {expand(c) for c in ("OMIM:118220", "OMIM:139393", "OMIM:162500")} <= neuropathies
    als = column(answer(nmd_ox, "20-subtypes-of-a-disorder", {"disorder": "MONDO:0004976"}), "subtype")
    assert expand("OMIM:105550") in als   # ALS and/or frontotemporal dementia 1


def test_immunosuppressants_never_reach_gbs_uncorrected(ox, nmd_ox):
    """Issue 14: GBS is treated with IVIg or plasma exchange; the route through its autoimmune cause is
    answered only with the correction attached."""
    for store in (ox, nmd_ox):
        rows_ = records(answer(store, "08-treatments-for-a-disorder", {"disorder": "MONDO:0016218"}))
        drugs = [b for b in rows_ if b["treatment"] in {expand("CHEBI:35705"), expand("CHEBI:50858")}]
        assert len(drugs) == 2 and all(b.get("correction") for b in drugs)


def test_early_intervention_is_for_children_with_delays_not_adult_mg_or_als(ox):
    """Issue 14: the children's-clinic section's intervention targets a developmental delay."""
    for disorder in ("MONDO:0009688", "MONDO:0004976"):
        treatments = column(answer(ox, "08-treatments-for-a-disorder", {"disorder": disorder}), "treatment")
        assert expand("MAXO:0009101") not in treatments and expand("MAXO:0001351") in treatments
    treatments = column(answer(ox, "09-treatments-for-a-symptom", {"phenotype": "HP:0012758"}), "treatment")
    assert expand("MAXO:0009101") in treatments


def test_adaptive_equipment_is_found_by_name(ox):
    """Issue 14: the article's own words for assistive devices."""
    found = column(answer(ox, "30-find-by-name", {"text": "adaptive equipment"}), "node")
    assert found == {expand("NMDKG:assistive-devices")}


# -- parameters: typed, bound, never spliced -----------------------------------------------------------

@pytest.mark.parametrize(("value", "type_", "expected"), [
    ("MONDO:0009688", "iri", MG),
    ("<http://purl.obolibrary.org/obo/MONDO_0009688>", "iri", MG),
    ("http://purl.obolibrary.org/obo/MONDO_0009688", "iri", MG),
    ("ORPHA:589", "iri", URIRef("http://www.orpha.net/ORDO/Orphanet_589")),
    ("nmdkg:AutoimmuneReaction", "iri", NMDKG.AutoimmuneReaction),
    ("3", "integer", Literal(3)),
    ("-12", "integer", Literal(-12)),
    ("0.25", "decimal", Literal("0.25", datatype=expand("xsd:decimal"))),
    ("true", "boolean", Literal(True)),
    ("no", "boolean", Literal(False)),
    ("a \"quoted\" } text", "string", Literal('a "quoted" } text')),
])
def test_coerce_good_values(value, type_, expected):
    assert coerce(value, type_) == expected


@pytest.mark.parametrize(("value", "type_", "message"), [
    ("myasthenia", "iri", "is not an IRI"),
    ("FOO:123", "iri", "unknown CURIE prefix 'FOO'"),
    ("<http://example.org/a b>", "iri", "not a valid IRI"),
    ('<http://example.org/a"> . <x>', "iri", "not a valid IRI"),
    ("3.5", "integer", "not an integer"),
    ("1e3", "decimal", "not a decimal"),
    ("maybe", "boolean", "not a boolean"),
    ("x", "uri", "unknown parameter type"),
])
def test_coerce_refuses_the_wrong_type(value, type_, message):
    with pytest.raises(InputError, match=re.escape(message)):
        coerce(value, type_)


def test_inferred_types_for_ad_hoc_queries():
    assert infer("MONDO:0009688") == MG
    assert infer("<urn:x>") == URIRef("urn:x")
    assert infer("7") == Literal(7)
    assert infer("true") == Literal(True)
    assert infer("myasthenia gravis") == Literal("myasthenia gravis")


def test_parameters_are_checked_by_name():
    query = LIBRARY["05-symptoms-of-a-disorder"]
    with pytest.raises(InputError, match="unknown parameter 'disease'; its parameters are: disorder"):
        query.bindings({"disease": "MONDO:0009688"})
    with pytest.raises(InputError, match="expected NAME=VALUE"):
        parse_params(["disorder"])
    with pytest.raises(InputError, match="given twice"):
        parse_params(["min=1", "min=2"])
    assert parse_params(["text=a=b"]) == {"text": "a=b"}
    assert "predicate" not in LIBRARY["13-provenance-of-a-fact"].bindings()  # optional: left unbound


HOSTILE = [
    '"', "'", "}", "{", '"} ; DROP ALL ; {"', "} ; DROP ALL ; {", "'} ; DROP ALL ; {'",
    "MONDO:0009688 } ; DROP ALL ; {", "MONDO:0009688> } ; DROP ALL ; { <x", "MONDO:0009688>} DROP ALL {<x",
    "<http://example.org/a> } ; DROP ALL ; { <http://example.org/b>", "<http://example.org/x>\nDROP ALL",
    "line\nbreak", "tab\there", "1 ; DROP ALL", "1 } ; DROP ALL ; {", "?disorder", "$min", "\\u0022",
    '""" ; DROP ALL ; """', "#", "", "  ", "\x00",
]
HOSTILE_TARGETS = [("05-symptoms-of-a-disorder", "disorder"), ("07-most-shared-symptoms", "min"),
                   ("30-find-by-name", "text"), ("13-provenance-of-a-fact", "predicate")]


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
@pytest.mark.parametrize(("name", "param"), HOSTILE_TARGETS)
def test_hostile_values_are_refused_or_bound_harmlessly(stores, graph, engine, name, param):
    store = stores[engine]
    before, graph_before = store.triples(), set(graph)
    query = LIBRARY[name]
    for value in HOSTILE:
        try:
            bindings = query.bindings({param: value})
        except InputError as exc:
            assert param in str(exc)
            continue
        result = store.query(query.text, bindings)  # runs: the value is a term, not text
        if param == "text":  # a string is data: it is echoed back exactly, and matches no label
            assert bindings["text"] == Literal(value)
            assert all(b["text"] == Literal(value) for b in records(result))
        assert store.triples() == before, f"{value!r} changed the store"
    assert set(graph) == graph_before and store.triples() == before


def test_a_quote_in_a_string_parameter_is_matched_as_text(ox):
    result = answer(ox, "30-find-by-name", {"text": "lou gehrig's"})
    assert column(result, "node") == {ALS}


UPDATES = [
    "DROP ALL", "CLEAR ALL", "CLEAR DEFAULT", "DROP GRAPH <http://example.org/g>",
    "CREATE GRAPH <http://example.org/g>", "LOAD <http://example.org/data.ttl>",
    "INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }",
    "DELETE DATA { <http://purl.obolibrary.org/obo/MONDO_0009688> a <https://w3id.org/nmdkg/ontology/"
    "NeuromuscularJunctionDisorder> }",
    "DELETE WHERE { ?s ?p ?o }",
    "PREFIX x: <http://example.org/> DELETE { ?s ?p ?o } INSERT { ?s x:p ?o } WHERE { ?s ?p ?o }",
    "ADD DEFAULT TO <http://example.org/g>", "COPY DEFAULT TO <http://example.org/g>",
    "MOVE DEFAULT TO <http://example.org/g>",
    "SELECT * WHERE { ?s ?p ?o } ; DROP ALL",
    "ASK { ?s ?p ?o } DROP ALL",
]


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_updates_are_refused_and_change_nothing(stores, graph, engine):
    store = stores[engine]
    before, size = store.triples(), len(graph)
    for update in UPDATES:
        with pytest.raises(InputError):
            store.query(update)
        assert store.triples() == before and len(graph) == size, update
    with pytest.raises(InputError, match="updates are refused"):
        check_query("DROP ALL")


@pytest.mark.parametrize(("text", "message"), [
    ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE is refused"),
    ("SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }", "FROM and FROM NAMED are refused"),
    ("SELECT ?s WHERE { ?s ?p }", "does not parse"),
])
def test_network_and_other_graphs_are_refused(text, message):
    with pytest.raises(InputError, match=message):
        check_query(text)


def test_a_bound_variable_must_be_projected(ox):
    with pytest.raises(InputError, match="must be one of the variables the SELECT projects"):
        ox.query("SELECT ?p WHERE { ?s ?p ?o }", {"s": MG})


# -- result formats: the W3C formats, checked against Oxigraph's own writers ------------------------

@pytest.mark.parametrize("name", [n for n, q in LIBRARY.items() if q.form in ("SELECT", "ASK")])
def test_result_formats_match_oxigraphs_writers(ox, name):
    import pyoxigraph

    from nmdkg.core.bind import with_values

    query = LIBRARY[name]
    bindings = query.bindings()
    result = ox.query(query.text, bindings)

    def native(fmt) -> str:
        raw = ox._ox.query(with_values(query.text, bindings))  # Oxigraph's own writers
        return raw.serialize(format=fmt).decode("utf-8")

    assert json.loads(to_json(result)) == json.loads(native(pyoxigraph.QueryResultsFormat.JSON))
    for ours, fmt, newline in ((to_csv(result), pyoxigraph.QueryResultsFormat.CSV, "\r\n"),
                               (to_tsv(result), pyoxigraph.QueryResultsFormat.TSV, "\n")):
        theirs = native(fmt)
        if query.form == "ASK":
            assert ours.strip() == theirs.strip()
        else:
            assert ours.split(newline) == theirs.split(newline)


def test_tsv_and_csv_escape_what_they_must():
    from rdflib import Variable
    from rdflib.query import Result

    result = Result("SELECT")
    result.vars = [Variable("a"), Variable("b"), Variable("c")]
    result.bindings = [{Variable("a"): Literal('say "hi"\tand\nbye'), Variable("b"): Literal("1.50",
                        datatype=expand("xsd:decimal")), Variable("c"): URIRef("http://example.org/x,y")}]
    assert to_tsv(result).splitlines()[1] == '"say \\"hi\\"\\tand\\nbye"\t1.50\t<http://example.org/x,y>'
    assert to_csv(result) == 'a,b,c\r\n"say ""hi""\tand\nbye",1.50,"http://example.org/x,y"\r\n'
    document = json.loads(to_json(result))
    assert document["head"]["vars"] == ["a", "b", "c"]
    assert document["results"]["bindings"][0]["b"] == {"type": "literal", "value": "1.50",
                                                       "datatype": "http://www.w3.org/2001/XMLSchema#decimal"}


def _per_cell(result) -> dict[str, str]:
    """Every format written cell by cell with rdflib's stock writers and the per-term functions, as
    nmdkg.query.results wrote them before it converted each distinct term once: the reference."""
    import io

    from rdflib.query import Result

    from nmdkg.query.results import TABLE_CELL_WIDTH, _cut, tsv_term

    ordered = Result("SELECT")
    ordered.vars = result.vars
    ordered.bindings = [{v: b[v] for v in result.vars if b.get(v) is not None} for b in result.bindings]
    out = {}
    for fmt in ("json", "csv"):
        buffer = io.BytesIO()
        ordered.serialize(buffer, encoding="utf-8", format=fmt)
        out[fmt] = buffer.getvalue().decode("utf-8") + ("\n" if fmt == "json" else "")
    names = [str(v) for v in result.vars]
    table = rows(result)
    out["tsv"] = "\n".join(["\t".join(f"?{n}" for n in names)]
                           + ["\t".join(tsv_term(t) for t in row) for row in table]) + "\n"
    cells = [[_cut(short(t), TABLE_CELL_WIDTH) for t in row] for row in table]
    widths = [max([len(n)] + [len(row[i]) for row in cells]) for i, n in enumerate(names)]
    lines = ["  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    out["table"] = "\n".join([*lines, f"({len(cells)} row{'' if len(cells) == 1 else 's'})"]) + "\n"
    return out


def test_each_distinct_term_is_written_once_with_the_same_bytes(nmd_ox):
    """Large answers are written converting each distinct term object once: every format gives the bytes
    the per-cell writers give, on terms repeated as one object and as equal but distinct objects, unbound
    cells, long and non-ASCII text, and on the real answer of query 41 of the default build (28,000 rows, the
    first 3,000 compared)."""
    from rdflib import BNode, Variable
    from rdflib.query import Result

    from nmdkg.query.results import render

    a, b, c = Variable("a"), Variable("b"), Variable("c")
    shared = Literal("myasthénie grave", lang="fr")
    long = Literal("x" * 100)
    toy = Result("SELECT")
    toy.vars = [a, b, c]
    toy.bindings = [{a: MG, b: shared, c: Literal("1.50", datatype=expand("xsd:decimal"))},
                    {b: shared, a: URIRef(str(MG)), c: BNode("n1")},
                    {a: URIRef("http://example.org/x,y"), c: long},
                    {a: MG, b: Literal("MG"), c: long}, {}]
    real = answer(nmd_ox, "41-association-sources")
    assert len(real.bindings) > 20_000
    real.bindings = real.bindings[:3000]  # (the first rows of the real answer: enough repeated terms)
    for result in (toy, real):
        expected = _per_cell(result)
        for fmt, text in expected.items():
            assert render(result, fmt) == text.encode("utf-8"), fmt


def test_construct_gives_an_rdflib_graph(ox, stores):
    result = answer(ox, "28-disorder-card")
    assert (MG, expand("nmdkg:hasPhenotype"), expand("HP:0001324")) in result.graph
    assert set(result.graph) == set(answer(stores["rdflib"], "28-disorder-card").graph)


def test_describe_runs_on_both_engines(stores):
    for store in stores.values():
        result = store.query("DESCRIBE ?d WHERE { ?d a nmdkg:NeuromuscularJunctionDisorder }")
        label = (MG, expand("rdfs:label"), Literal("myasthenia gravis", lang="en"))
        assert result.type == "DESCRIBE" and label in result.graph


def test_store_from_files_and_bad_files(tmp_path, graph):
    from nmdkg.export.rdf import serialize

    (tmp_path / "g.ttl").write_bytes(serialize(graph, "turtle"))
    for engine in ("oxigraph", "rdflib"):
        assert len(Store.from_files([tmp_path / "g.ttl"], engine=engine)) == len(graph)
    (tmp_path / "bad.ttl").write_text("<a> <b> .\n")
    with pytest.raises(InputError, match=r"bad\.ttl:1: not valid Turtle"):
        Store.from_files([tmp_path / "bad.ttl"])
    with pytest.raises(InputError, match="RDF file not found"):
        Store.from_files([tmp_path / "missing.nt"])
    with pytest.raises(InputError, match="unknown RDF file suffix"):
        Store().load_file(Path(__file__))
    with pytest.raises(InputError, match="unknown engine"):
        Store("virtuoso")


def test_named_query_without_header_infers_parameter_types(tmp_path, ox):
    path = tmp_path / "adhoc.rq"
    path.write_text("PREFIX nmdkg: <https://w3id.org/nmdkg/ontology/>\n"
                    "SELECT ?d ?p WHERE { ?d nmdkg:hasPhenotype ?p }\n")
    query = load_query_file(path, library=False)
    assert isinstance(query, NamedQuery) and not query.declared
    assert column(query.run(ox, {"d": "MONDO:0009688"}), "p") == {expand("HP:0001324")}
    with pytest.raises(InputError, match=r"no variable \?x"):
        query.bindings({"x": "1"})
    assert to_iri(" MONDO:0009688 ") == MG
