"""Every competency question of the library, answered from the curated tables by hand-written Python and
compared with what the query returns on the article graph (``--scope article``).

The pins of ``tests/resources/expected/`` are the code's own earlier answers; here each expected answer is
computed from the rows of ``data/curated/`` (and, where a query needs it, the class hierarchy of the
ontology written out below), with no RDF and no SPARQL, and for every disorder, finding or source the
tables hold, not only the query's default. A query that drifts from what the tables say fails here.
"""

from __future__ import annotations

from collections import Counter

import pytest
from rdflib import RDF, RDFS, SKOS, Literal, URIRef

from nmdkg.core.namespaces import NMDKG, NMDKGR, expand
from nmdkg.curated.tables import INTERVENTION_CLASSES
from nmdkg.query.library import load_library
from nmdkg.store import Store

LIBRARY = load_library()
#: The ontology's hierarchy of disorder classes, by hand (ontology/nmdkg.ttl).
BROADER = {"MuscularDystrophy": "NeuromuscularDisorder", "MotorNeuronDisease": "NeuromuscularDisorder",
           "NeuromuscularJunctionDisorder": "NeuromuscularDisorder", "PeripheralNeuropathy": "NeuromuscularDisorder",
           "Polyradiculoneuropathy": "PeripheralNeuropathy", "NeuromuscularDisorder": "Disorder",
           "CentralNervousSystemDisorder": "Disorder"}
DRUGS = {"Medication", "DrugClass", "Biologic", "GeneTherapy"}  # the classes under nmdkg:Medication
CAUSAL = {"causedBy", "triggeredBy"}  # triggeredBy is a sub-property of causedBy


class Tables:
    """The curated rows, indexed, with the rule of the build for node names and rejected claims."""

    def __init__(self, curated):
        self.c = curated
        self.iri: dict[str, URIRef] = {}
        for table in ("sources", "disorders", "genes", "pathogens", "agents", "causes", "symptom_groups",
                      "phenotypes", "interventions", "emotional_impacts", "mechanisms", "therapy_agents"):
            for r in curated[table]:
                identifier = getattr(r, "id", None) or getattr(r, "pmid", None)
                self.iri[r.ref] = expand(identifier) if identifier else NMDKGR[r.ref]
        self.rejected = {(r.fact_table, r.subject, r.object) for r in curated["corrections"] if r.kind == "rejected"}
        self.disorders = {r.key: r for r in curated["disorders"]}
        self.causes = {r.key: r for r in curated["causes"]}
        self.interventions = {r.key: r for r in curated["interventions"]}
        #: every treatment by key: the article's interventions and the therapies' agents
        self.treatments = {**self.interventions, **{r.key: r for r in curated["therapy_agents"]}}
        self.key_of = {iri: key for key, iri in self.iri.items()}

    def kept(self, table: str, r) -> bool:
        if table == "therapies":  # an approval withdrawn keeps its association, not the plain triple
            return r.status != "withdrawn"
        return (table, r.subject, r.object) not in self.rejected

    @staticmethod
    def sources_of(r) -> tuple[str, ...]:
        """The source keys a fact row cites: one for the article's facts, one or more for a therapy."""
        return tuple(r.sources) if hasattr(r, "sources") else (r.source,)

    def involved(self, cause) -> list[str]:
        """What a cause names: its gene, its pathogens (several for poliovirus's serotypes), or its agent."""
        return [cause.gene] if cause.gene else list(cause.pathogen or ()) or ([cause.agent] if cause.agent else [])

    def therapies(self):
        """The therapies of the article scope: those whose indication is a curated disorder."""
        return [r for r in self.c["therapies"] if r.indication in self.disorders]

    def descendants(self, key: str) -> set[str]:
        """The disorder and its subtypes, by the parents column."""
        found, changed = {key}, True
        while changed:
            more = {r.key for r in self.c["disorders"] if set(r.parents) & found} - found
            found |= more
            changed = bool(more)
        return found

    def ancestors(self, key: str) -> set[str]:
        found, stack = {key}, [key]
        while stack:
            for parent in self.disorders[stack.pop()].parents:
                if parent not in found:
                    found.add(parent)
                    stack.append(parent)
        return found

    def phenotypes(self, key: str) -> set[str]:
        """The asserted findings of the disorder itself."""
        return {r.phenotype for r in self.c["disorder_phenotypes"]
                if r.disorder == key and self.kept("disorder_phenotypes", r)}

    def types(self, key: str) -> set[str]:
        """The disorder's classes: its category and every classification claim not rejected."""
        return {self.disorders[key].category} | {r.category for r in self.c["disorder_classifications"]
                                                if r.disorder == key and self.kept("disorder_classifications", r)}

    def associations(self):
        """Every fact row as (table, subject IRI, predicate IRI, object IRI, source key, asserted)."""
        c = self.c
        for r in c["disorder_classifications"]:
            yield r, self.iri[r.disorder], RDF.type, NMDKG[r.category]
        for r in c["disorder_causes"]:
            yield r, self.iri[r.disorder], NMDKG[r.relation], self.iri[r.cause]
            if self.causes[r.cause].gene:
                yield r, self.iri[r.disorder], NMDKG.hasGermlineMutationIn, self.iri[self.causes[r.cause].gene]
        for r in c["disorder_phenotypes"]:
            yield r, self.iri[r.disorder], NMDKG.hasPhenotype, self.iri[r.phenotype]
        for r in c["cause_effects"]:
            yield r, self.iri[r.cause], NMDKG.causes, self.iri[r.phenotype]
        for r in c["intervention_targets"]:
            yield r, self.iri[r.intervention], NMDKG[r.relation], self.iri[r.target]
        for r in c["impact_coping"]:
            yield r, self.iri[r.impact], NMDKG.hasCopingStrategy, self.iri[r.strategy]
        for r in self.therapies():
            yield r, self.iri[r.agent], NMDKG.treats, self.iri[r.indication]

    def asserted(self) -> set[tuple]:
        return {(s, p, o) for r, s, p, o in self.associations() if self.kept(r.table, r)}


