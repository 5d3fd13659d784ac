"""The library outside nmdkg (issue 19): each file bound the usual way, by one ``VALUES`` block at the top of
its WHERE clause, gives the rows ``nmdkg query`` gives, in the same order; SPARQLWrapper reads each file's
query form right despite the header comments."""

from __future__ import annotations

import re
import warnings

import pytest

from nmdkg.build.graph import build_canonical
from nmdkg.core import bind
from nmdkg.core.ntriples import lines
from nmdkg.store import Store
from tests.integration.cases import CASES, IDS, LIBRARY, answer


def top_level_only(text: str, bindings) -> str:
    """The usual binding: one VALUES block at the start of the WHERE group, nowhere else."""
    if not bindings:
        return text
    names = list(bindings)
    block = f" VALUES ({' '.join('?' + n for n in names)}) {{ ({' '.join(bindings[n].n3() for n in names)}) }}"
    brace = bind._where_brace(text)
    return text[: brace + 1] + block + text[brace + 1:]


@pytest.fixture(scope="module")
def default_store(nmd_triples):
    return Store.from_ntriples(lines(nmd_triples))


@pytest.fixture(scope="module")
def article_rdflib(curated):
    return Store.from_ntriples(lines(build_canonical(curated, scope="article")), engine="rdflib")


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_a_top_level_values_block_gives_the_rows_of_nmdkg_query(default_store, article_rdflib, case):
    name, params = case
    query = LIBRARY[name]
    bindings = query.bindings(params)
    # rdflib: the default parameters of each query (the extra cases add little); every library query, 10 and
    # 36 included since their rewrite (rdflib took a minute and four minutes on them), answers in about a second
    rdflib_too = not params
    for store in (default_store, article_rdflib) if rdflib_too else (default_store,):
        expected = answer(query.run(store, params), ordered=query.ordered)
        plain = top_level_only(query.text, bindings)
        got = answer(store.query(plain), ordered=query.ordered)
        assert got == expected, name


@pytest.mark.parametrize("name", ["14-corrected-claims", "21-classification-claims-checked"])
def test_nmdkg_binds_14_and_21_as_an_outside_client_does(name):
    """14 and 21 once needed the block repeated inside their subquery (the document was compared there);
    now the document is walked inside ``FILTER EXISTS`` at the top level, so ``nmdkg query`` sends exactly
    the text bound by one top-level block, and the parametrised test above checks its rows."""
    query = LIBRARY[name]
    bindings = query.bindings({"document": "NMDKG:nmd-article"})
    assert bindings
    assert bind.with_values(query.text, bindings) == top_level_only(query.text, bindings)


#: A case-insensitive sort key in the library's portable form (queries/README.md, "Portable forms").
SORT_KEY = re.compile(r"STR\(LCASE\(STR\((?:\?\w+|COALESCE\(\?\w+, \"\"\))\)\)\)")


def order_by(text: str) -> str:
    """The ORDER BY clause of a query (to its end, LIMIT included)."""
    match = re.search(r"^ORDER BY\b.*", text, re.MULTILINE | re.DOTALL)
    return match[0] if match else ""


def test_case_insensitive_sort_keys_are_plain_strings():
    """Virtuoso 7.2.5 sorts the values of ``LCASE(STR(?label))`` in two runs: ``LCASE`` of a string of
    more than 20 characters returns an RDF box, of a shorter one a plain string, and its ORDER BY compares
    the two kinds by type before text. ``STR(...)`` around it makes every key a plain string, so the order
    is the same on every engine (tests/integration/test_virtuoso.py compares it)."""
    keyed = 0
    for name, query in LIBRARY.items():
        clause = order_by(query.text)
        keyed += "LCASE" in clause
        assert clause.count("LCASE") == len(SORT_KEY.findall(clause)), f"{name}: {clause!r}"
    assert keyed > 20
    assert not SORT_KEY.search("ORDER BY LCASE(STR(?label)) ?x")


def test_sparqlwrapper_reads_the_form_of_every_library_file():
    """SPARQLWrapper guesses the form from the text, header comments included (it drops only every other
    comment line): a word such as 'construction' or 'added' in a header would make it send an update."""
    from SPARQLWrapper import SPARQLWrapper

    assert len(LIBRARY) >= 30
    for name, query in LIBRARY.items():
        client = SPARQLWrapper("http://127.0.0.1:9/sparql")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            client.setQuery(query.text)
        assert client.queryType == query.form, f"{name}: SPARQLWrapper reads it as {client.queryType}"
