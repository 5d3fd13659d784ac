"""The ontology: closed namespace in step with the file, labels, definitions, Biolink and RO alignments."""

from __future__ import annotations

from importlib import resources

import pytest
import yaml
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from nmdkg import __version__
from nmdkg.build.graph import load_ontology
from nmdkg.core.namespaces import BIOLINK, NMDKG, ONTOLOGY_IRI, VOCAB_IRI, expand


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return load_ontology(__version__)


@pytest.fixture(scope="module")
def biolink_names() -> set[str]:
    """Class names (CamelCase) and slot names (snake_case) of the Biolink Model shipped with biolink-model."""
    text = resources.files("biolink_model").joinpath("schema/biolink_model.yaml").read_text()
    model = yaml.safe_load(text)
    classes = {"".join(w[:1].upper() + w[1:] for w in name.split()) for name in model["classes"]}
    slots = {name.replace(" ", "_") for name in model["slots"]}
    return classes | slots


def declared_terms(ontology: Graph) -> set[URIRef]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, NMDKG.CorrectionKind)
    return {s for kind in kinds for s in ontology.subjects(RDF.type, kind)
            if isinstance(s, URIRef) and str(s).startswith(VOCAB_IRI)}


def test_namespace_and_ontology_declare_the_same_terms(ontology):
    in_file = declared_terms(ontology)
    in_code = {NMDKG[name] for name in NMDKG.__annotations__}
    assert in_file, "the ontology declares no terms"
    assert in_code - in_file == set(), "declare these NMDKG terms in ontology/nmdkg.ttl"
    assert in_file - in_code == set(), "add these ontology terms to nmdkg.core.namespaces.NMDKG"


def test_namespace_is_closed():
    with pytest.raises(AttributeError):
        NMDKG.hasPhenotpye  # noqa: B018 - a typo must fail, not mint an IRI


def test_every_term_has_an_english_label_and_definition(ontology):
    for term in declared_terms(ontology):
        labels = [lbl for lbl in ontology.objects(term, RDFS.label) if lbl.language == "en"]
        assert len(labels) == 1, f"{term} needs exactly one English rdfs:label"
        assert list(ontology.objects(term, SKOS.definition)), f"{term} needs a skos:definition"


def test_every_class_reaches_biolink(ontology):
    classes = set(ontology.subjects(RDF.type, OWL.Class)) & declared_terms(ontology)
    assert classes
    for cls in classes - {NMDKG.CorrectionKind}:
        supers = set(ontology.transitive_objects(cls, RDFS.subClassOf))
        assert any(str(s).startswith(str(BIOLINK)) for s in supers), f"align {cls} to a Biolink class"


def test_every_object_property_has_domain_range_and_alignment(ontology):
    properties = set(ontology.subjects(RDF.type, OWL.ObjectProperty))
    assert properties
    unaligned_ok = {NMDKG.corrects, NMDKG.correctionKind}  # nmdkg's own bookkeeping: Biolink has no equivalent
    for prop in properties:
        assert (prop, RDFS.range, None) in ontology, f"{prop} needs an rdfs:range"
        if prop != NMDKG.mentionedIn:
            assert (prop, RDFS.domain, None) in ontology, f"{prop} needs an rdfs:domain"
        if prop in unaligned_ok:
            continue
        supers = set(ontology.transitive_objects(prop, RDFS.subPropertyOf)) - {prop}
        assert supers, f"align {prop} to a Biolink slot or standard property"


def test_biolink_alignments_name_real_biolink_terms(ontology, biolink_names):
    used = {o for o in ontology.objects() if isinstance(o, URIRef) and str(o).startswith(str(BIOLINK))}
    assert used
    unknown = {str(u).removeprefix(str(BIOLINK)) for u in used} - biolink_names
    assert not unknown, f"not in the Biolink Model: {sorted(unknown)}"


def test_relation_ontology_alignments(ontology):
    assert (NMDKG.hasPhenotype, RDFS.subPropertyOf, expand("RO:0002200")) in ontology
    assert (NMDKG.hasGermlineMutationIn, RDFS.subPropertyOf, expand("RO:0004003")) in ontology
    assert (NMDKG.hasPhenotype, RDFS.subPropertyOf, BIOLINK.has_phenotype) in ontology


def test_version_is_stamped_from_the_package(ontology):
    assert str(ontology.value(ONTOLOGY_IRI, OWL.versionInfo)) == __version__
    assert __version__ in str(ontology.value(ONTOLOGY_IRI, OWL.versionIRI))
    for p in ("title", "description", "license"):
        assert ontology.value(ONTOLOGY_IRI, URIRef(f"http://purl.org/dc/terms/{p}")) is not None