@pytest.fixture(scope="module")
def t(curated) -> Tables:
    return Tables(curated)


@pytest.fixture(scope="module")
def ox(graph) -> Store:
    return Store.from_graph(graph)


def run(store: Store, name: str, **params: str) -> list[dict]:
    result = LIBRARY[name].run(store, params)
    return [{str(var): term for var, term in binding.items()} for binding in result.bindings]


def project(rows: list[dict], *names: str) -> set[tuple]:
    return {tuple(row.get(name) for name in names) for row in rows}


def curie(iri: URIRef) -> str:
    from nmdkg.core.namespaces import compress

    return compress(iri)


def test_the_tables_have_something_to_ask_about(t):
    assert len(t.disorders) > 5 and len(list(t.associations())) > 50 and t.rejected


def test_02_causes_of_each_disorder(t, ox):
    for key in t.disorders:
        expected = {(NMDKG[r.relation], t.iri[r.cause]) for r in t.c["disorder_causes"]
                    if r.disorder == key and t.kept("disorder_causes", r)}
        rows = run(ox, "02-causes-of-a-disorder", disorder=curie(t.iri[key]))
        assert project(rows, "relation", "cause") == expected, key
        for row in rows:
            cause = t.causes[t.key_of[row["cause"]]]
            assert row.get("involves") in ({t.iri[i] for i in t.involved(cause)} or {None})
            assert row["kind"] == NMDKG[cause.category]


def test_06_disorders_sharing_symptoms_with_each_disorder(t, ox):
    found = {key: set().union(*(t.phenotypes(sub) for sub in t.descendants(key))) for key in t.disorders}
    for key in t.disorders:
        related = t.descendants(key) | t.ancestors(key)
        expected = {(t.iri[other], len(found[key] & found[other])) for other in t.disorders
                    if other not in related and found[key] & found[other]}
        rows = run(ox, "06-disorders-sharing-symptoms", disorder=curie(t.iri[key]), min="1")
        assert {(row["other"], row["shared"].toPython()) for row in rows} == expected, key


def test_07_most_shared_symptoms(t, ox):
    counts = Counter(o for s, p, o in t.asserted() if p == NMDKG.hasPhenotype)
    expected = sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))[:25]
    expected = [(phenotype, n) for phenotype, n in expected if n >= 2]
    rows = run(ox, "07-most-shared-symptoms")
    assert [(row["phenotype"], row["disorders"].toPython()) for row in rows] == expected
    assert expected


def test_09_treatments_for_each_finding(t, ox):
    targets = {r.target for r in t.c["intervention_targets"] if r.target.startswith("HP:")}
    assert targets
    for target in targets:
        expected = {(t.iri[r.intervention], NMDKG[r.relation]) for r in t.c["intervention_targets"]
                    if r.target == target and t.kept("intervention_targets", r)}
        rows = run(ox, "09-treatments-for-a-symptom", phenotype=target)
        assert project(rows, "treatment", "relation") == expected, target


