"""A real HTTP server on 127.0.0.1, started by a test, that records every request it gets.

``SparqlHandler`` answers the SPARQL 1.1 Protocol from a real engine (a pyoxigraph store and Oxigraph's own
result writers), so a client test checks what travels over the wire and what comes back; ``GraphStore``
takes PUT/POST/HEAD of the Graph Store Protocol, optionally behind HTTP basic authentication.
"""

from __future__ import annotations

import base64
import contextlib
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Seen:
    method: str
    path: str
    params: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


@dataclass
class Server:
    url: str
    requests: list[Seen] = field(default_factory=list)
    state: dict = field(default_factory=dict)


class _Recording(BaseHTTPRequestHandler):
    server_state: Server

    def log_message(self, *args) -> None:  # quiet
        pass

    def _seen(self) -> Seen:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urllib.parse.urlsplit(self.path)
        params = urllib.parse.parse_qs(parts.query)
        if self.headers.get_content_type() == "application/x-www-form-urlencoded":
            params.update(urllib.parse.parse_qs(body.decode("utf-8")))
        seen = Seen(self.command, parts.path, params, {k.lower(): v for k, v in self.headers.items()}, body)
        self.server_state.requests.append(seen)
        return seen

    def reply(self, status: int, body: bytes = b"", media_type: str = "text/plain", headers: dict | None = None):
        self.send_response(status)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class SparqlHandler(_Recording):
    """SPARQL 1.1 Protocol on ``state['store']`` (a pyoxigraph Store); ``state['fail']`` forces a reply."""

    def do_GET(self) -> None:
        self.answer(self._seen())

    def do_POST(self) -> None:
        self.answer(self._seen())

    def answer(self, seen: Seen) -> None:
        import pyoxigraph

        delay = self.server_state.state.get("delay")
        if delay:
            import time

            time.sleep(delay)
        forced = self.server_state.state.get("fail")
        if forced:
            self.reply(*forced)
            return
        text = seen.params.get("query", [""])[0]
        graphs = seen.params.get("default-graph-uri")
        store: pyoxigraph.Store = self.server_state.state["store"]
        try:
            options = {"default_graph": [pyoxigraph.NamedNode(g) for g in graphs]} if graphs else \
                {"use_default_graph_as_union": False}
            result = store.query(text, **options)
        except SyntaxError as exc:
            self.reply(400, f"<html><body><h1>Bad query</h1><p>{exc}</p></body></html>".encode(), "text/html")
            return
        if isinstance(result, pyoxigraph.QueryTriples):
            self.reply(200, result.serialize(format=pyoxigraph.RdfFormat.TURTLE), "text/turtle")
        else:
            self.reply(200, result.serialize(format=pyoxigraph.QueryResultsFormat.JSON),
                       "application/sparql-results+json")


class GraphStoreHandler(_Recording):
    """PUT/POST/HEAD of the Graph Store Protocol; with ``state['basic']`` = (user, password), basic auth."""

    def _allowed(self, seen: Seen) -> bool:
        expected = self.server_state.state.get("basic")
        if expected is None:
            return True
        token = base64.b64encode(f"{expected[0]}:{expected[1]}".encode()).decode()
        if seen.headers.get("authorization") == f"Basic {token}":
            return True
        echo = seen.headers.get("authorization", "")  # a careless server that echoes what it got
        self.reply(401, f"unauthorized: {echo}".encode(), headers={"WWW-Authenticate": 'Basic realm="test"'})
        return False

    def do_HEAD(self) -> None:
        seen = self._seen()
        if self._allowed(seen):
            self.reply(404)

    def do_PUT(self) -> None:
        seen = self._seen()
        if self._allowed(seen):
            replies = self.server_state.state.get("replies")  # one (status, body) per upload, in turn
            self.reply(*(replies.pop(0) if replies else self.server_state.state.get("status", (201,))))

    do_POST = do_PUT


@contextlib.contextmanager
def serving(handler: type[_Recording], **state) -> Iterator[Server]:
    """Run ``handler`` on a free port of 127.0.0.1 in a thread; stop it on leaving."""
    record = Server("", state=dict(state))
    bound = type("Handler", (handler,), {"server_state": record})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), bound)
    httpd.daemon_threads = True  # a handler still asleep (a timeout test) does not hold the test up
    record.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield record
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()
