"""Treatments per disease: the curated therapies table and Monarch's MAxO medical-action annotations -> RDF.

Two sources, one model (``docs/decisions/0009-treatments.md``), in the association style of decision 0001:

* each row of ``therapies.tsv`` (an approval or a guideline recommendation) becomes an
  ``nmdkg:TherapyIndicationAssociation``: the agent ``nmdkg:treats`` the indication, with the agency, the
  year, the status, the population the label narrows it to, and the references (``nmdkg:claimedBy``, the
  PubMed records); plus the plain ``agent nmdkg:treats disease`` triple unless the approval was withdrawn;
* each annotation of the vendored MAxO slice whose disease is in the graph becomes an
  ``nmdkg:MedicalActionAssociation``: the MAXO action treats (prevents, is contraindicated for, or — negated —
  did not help) an HPO finding or the disease itself, in the context of the disease (``nmdkg:diseaseContext``),
  with the reference, the evidence code and the chemical the action uses (``nmdkg:hasParticipant``, its ChEBI
  extension); plus the plain triple when the claim is positive.

Indications and disease contexts must be diseases of the graph at the build's scope: a curated disorder, or an
OMIM/Orphanet disease of the scope's HPO annotations. A therapies row naming another disease stops the build
(file, line, column); a MAxO annotation of a disease outside the scope is left out (it is upstream data, and
the slice covers every scope).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, XSD

from nmdkg.core.errors import DataError, Problem
from nmdkg.core.namespaces import BIOLINK, NMDKG, NMDKGR, expand
from nmdkg.core.ntriples import NTriple, term
from nmdkg.curated import tables as c
from nmdkg.sources import maxo

SOURCE_MAXO_ANNOTATIONS = NMDKGR["source-maxo-annotations"]
SOURCE_MAXO = NMDKGR["source-maxo-obo"]

#: MAxO annotation relation -> (predicate, negated). Relations left out: ``investigates`` and ``unknown``
#: (no claim about an effect).
RELATIONS = {
    "treats": (NMDKG.treats, False),
    "prevents": (NMDKG.prevents, False),
    "contraindicated": (NMDKG.contraindicatedFor, False),
    "lack of observed response": (NMDKG.treats, True),
    "no_observed_benefit": (NMDKG.treats, True),
}


@dataclass
class Counts:
    """What the MAxO step kept and left out, for the build's progress messages and the report."""

    kept: int = 0
    outside_scope: int = 0
    relation_left_out: int = 0
    target_left_out: int = 0
    diseases: set[str] = field(default_factory=set)


def _digest(*parts: object) -> URIRef:
    return NMDKGR["association-" + hashlib.sha1("\x1f".join(map(str, parts)).encode()).hexdigest()[:16]]


def _en(text: str) -> Literal:
    return Literal(text, lang="en")


def indication_node(row: c.Therapy, data: c.Curated) -> URIRef:
    disorders = data.index("disorders")
    return expand(disorders[row.indication].id) if row.indication in disorders else expand(row.indication)


def check_indications(data: c.Curated, diseases: Iterable[str], scope: str) -> None:
    """Refuse a therapies row whose OMIM/ORPHA indication is not a disease of the graph at ``scope``."""
    present = set(diseases)
    problems = [
        Problem(data.path("therapies"), r.line, "indication",
                f"unknown disease {r.indication!r}: not a disease of the graph at scope {scope!r}")
        for r in data["therapies"] if r.indication not in data.index("disorders") and r.indication not in present
    ]
    if problems:
        raise DataError(problems)


def therapy_triples(data: c.Curated, iris: dict[str, URIRef], diseases: Iterable[str] | None) -> Iterator[tuple]:
    """The therapies table as rdflib triples. ``diseases``: the scope's OMIM/ORPHA diseases (None: article
    scope, where rows naming an OMIM/ORPHA disease are left out with the disease)."""
    present = None if diseases is None else set(diseases)
    disorders = data.index("disorders")
    for r in data["therapies"]:
        if r.indication not in disorders and (present is None or r.indication not in present):
            continue
        agent, disease = iris[r.agent], indication_node(r, data)
        node = _digest(agent, NMDKG.treats, disease, r.agency, r.year, r.status)
        yield node, RDF.type, NMDKG.TherapyIndicationAssociation
        yield node, BIOLINK.subject, agent
        yield node, BIOLINK.predicate, NMDKG.treats
        yield node, BIOLINK.object, disease
        for source in r.sources:
            yield node, NMDKG.claimedBy, iris[source]
        yield node, NMDKG.statement, _en(r.statement)
        yield node, NMDKG.approvalStatus, Literal(r.status)
        yield node, NMDKG.regulatoryAgency, Literal(r.agency)
        yield node, NMDKG.approvalYear, Literal(r.year, datatype=XSD.gYear)
        if r.population:
            yield node, NMDKG.indicationQualifier, _en(r.population)
        if r.status != "withdrawn":
            yield agent, NMDKG.treats, disease