def test_11_non_drug_care_for_each_disorder(t, ox):
    for key in t.disorders:
        reached = {t.iri[k] for k in t.ancestors(key)}
        reached |= {t.iri[p] for sub in t.descendants(key) for p in t.phenotypes(sub)}
        expected = {(t.iri[r.intervention], NMDKG[r.relation], t.iri[r.target])
                    for r in t.c["intervention_targets"]
                    if t.iri[r.target] in reached and t.kept("intervention_targets", r)
                    and not set(t.interventions[r.intervention].categories) & DRUGS}
        expected |= {(t.iri[r.agent], NMDKG.treats, t.iri[r.indication]) for r in t.therapies()
                     if t.iri[r.indication] in reached and t.kept("therapies", r)
                     and not set(t.treatments[r.agent].categories) & DRUGS}
        rows = run(ox, "11-non-drug-care-for-a-disorder", disorder=curie(t.iri[key]))
        assert project(rows, "care", "relation", "target") == expected, key
    assert set(INTERVENTION_CLASSES) > {"Medication", "DrugClass"}


def test_13_provenance_of_the_facts_about_each_disorder(t, ox):
    asserted = t.asserted()
    for key in t.disorders:
        subject = t.iri[key]
        expected = {(p, o, t.iri[source], Literal((s, p, o) in asserted))
                    for r, s, p, o in t.associations() if s == subject for source in t.sources_of(r)}
        rows = run(ox, "13-provenance-of-a-fact", subject=curie(subject))
        assert project(rows, "predicate", "object", "source", "asserted") == expected, key


def test_15_and_16_identifier_mappings(t, ox):
    expected = {(t.iri[r.key], SKOS.exactMatch, expand(x)) for r in t.c["disorders"] for x in r.xrefs}
    expected |= {(t.iri[r.disorder], SKOS[r.relation], expand(r.counterpart)) for r in t.c["disorder_counterparts"]}
    assert project(run(ox, "15-identifier-mappings"), "disorder", "relation", "xref") == expected
    for _, relation, xref in expected:
        rows = run(ox, "16-disorders-by-external-id", id=curie(xref))
        assert project(rows, "disorder", "relation") == {(d, r) for d, r, x in expected if x == xref}
        assert relation in {row["relation"] for row in rows}


def test_20_subtypes_of_each_disorder(t, ox):
    for key in t.disorders:
        below = t.descendants(key) - {key}
        expected = {(t.iri[sub], t.iri[parent]) for sub in below for parent in t.disorders[sub].parents
                    if parent in t.descendants(key)}
        rows = run(ox, "20-subtypes-of-a-disorder", disorder=curie(t.iri[key]))
        assert project(rows, "subtype", "parent") == expected, key


def _within(t: Tables, document: str) -> set[str]:
    return {r.key for r in t.c["sources"] if r.key == document or r.part_of == document}


def test_21_classification_claims_checked(t, ox):
    def subclasses(cls: str) -> set[str]:
        return {c for c in (*BROADER, "Disorder") if c == cls or BROADER.get(c) == cls
                or BROADER.get(BROADER.get(c, ""), "") == cls}

    corrections = {(r.subject, r.object): r.kind for r in t.c["corrections"]
                   if r.fact_table == "disorder_classifications"}
    documents = [r.key for r in t.c["sources"] if r.kind == "document"]
    assert documents
    for document in documents:
        expected = {(t.iri[r.disorder], NMDKG[r.category], t.iri[r.source],
                     Literal(bool(t.types(r.disorder) & subclasses(r.category))),
                     (NMDKG.Rejected if corrections[(r.disorder, r.category)] == "rejected" else NMDKG.Refined)
                     if (r.disorder, r.category) in corrections else None)
                    for r in t.c["disorder_classifications"] if r.source in _within(t, document)}
        rows = run(ox, "21-classification-claims-checked", document=curie(t.iri[document]))
        assert project(rows, "disorder", "claimedClass", "section", "holds", "correctionKind") == expected


def test_22_symptom_groups(t, ox):
    matches = {r.key: r.match for r in t.c["symptom_groups"]}
    expected = {(t.iri[g], expand(matches[g]) if matches[g] else None, t.iri[r.id])
                for r in t.c["phenotypes"] for g in r.groups}
    assert expected
    assert project(run(ox, "22-symptom-groups"), "group", "match", "member") == expected


def test_23_disorders_with_each_finding(t, ox):
    for r in t.c["phenotypes"]:
        expected = {(t.iri[d.disorder], t.iri[r.id]) for d in t.c["disorder_phenotypes"]
                    if d.phenotype == r.id and t.kept("disorder_phenotypes", d)}
        rows = run(ox, "23-disorders-with-a-symptom", phenotype=r.id)
        assert project(rows, "disorder", "annotated") == expected, r.id


def test_24_causes_of_each_finding(t, ox):
    for r in t.c["phenotypes"]:
        expected = set()
        for e in t.c["cause_effects"]:
            if e.phenotype == r.id and t.kept("cause_effects", e):
                cause = t.causes[e.cause]
                expected |= {(t.iri[e.cause], NMDKG[cause.category], t.iri[involved] if involved else None)
                             for involved in t.involved(cause) or [None]}
        rows = run(ox, "24-causes-of-a-symptom", phenotype=r.id)
        assert project(rows, "cause", "kind", "involves") == expected, r.id


