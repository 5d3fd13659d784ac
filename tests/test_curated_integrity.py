"""Integrity rules over the real curated tables: one rule per test, and a failure says how to fix it."""

from __future__ import annotations

import re

import pytest

from nmdkg.curated.lint import lint
from nmdkg.curated.tables import FACT_TABLES

from .conftest import ARTICLE


@pytest.fixture(scope="module")
def hpo():
    from nmdkg.sources import hpo_obo

    return hpo_obo.load()


def test_tables_are_in_canonical_form():
    changed = lint(check=True)
    assert changed == [], f"run `nmdkg lint` to rewrite {', '.join(p.name for p in changed)} in canonical form"


def test_every_hpo_term_exists_and_is_current(curated, hpo):
    for row in curated["phenotypes"]:
        term = hpo.terms.get(row.id)
        assert term is not None, f"phenotypes.tsv:{row.line}: {row.id} is not a primary HPO identifier"
        assert not term.obsolete, (
            f"phenotypes.tsv:{row.line}: {row.id} is obsolete in HPO; use {term.replaced_by or term.consider}"
        )
        assert term.name == row.label, (
            f"phenotypes.tsv:{row.line}: label of {row.id} must be the HPO label {term.name!r}, not {row.label!r}"
        )


def test_symptom_group_and_impact_mappings_are_current_hpo_terms(curated, hpo):
    curies = [(r.line, "symptom_groups", r.match) for r in curated["symptom_groups"] if r.match]
    curies += [(r.line, "emotional_impacts", c) for r in curated["emotional_impacts"] for c in r.related]
    assert curies
    for line, table, curie in curies:
        term = hpo.terms.get(curie)
        assert term is not None and not term.obsolete, f"{table}.tsv:{line}: {curie} is not a current HPO term"


ARTICLE_DISORDERS = {
    "muscular-dystrophy", "amyotrophic-lateral-sclerosis", "myasthenia-gravis", "multiple-sclerosis",
    "peripheral-neuropathy", "guillain-barre-syndrome", "spinal-muscular-atrophy", "duchenne-muscular-dystrophy",
}


def test_the_articles_disorders_are_all_curated(curated):
    missing = ARTICLE_DISORDERS - {r.key for r in curated["disorders"]}
    assert not missing, f"add rows to disorders.tsv for {sorted(missing)}"


def test_the_seven_listed_disorders_are_classified_by_the_article(curated):
    listed = {r.disorder for r in curated["disorder_classifications"] if r.source == "article-what-are-nmds"}
    assert listed == ARTICLE_DISORDERS - {"duchenne-muscular-dystrophy"}


def test_every_article_section_is_used(curated):
    used = {r.source for t in FACT_TABLES for r in curated[t.table]}
    used |= {s for t in ("disorders", "causes", "phenotypes", "interventions") for r in curated[t]
             for s in r.mentioned_in}
    sections = {r.key for r in curated["sources"] if r.kind == "section"}
    assert sections, "sources.tsv has no sections"
    unused = sections - used
    assert not unused, f"sections {sorted(unused)} state no fact; add their facts or remove them"


def test_every_reference_is_cited_by_a_correction_or_a_therapy(curated):
    cited = {r.citation for r in curated["corrections"]}
    cited |= {source for r in curated["therapies"] for source in r.sources}
    references = {r.key for r in curated["sources"] if r.kind == "reference"}
    assert references - cited == set(), f"remove uncited references {sorted(references - cited)}"


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def test_statements_are_in_our_own_words(curated):
    """No statement repeats a run of seven or more consecutive words of the article."""
    if not ARTICLE.exists():
        pytest.skip("the shared article is not beside this checkout")
    words = _words(ARTICLE.read_text(encoding="utf-8"))
    runs = {tuple(words[i:i + 7]) for i in range(len(words) - 6)}
    texts = [(t.table, r.line, r.statement) for t in FACT_TABLES for r in curated[t.table]]
    texts += [("disorders", r.line, r.definition) for r in curated["disorders"]]
    texts += [("interventions", r.line, r.definition) for r in curated["interventions"]]
    texts += [("therapies", r.line, r.statement) for r in curated["therapies"]]
    texts += [(t, r.line, r.definition) for t in ("therapy_agents", "mechanisms") for r in curated[t]]
    assert texts
    for table, line, text in texts:
        w = _words(text)
        copied = [" ".join(w[i:i + 7]) for i in range(len(w) - 6) if tuple(w[i:i + 7]) in runs]
        assert not copied, f"{table}.tsv:{line}: rephrase; copied from the article: {copied[0]!r}"


def test_genetic_causes_name_their_gene(curated):
    for r in curated["causes"]:
        if r.category == "GeneticMutation":
            assert r.gene, f"causes.tsv:{r.line}: a genetic mutation must name its gene"
