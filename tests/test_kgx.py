"""KGX export: every node and edge row is valid for the Biolink Model's own (Pydantic) classes, the facts keep
their provenance and negation, and the mapping follows the ontology's Biolink alignments."""

from __future__ import annotations

import csv
import json
from functools import lru_cache

import pytest
import yaml
from biolink_model.datamodel import pydanticmodel_v2 as biolink

from nmdkg.core.namespaces import BIOLINK
from nmdkg.core.ntriples import literal, term
from nmdkg.export import kgx


@pytest.fixture(scope="module")
def triples(nmd_triples):
    return nmd_triples


@pytest.fixture(scope="module")
def exported(triples):
    return kgx.tables(triples)


@lru_cache(maxsize=1)
def biolink_slots() -> dict:
    from importlib.resources import files

    schema = yaml.safe_load((files("biolink_model") / "schema" / "biolink_model.yaml").read_text())
    return schema["slots"]


def is_predicate(curie: str) -> bool:
    """A Biolink slot that descends from ``related to``, by the schema's own ``is_a`` chain."""
    slots, name = biolink_slots(), curie.removeprefix("biolink:").replace("_", " ")
    while name in slots:
        if name == "related to":
            return True
        name = slots[name].get("is_a")
    return False


def cells(row: dict[str, str]) -> dict:
    """A TSV row as Biolink fields: empty cells dropped, multivalued slots split at ``|``, numbers and booleans
    typed."""
    out: dict = {}
    for column, value in row.items():
        if not value:
            continue
        if biolink_slots().get(column.replace("_", " "), {}).get("multivalued"):  # the schema says which are lists
            out[column] = value.split("|")
        elif column == "negated":
            out[column] = value == "True"
        elif column in ("has_count", "has_total"):
            out[column] = int(value)
        elif column == "has_percentage":
            out[column] = float(value)
        else:
            out[column] = value
    return out


def test_every_node_row_is_valid_for_each_of_its_biolink_classes(exported):
    nodes, _ = exported
    assert len(nodes) > 1000
    for row in nodes:
        fields = cells(row)
        classes = [getattr(biolink, category.removeprefix("biolink:")) for category in fields.pop("category")]
        # each column is a slot of at least one of the row's classes; each class accepts its own slots
        assert all(any(column in cls.model_fields for cls in classes) for column in fields), row
        for cls in classes:
            own = {column: value for column, value in fields.items() if column in cls.model_fields}
            cls(**own, category=[f"biolink:{cls.__name__}"])  # raises a ValidationError naming the field


def test_every_edge_row_is_valid_for_its_biolink_association_class(exported):
    nodes, edges = exported
    ids = {row["id"] for row in nodes}
    assert len(edges) > 10000
    assert len({row["id"] for row in edges}) == len(edges)
    for row in edges:
        fields = cells(row)
        (category,) = fields["category"]
        cls = getattr(biolink, category.removeprefix("biolink:"))
        assert issubclass(cls, biolink.Association), row
        cls(**fields)
        assert is_predicate(row["predicate"]), row
        assert row["subject"] in ids and row["object"] in ids, row
        assert row["primary_knowledge_source"].startswith("infores:"), row


def test_negated_annotations_stay_negated(triples, exported):
    _, edges = exported
    true = literal("true", datatype="http://www.w3.org/2001/XMLSchema#boolean")
    negated_in_graph = {s for s, p, o in triples if p == term(BIOLINK.negated) and o == true}
    negated = [row for row in edges if row["negated"]]
    assert len(negated) == len(negated_in_graph) > 10
    positive = {(row["subject"], row["predicate"], row["object"]) for row in edges if not row["negated"]}
    # A NOT row never becomes a plain phenotype edge unless another row of the annotations asserts it.
    assert sum((r["subject"], r["predicate"], r["object"]) in positive for r in negated) < len(negated) / 10


def test_upstream_facts_carry_their_source_and_publications(exported):
    _, edges = exported
    hpoa = [row for row in edges if row["primary_knowledge_source"] == "infores:hpo-annotations"
            and row["predicate"] == "biolink:has_phenotype"]
    assert len(hpoa) > 10000
    assert all(row["category"] == "biolink:DiseaseToPhenotypicFeatureAssociation" for row in hpoa)
    assert sum(any(p.startswith("PMID:") for p in row["publications"].split("|")) for row in hpoa) > 100
    curated = [row for row in edges if row["primary_knowledge_source"] == kgx.NMDKG_INFORES
               and row["id"].startswith("NMDKG:association-")]
    assert curated and all(row["publications"] for row in curated)


def test_a_rejected_claim_is_not_exported(curated, triples, exported):
    _, edges = exported
    rejected = [r for r in curated["corrections"] if r.kind == "rejected"]
    assert rejected
    stated = {(row["subject"], row["object"]) for row in edges}
    iris = {record.ref: getattr(record, "id", None) for table in ("disorders", "causes", "phenotypes",
                                                                  "interventions") for record in curated[table]}
    for r in rejected:
        subject, obj = iris.get(r.subject), iris.get(r.object)
        if subject and obj:
            assert (subject, obj) not in stated, r


def test_categories_follow_the_ontology_alignments(triples):
    """A class added to the ontology with a Biolink alignment flows through without a code change."""
    new_class = "<https://w3id.org/nmdkg/ontology/ExampleNewTherapy>"  # not in the closed namespace: new
    node = "<http://purl.obolibrary.org/obo/MAXO_0000004>"
    extra = [(new_class, "<http://www.w3.org/2000/01/rdf-schema#subClassOf>", term(BIOLINK.Procedure)),
             (new_class, "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", "<http://www.w3.org/2002/07/owl#Class>"),
             (node, "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", new_class)]
    nodes, _ = kgx.tables([*triples, *extra])
    assert {row["id"]: row["category"] for row in nodes}["MAXO:0000004"] == "biolink:Procedure"


def test_export_command_writes_the_three_files(run, tmp_path):
    result = run("export", "--format", "kgx", "--scope", "article", "--out", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    with open(tmp_path / "kgx" / "nodes.tsv", newline="", encoding="utf-8") as handle:
        nodes = list(csv.DictReader(handle, delimiter="\t"))
    with open(tmp_path / "kgx" / "edges.tsv", newline="", encoding="utf-8") as handle:
        edges = list(csv.DictReader(handle, delimiter="\t"))
    info = json.loads((tmp_path / "kgx" / "graph-info.json").read_text())
    assert tuple(nodes[0]) == kgx.NODE_COLUMNS and tuple(edges[0]) == kgx.EDGE_COLUMNS
    assert info["node_count"] == len(nodes) > 50 and info["edge_count"] == len(edges) > 50
    assert sum(e["count"] for e in info["edges"]) == len(edges)
    assert info["biolink_version"].startswith("4.")