def test_25_pathogens_and_toxic_agents(t, ox):
    expected = set()
    for cause in t.causes.values():
        for column, kind in (("pathogen", NMDKG.Pathogen), ("agent", NMDKG.ToxicAgent)):
            if getattr(cause, column):
                disorders = {t.iri[r.disorder] for r in t.c["disorder_causes"]
                             if r.cause == cause.key and t.kept("disorder_causes", r)} or {None}
                named = getattr(cause, column)
                expected |= {(t.iri[agent], kind, t.iri[cause.key], d)
                             for agent in (named if isinstance(named, tuple) else (named,)) for d in disorders}
    assert expected
    assert project(run(ox, "25-pathogens-and-toxic-agents"), "agent", "agentKind", "cause", "disorder") == expected


def test_26_facts_of_each_source(t, ox):
    for source in t.c["sources"]:
        sections = _within(t, source.key)
        expected = {(t.iri[source], s, p, o) for r, s, p, o in t.associations()
                    for source in t.sources_of(r) if source in sections}
        rows = run(ox, "26-facts-of-a-source", source=curie(t.iri[source.key]))
        assert project(rows, "section", "subject", "predicate", "object") == expected, source.key


def test_28_card_of_each_disorder(t, ox):
    asserted = t.asserted()
    labels = {t.iri[r.ref]: getattr(r, "symbol", None) or getattr(r, "title", None) or r.label
              for table in ("disorders", "genes", "causes", "phenotypes", "interventions", "therapy_agents")
              for r in t.c[table]}
    for key, r in t.disorders.items():
        d = t.iri[key]
        expected = {(d, RDFS.label, Literal(r.label, lang="en"))}
        expected |= {(d, RDF.type, NMDKG[cls]) for cls in t.types(key)}
        expected |= {(d, SKOS.exactMatch, expand(x)) for x in r.xrefs}
        expected |= {(d, SKOS.exactMatch, expand(m.counterpart)) for m in t.c["disorder_counterparts"]
                     if m.disorder == key and m.relation == "exactMatch"}
        linked = set()
        for parent in r.parents:
            expected.add((d, RDFS.subClassOf, t.iri[parent]))
            linked.add(t.iri[parent])
        for s, p, o in asserted:
            if s == d and (p == NMDKG.hasPhenotype or str(p).rsplit("/", 1)[-1] in CAUSAL):
                expected.add((s, p, o))
                linked.add(o)
            if o == d and p == NMDKG.treats:
                expected.add((s, p, o))
                linked.add(s)
        expected |= {(node, RDFS.label, Literal(labels[node], lang="en")) for node in linked}
        card = LIBRARY["28-disorder-card"].run(ox, {"disorder": curie(d)}).graph
        assert set(card) == expected, key


def test_29_untreated_symptoms_of_each_disorder(t, ox):
    treated = {t.iri[r.target] for r in t.c["intervention_targets"] if t.kept("intervention_targets", r)}
    for key in t.disorders:
        found = {t.iri[p] for sub in t.descendants(key) for p in t.phenotypes(sub)}
        rows = run(ox, "29-untreated-symptoms", disorder=curie(t.iri[key]))
        assert {row["phenotype"] for row in rows} == found - treated, key


@pytest.mark.parametrize("text", ["myasthenia", "MUSCLE", "Lou Gehrig's", "dystroph", "zzz-nothing"])
def test_30_find_by_name(t, ox, text):
    names: set[tuple[URIRef, str]] = set()
    for r in t.c["disorders"]:
        names |= {(t.iri[r.key], n) for n in (r.label, *r.synonyms)}
    for r in t.c["genes"]:
        names |= {(t.iri[r.key], r.symbol), (t.iri[r.key], r.label)}
    for table in ("pathogens", "agents", "causes", "symptom_groups", "phenotypes", "interventions",
                  "emotional_impacts", "mechanisms", "therapy_agents"):
        names |= {(t.iri[r.ref], r.label) for r in t.c[table]}
    names |= {(t.iri[r.key], r.title) for r in t.c["sources"]}
    names |= {(NMDKGR[f"correction-{r.key}"], f"correction: {r.key.replace('-', ' ')}") for r in t.c["corrections"]}
    ours = {(node, name) for node, name in names if text.lower() in name.lower()}
    rows = run(ox, "30-find-by-name", text=text)
    found = {(row["node"], str(row["name"])) for row in rows}
    ontology = {(node, name) for node, name in found if str(node).startswith(str(NMDKG))}  # the ontology's terms
    assert found - ontology == ours