def maxo_source_triples(vocabulary: maxo.Vocabulary, annotations: maxo.Annotations) -> Iterator[tuple]:
    files = (
        (SOURCE_MAXO, "Medical Action Ontology (maxo.obo, with its ChEBI imports)", vocabulary.version,
         vocabulary.sha256, "vendored slice: data/upstream/maxo"),
        (SOURCE_MAXO_ANNOTATIONS, "MAxO medical-action annotations (maxo-annotations.tsv)", annotations.version,
         annotations.sha256, "vendored slice: data/upstream/maxo-annotations"),
    )
    for node, title, version, sha256, where in files:
        yield node, RDF.type, NMDKG.SourceDocument
        yield node, RDFS.label, _en(title)
        yield node, DCTERMS.title, _en(title)
        yield node, OWL.versionInfo, Literal(version)
        yield node, NMDKG.sha256, Literal(sha256)
        yield node, DCTERMS.bibliographicCitation, Literal(where)


def maxo_triples(data: c.Curated, diseases: Iterable[str], phenotypes: set[str], counts: Counts,
                 vocabulary: maxo.Vocabulary | None = None,
                 annotations: maxo.Annotations | None = None) -> Iterator[tuple]:
    """The MAxO annotations of the graph's diseases as rdflib triples.

    ``diseases``: the scope's OMIM/ORPHA diseases; ``phenotypes``: the HPO terms of the phenotypic-abnormality
    branch (an annotation whose target is another kind of term is left out); ``counts`` is filled in.
    """
    vocabulary = vocabulary or maxo.vocabulary()
    annotations = annotations or maxo.load_annotations()
    present = set(diseases)
    curated_ids = {r.id: r for r in data["disorders"]}
    described = {r.id for t in ("interventions", "therapy_agents", "mechanisms") for r in data[t] if r.id}
    yield from maxo_source_triples(vocabulary, annotations)
    seen_nodes: set[str] = set()
    for a in annotations.rows:
        contexts = [expand(a.disease)] if a.disease in curated_ids else []
        contexts += [expand(e) for e in annotations.equivalents.get(a.disease, ()) if e in present]
        if a.disease.startswith("OMIM:") and a.disease in present:
            contexts.append(expand(a.disease))
        if not contexts:
            counts.outside_scope += 1
            continue
        if a.relation not in RELATIONS:
            counts.relation_left_out += 1
            continue
        if a.target and a.target.startswith("HP:") and a.target not in phenotypes:
            counts.target_left_out += 1
            continue
        if vocabulary.check(a.action):
            counts.target_left_out += 1
            continue
        predicate, negated = RELATIONS[a.relation]
        action = expand(a.action)
        if a.action not in seen_nodes and a.action not in described:
            seen_nodes.add(a.action)
            yield action, RDF.type, NMDKG.MedicalAction
            yield action, RDFS.label, _en(vocabulary.terms[a.action].label)
            yield action, DCTERMS.identifier, Literal(a.action)
            yield action, NMDKG.mentionedIn, SOURCE_MAXO
        elif a.action in described:
            yield action, RDF.type, NMDKG.MedicalAction
        chemical = None
        if a.extension:
            chemical = expand(a.extension)
            if a.extension not in seen_nodes and a.extension not in described:
                seen_nodes.add(a.extension)
                yield chemical, RDF.type, NMDKG.Medication
                yield chemical, RDFS.label, _en(vocabulary.chebi.get(a.extension) or a.extension_label or a.extension)
                yield chemical, DCTERMS.identifier, Literal(a.extension)
                yield chemical, NMDKG.mentionedIn, SOURCE_MAXO_ANNOTATIONS
        counts.kept += 1
        counts.diseases.add(a.disease)
        for context in contexts:
            target = expand(a.target) if a.target and a.target.startswith("HP:") else context
            node = _digest(a.disease, a.action, a.target, a.relation, a.evidence, a.reference, a.extension, context)
            yield node, RDF.type, NMDKG.MedicalActionAssociation
            yield node, BIOLINK.subject, action
            yield node, BIOLINK.predicate, predicate
            yield node, BIOLINK.object, target
            yield node, NMDKG.diseaseContext, context
            yield node, NMDKG.claimedBy, SOURCE_MAXO_ANNOTATIONS
            yield node, BIOLINK.publications, _reference(a.reference)
            yield node, NMDKG.evidenceCode, Literal(a.evidence)
            yield node, NMDKG.statement, _en(_statement(a, vocabulary))
            if chemical is not None:
                yield node, NMDKG.hasParticipant, chemical
            if negated:
                yield node, BIOLINK.negated, Literal(True)
            else:
                yield action, predicate, target


def _reference(reference: str) -> URIRef:
    """A PMID or OMIM CURIE as its IRI; a web address (a GeneReviews chapter) as itself."""
    return URIRef(reference) if reference.startswith(("http://", "https://")) else expand(reference)


def _statement(a: maxo.Annotation, vocabulary: maxo.Vocabulary) -> str:
    """The annotation in one generated English sentence (MAxO and HPO labels; no upstream prose)."""
    action = vocabulary.terms[a.action].label
    target = f"the finding {a.target}" if a.target and a.target.startswith("HP:") else "the disease itself"
    verb = {"treats": "is used to treat", "prevents": "is used to prevent",
            "contraindicated": "is contraindicated for"}.get(a.relation, "showed no benefit for")
    using = f", using {a.extension_label or a.extension}" if a.extension else ""
    return (f"In {a.disease_name} ({a.disease}), {action}{using} {verb} {target}, according to {a.reference} "
            f"(MAxO annotation, evidence {a.evidence}).")


def as_ntriples(triples: Iterable[tuple]) -> Iterator[NTriple]:
    for s, p, o in triples:
        yield term(s), term(p), term(o)
