"""Virtuoso 7 (Debian's virtuoso-opensource): ``nmdkg push`` through ``/sparql-graph-crud-auth`` with HTTP
digest authentication, and the query library through ``--endpoint`` against the embedded answers.

The build pushed is the default one (about 250,000 triples; Virtuoso takes it in a few seconds). Queries
read the pushed graph alone: ``default-graph-uri`` (a protocol parameter), not Virtuoso's union of every
graph. One normalisation: Virtuoso has no boolean type in results, so a boolean value (``EXISTS`` bound to
a variable) is compared as the ``1``/``0`` ``xsd:integer`` Virtuoso returns. A query with ``ORDER BY``
must give its rows in the embedded order (case-insensitive keys are written ``STR(LCASE(STR(?label)))``:
queries/README.md, "Portable forms").

Every case of the library must give the embedded answer exactly, on the database just created and
loaded: the queries keep to forms that Virtuoso 7.2.5 answers correctly whatever join order it picks
(queries/README.md, "Portable forms"; docs/decisions/0006-serving.md). A new database plans with the
statistics of the empty one, and a loaded machine makes its planner settle sooner, so the order is not
predictable; no path of the library is walked with both ends bound, whatever the order.
"""

from __future__ import annotations

import pytest

from nmdkg.query.remote import Endpoint
from nmdkg.store import Store
from tests.integration.cases import CASES, IDS, LIBRARY, answer, booleans_as_integers, describe
from tests.integration.conftest import GRAPH, VIRTUOSO_PASSWORD, VIRTUOSO_USER

PASSWORD_ENV = "NMDKG_TEST_VIRTUOSO_PASSWORD"


@pytest.fixture(scope="module")
def password(monkeypatch_module):
    monkeypatch_module.setenv(PASSWORD_ENV, VIRTUOSO_PASSWORD)
    return VIRTUOSO_PASSWORD


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.fixture(scope="module")
def pushed(virtuoso, default_build, password):
    """The default build pushed with ``nmdkg push`` (digest authentication): exit code and outputs."""
    import contextlib
    import io

    from nmdkg.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["push", "--endpoint", virtuoso.crud, "--graph", GRAPH, "--data", str(default_build),
                     "--user", VIRTUOSO_USER, "--password-env", PASSWORD_ENV])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def remote(virtuoso, pushed):
    return Endpoint(virtuoso.sparql, default_graph=GRAPH)


@pytest.fixture(scope="module")
def embedded(default_build):
    return Store.from_files([default_build / "nmdkg.nt"])


def count(endpoint: Endpoint) -> int:
    result = endpoint.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    return int(result.bindings[0][result.vars[0]])


def test_push_with_digest_authentication(pushed, remote, default_build, password):
    code, out, err = pushed
    assert code == 0, err
    triples = sum(1 for _ in (default_build / "nmdkg.nt").open("rb"))
    assert f"{triples} triples pushed (replaced graph <{GRAPH}>)" in out
    assert "(100 %)" in err
    assert password not in out + err
    assert count(remote) == triples


def test_append_then_replace(run, virtuoso, tmp_path, password, pushed):
    graph = GRAPH + "/append"
    endpoint = Endpoint(virtuoso.sparql, default_graph=graph)
    extra = tmp_path / "extra.nt"
    extra.write_text("<urn:nmdkg:test:a> <urn:nmdkg:test:p> \"added\" .\n")
    auth = ("--user", VIRTUOSO_USER, "--password-env", PASSWORD_ENV)
    other = tmp_path / "other.nt"
    other.write_text("<urn:nmdkg:test:b> <urn:nmdkg:test:p> \"other\" .\n<urn:nmdkg:test:c> <urn:nmdkg:test:p> 1 .\n")
    assert run("push", "--endpoint", virtuoso.crud, "--graph", graph, "--data", str(other), *auth).exit_code == 0
    assert count(endpoint) == 2
    result = run("push", "--endpoint", virtuoso.crud, "--graph", graph, "--data", str(extra), "--append", *auth)
    assert result.exit_code == 0, result.stderr
    assert count(endpoint) == 3
    assert run("push", "--endpoint", virtuoso.crud, "--graph", graph, "--data", str(extra), *auth).exit_code == 0
    assert count(endpoint) == 1


def test_wrong_or_missing_credentials_are_refused_and_never_shown(run, virtuoso, article_build, monkeypatch):
    secret = "not-the-password-7f3a"
    monkeypatch.setenv("NMDKG_WRONG", secret)
    wrong = run("push", "--endpoint", virtuoso.crud, "--graph", GRAPH + "/wrong", "--data", str(article_build),
                "--user", VIRTUOSO_USER, "--password-env", "NMDKG_WRONG")
    assert wrong.exit_code == 2
    assert "401" in wrong.stderr and "credentials" in wrong.stderr
    assert secret not in wrong.stdout + wrong.stderr
    missing = run("push", "--endpoint", virtuoso.crud, "--graph", GRAPH + "/wrong", "--data", str(article_build))
    assert missing.exit_code == 2 and "--user NAME --password-env VAR" in missing.stderr
    unset = run("push", "--endpoint", virtuoso.crud, "--graph", GRAPH + "/wrong", "--data", str(article_build),
                "--user", VIRTUOSO_USER, "--password-env", "NMDKG_NOT_SET_ANYWHERE")
    assert unset.exit_code == 2 and "is not set" in unset.stderr
    in_url = run("push", "--endpoint", virtuoso.crud.replace("http://", f"http://dba:{secret}@"), "--graph", GRAPH,
                 "--data", str(article_build))
    assert in_url.exit_code == 2 and "no credentials in the URL" in in_url.stderr
    assert secret not in in_url.stdout + in_url.stderr


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_library_gives_the_embedded_answers(embedded, remote, case):
    name, params = case
    query = LIBRARY[name]
    expected = answer(query.run(embedded, params), ordered=query.ordered, normalise=booleans_as_integers)
    got = answer(query.run(remote, params), ordered=query.ordered)
    assert got == expected, describe(expected, got)


def test_query_endpoint_on_virtuoso_writes_the_embedded_output(run, virtuoso, remote, default_build):
    for args in (("12-emotional-impacts-and-coping", "--format", "csv"), ("07", "--format", "tsv"),
                 ("05", "--param", "disorder=MONDO:0019056", "--format", "csv")):
        local = run("query", *args, "--data", str(default_build))
        remote = run("query", *args, "--endpoint", virtuoso.sparql, "--graph", GRAPH)
        assert remote.exit_code == 0, remote.stderr
        assert remote.stdout.splitlines() == local.stdout.splitlines()
