"""``nmdkg serve`` with the real Oxigraph server binary (the ``oxigraph`` PyPI package, a dependency), on a
tiny graph and a free port of 127.0.0.1: the store, the server's start and stop, and the errors users meet."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from nmdkg.core.errors import InputError
from nmdkg.publish.serve import (
    ServeError,
    check_port_free,
    host_port,
    prepare_store,
    start_server,
    starter_query,
    stop_server,
    urls,
    wait_until_ready,
)
from tests.integration.conftest import alive, free_port

TRIPLES = (b'<urn:x:mg> <http://www.w3.org/2000/01/rdf-schema#label> "myasthenia gravis"@en .\n'
           b"<urn:x:mg> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <urn:x:Disorder> .\n")


@pytest.fixture
def build(tmp_path):
    folder = tmp_path / "output"
    folder.mkdir()
    (folder / "nmdkg.nt").write_bytes(TRIPLES)
    return folder


def _get(url: str) -> bytes:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(url, headers={"Accept": "text/tab-separated-values"})
    with opener.open(request, timeout=10) as response:
        return response.read()


def test_the_store_is_loaded_once_per_build(build, tmp_path):
    first = prepare_store(build, tmp_path / "store")
    again = prepare_store(build, tmp_path / "store")
    assert (first.triples, first.reused, again.reused) == (2, False, True)
    (build / "nmdkg.nt").write_bytes(TRIPLES + b"<urn:x:a> <urn:x:b> <urn:x:c> .\n")
    changed = prepare_store(build, tmp_path / "store")
    assert (changed.triples, changed.reused) == (3, False)


@pytest.mark.parametrize("piece", [1, 60, 10**9])
def test_n_triples_text_is_loaded_whole_by_pieces_of_any_size(monkeypatch, tmp_path, piece):
    """The build's store loads its N-Triples text by pieces cut at line ends (a piece of 1 byte is a line,
    of 60 bytes one or two lines, a large piece the whole text), with or without a final line end."""
    import pyoxigraph

    import nmdkg.publish.serve as serve

    monkeypatch.setattr(serve, "LOAD_PIECE", piece)
    document = TRIPLES + b"<urn:x:a> <urn:x:b> <urn:x:c> ."  # no line end after the last line
    staged = serve.StagedStore(tmp_path / "store")
    staged.load_ntriples(document)
    (tmp_path / "nmdkg.nt").write_bytes(document)
    prepared = staged.commit(tmp_path / "nmdkg.nt", "0" * 64, None)
    store = pyoxigraph.Store.read_only(str(tmp_path / "store" / serve.DATABASE))
    rows = {tuple(str(term) for term in row) for row in store.query("SELECT ?s ?o WHERE { ?s ?p ?o }")}
    assert prepared.triples == 3
    assert rows == {("<urn:x:mg>", '"myasthenia gravis"@en'), ("<urn:x:mg>", "<urn:x:Disorder>"),
                    ("<urn:x:a>", "<urn:x:c>")}


def test_an_empty_file_is_refused_and_leaves_no_store(tmp_path):
    empty = tmp_path / "empty.ttl"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="holds no triples"):
        prepare_store(empty, tmp_path / "store")
    assert not (tmp_path / "store").exists()


def test_the_server_answers_and_stops_with_its_process_group(build, tmp_path):
    prepared = prepare_store(build, tmp_path / "store")
    port = free_port()
    where = urls("127.0.0.1", port)
    process = start_server(prepared.database, "127.0.0.1", port, log=tmp_path / "server.log")
    try:
        wait_until_ready(process, where.endpoint, timeout=30, log=tmp_path / "server.log")
        query = "SELECT ?l WHERE { <urn:x:mg> <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
        answer = _get(where.endpoint + "?" + urllib.parse.urlencode({"query": query}))
        assert answer.decode().splitlines() == ["?l", '"myasthenia gravis"@en']
    finally:
        code = stop_server(process, grace=10)
    assert code is not None and not alive(process.pid)


def test_a_busy_port_is_one_clear_line():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        with pytest.raises(ServeError, match=f"port {port} on 127.0.0.1 is already in use"):
            check_port_free("127.0.0.1", port)
    check_port_free("127.0.0.1", port)  # free again once closed


def test_a_host_that_is_not_this_machines_is_refused():
    with pytest.raises(InputError, match="not an address of this machine"):
        check_port_free("192.0.2.1", free_port())  # TEST-NET-1: never a local address


def test_addresses_and_urls():
    assert host_port("::1", 7878) == "[::1]:7878"
    assert urls("0.0.0.0", 7878).endpoint == "http://127.0.0.1:7878/query"
    assert urls("127.0.0.1", 1).page == "http://127.0.0.1:1/"


def test_the_starter_link_opens_nmdkgs_prefixes_and_a_query_that_answers(graph):
    import pyoxigraph

    from nmdkg.store import default_prefixes

    link = urllib.parse.urlsplit(urls("127.0.0.1", 7878).starter)
    params = urllib.parse.parse_qs(link.query)
    assert link.path == "/" and params["endpoint"] == ["http://127.0.0.1:7878/query"]
    text = params["query"][0]
    assert text == starter_query()
    declared = dict(re.findall(r"^PREFIX (\w+): <([^>]+)>$", text, re.M))
    assert declared == default_prefixes() and "nmdkg" in declared
    # a bare Oxigraph store, no prefixes of its own: the text parses on its own and answers on the article part
    store = pyoxigraph.Store()
    store.load(graph.serialize(format="nt", encoding="utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    rows = {str(row["kind"].value).rsplit("/", 1)[-1]: int(row["disorders"].value) for row in store.query(text)}
    assert rows["NeuromuscularDisorder"] >= rows["MuscularDystrophy"] > 0
    assert rows["MotorNeuronDisease"] > 0


def _serve(*args: str) -> subprocess.Popen:
    command = [sys.executable, "-c", "import sys; from nmdkg.cli import main; sys.exit(main())", "serve", *args]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            stdin=subprocess.DEVNULL, start_new_session=True)


def test_nmdkg_serve_runs_until_sigterm_and_leaves_no_process(build, tmp_path):
    port = free_port()
    process = _serve("--data", str(build), "--store", str(tmp_path / "store"), "--port", str(port))
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(3)]
        assert lines[1].strip() == f"SPARQL endpoint: http://127.0.0.1:{port}/query", lines
        assert _get(f"http://127.0.0.1:{port}/query?query=ASK%7B%3Curn%3Ax%3Amg%3E%20%3Fp%20%3Fo%7D") == b"true"
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text()
        server = [int(child) for child in children.split()]
        assert server, "the Oxigraph server runs as a child of nmdkg serve"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        assert not any(alive(pid) for pid in server)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_nmdkg_serve_on_a_busy_port_says_so_without_a_backtrace(build, tmp_path):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        process = _serve("--data", str(build), "--store", str(tmp_path / "store"), "--port", str(port))
        _out, err = process.communicate(timeout=60)
    assert process.returncode == 2
    assert err.strip() == (f"nmdkg: error: port {port} on 127.0.0.1 is already in use by another program; "
                           "stop it or choose another port with --port")
    assert "Traceback" not in err and "panicked" not in err and not (tmp_path / "store").exists()
