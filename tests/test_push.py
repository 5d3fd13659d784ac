"""``nmdkg push`` (SPARQL 1.1 Graph Store HTTP Protocol) against a real HTTP server started by the test on
127.0.0.1 (``tests/local_http.py``): what is sent, and that the password is never printed."""

from __future__ import annotations

import pytest

from nmdkg.publish.push import graph_url, push
from nmdkg.query.remote import Credentials, RemoteError
from tests.local_http import GraphStoreHandler, serving

GRAPH = "https://w3id.org/nmdkg/graph/test"
SECRET = "pa55-w0rd:with/odd&chars"
TRIPLES = b"<urn:x:a> <urn:x:b> <urn:x:c> .\n<urn:x:a> <urn:x:b> \"d\" .\n"


@pytest.fixture
def build(tmp_path):
    folder = tmp_path / "output"
    folder.mkdir()
    (folder / "nmdkg.nt").write_bytes(TRIPLES)
    return folder


def test_put_replaces_the_graph_with_the_file(build):
    with serving(GraphStoreHandler) as server:
        report = push(build, server.url + "/store", GRAPH)
    [seen] = server.requests
    assert (seen.method, seen.path, seen.params) == ("PUT", "/store", {"graph": [GRAPH]})
    assert seen.body == TRIPLES
    assert seen.headers["content-type"] == "application/n-triples"
    assert (report.method, report.status, report.triples, report.bytes) == ("PUT", 201, 2, len(TRIPLES))


def test_append_posts_and_a_curie_names_the_graph(build):
    with serving(GraphStoreHandler) as server:
        report = push(build, server.url + "/store", "NMDKG:graph", append=True)
    [seen] = server.requests
    assert seen.method == "POST" and report.graph == "https://w3id.org/nmdkg/resource/graph"


def test_graph_url_keeps_an_existing_query():
    assert graph_url("http://h/store?x=1", "urn:g") == "http://h/store?x=1&graph=urn%3Ag"


def test_basic_credentials_are_sent_once_and_the_file_once(build):
    with serving(GraphStoreHandler, basic=("dba", SECRET)) as server:
        push(build, server.url + "/store", GRAPH, credentials=Credentials("dba", SECRET))
    methods = [seen.method for seen in server.requests]
    assert methods == ["HEAD", "PUT"]  # the challenge is fetched without the body, the file goes once
    assert server.requests[1].body == TRIPLES


def test_the_password_is_never_printed(build, run, monkeypatch):
    monkeypatch.setenv("NMDKG_TEST_PASSWORD", "wrong-" + SECRET)
    with serving(GraphStoreHandler, basic=("dba", SECRET)) as server:
        refused = run("push", "--endpoint", server.url + "/store", "--graph", GRAPH, "--data", str(build),
                      "--user", "dba", "--password-env", "NMDKG_TEST_PASSWORD")
        monkeypatch.setenv("NMDKG_TEST_PASSWORD", SECRET)
        accepted = run("push", "--endpoint", server.url + "/store", "--graph", GRAPH, "--data", str(build),
                       "--user", "dba", "--password-env", "NMDKG_TEST_PASSWORD")
    assert refused.exit_code == 2 and "HTTP 401" in refused.stderr
    assert accepted.exit_code == 0 and "2 triples pushed" in accepted.stdout
    for result in (refused, accepted):
        for form in (SECRET, "wrong-" + SECRET, "pa55-w0rd"):
            assert form not in result.stdout + result.stderr
    # the server echoed the Authorization header: the base64 of the password must not leak either
    assert "ZGJh" not in refused.stderr and "Basic ***" in refused.stderr


def test_a_store_that_wants_credentials_says_so(build):
    with serving(GraphStoreHandler, basic=("dba", SECRET)) as server, \
            pytest.raises(RemoteError, match="needs --user NAME --password-env VAR"):
        push(build, server.url + "/store", GRAPH)


def test_a_server_error_is_a_short_message(build):
    with serving(GraphStoreHandler, status=(500,)) as server, pytest.raises(RemoteError, match="HTTP 500"):
        push(build, server.url + "/store", GRAPH)


DEADLOCK = (500, b"Virtuoso 40001 Error SR172: Transaction deadlocked")


def test_a_deadlocked_load_is_sent_again(build, monkeypatch):
    """Virtuoso rolls a deadlocked load back and says so (HTTP 500, SR172): the same upload is sent again."""
    monkeypatch.setattr("nmdkg.publish.push.DEADLOCK_PAUSES", (0.0, 0.0))
    said: list[str] = []
    with serving(GraphStoreHandler, replies=[DEADLOCK, (201,)]) as server:
        report = push(build, server.url + "/store", GRAPH, progress=said.append)
    assert report.status == 201 and report.triples == 2
    uploads = [seen for seen in server.requests if seen.method == "PUT"]
    assert [seen.body for seen in uploads] == [TRIPLES, TRIPLES]
    assert any("deadlock" in line and "attempt 2 of 3" in line for line in said)


def test_a_deadlock_that_persists_is_reported_after_a_bounded_number_of_tries(build, monkeypatch):
    monkeypatch.setattr("nmdkg.publish.push.DEADLOCK_PAUSES", (0.0, 0.0))
    with serving(GraphStoreHandler, replies=[DEADLOCK] * 5) as server, pytest.raises(RemoteError, match="SR172"):
        push(build, server.url + "/store", GRAPH)
    assert len([seen for seen in server.requests if seen.method == "PUT"]) == 3


@pytest.mark.parametrize("args, message", [
    (("--user", "dba"), "give both --user NAME and --password-env VAR"),
    (("--user", "dba", "--password-env", "hunter2!"), "takes the NAME of an environment variable"),
    (("--user", "dba", "--password-env", "NMDKG_NOT_SET_ANYWHERE"), "is not set"),
])
def test_credential_options_are_checked_before_sending(build, run, args, message):
    with serving(GraphStoreHandler) as server:
        result = run("push", "--endpoint", server.url + "/store", "--graph", GRAPH, "--data", str(build), *args)
    assert result.exit_code == 2 and message in result.stderr
    assert "hunter2" not in result.stderr
    assert server.requests == []
