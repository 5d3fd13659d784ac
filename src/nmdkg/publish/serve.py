"""``nmdkg serve``: the built graph behind the real Oxigraph server, with its query page.

No HTTP server of our own: the graph is bulk-loaded into an on-disk Oxigraph store (``pyoxigraph``), and
the Oxigraph server of the ``oxigraph`` package on PyPI serves that store read-only::

    oxigraph serve-read-only --location STORE/oxigraph --bind 127.0.0.1:7878 --timeout-s 30

It answers SPARQL 1.1 queries at ``/query`` (GET, or POST form-encoded or ``application/sparql-query``),
serves the graph at ``/store`` (SPARQL 1.1 Graph Store Protocol, read-only) and a YASGUI query page at
``/``. Updates are refused (the server is read-only).

The store is reused while the build is unchanged: beside the database, ``STORE/source.json`` records the
SHA-256 of the file it was loaded from; a different file (a new build) is loaded into a fresh database
that replaces the old one only when complete.

The server runs as a child process in its own process group; Ctrl-C (SIGINT), SIGTERM and SIGHUP stop it
(SIGTERM, then SIGKILL after a grace period) before ``nmdkg serve`` returns, and on Linux the kernel
stops it if ``nmdkg serve`` itself is killed (``PR_SET_PDEATHSIG``). No process is left behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from nmdkg.core.errors import InputError, NmdkgError
from nmdkg.core.io import sha256_of
from nmdkg.core.paths import build_file
from nmdkg.core.rdf_read import load_oxigraph

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
#: Seconds after which the server cancels a query (``oxigraph serve-read-only --timeout-s``).
DEFAULT_QUERY_TIMEOUT = 30
#: Seconds the server gets to start answering, and to stop after SIGTERM before it is killed.
START_TIMEOUT = 60.0
STOP_GRACE = 10.0
STAMP = "source.json"
DATABASE = "oxigraph"
#: The named graph that holds the build's dataset description (``void.ttl`` beside the build file, see
#: ``nmdkg.export.void``): Oxigraph writes its own SPARQL service description, so the VoID is served as this graph
#: (``/store?graph=...``, or ``GRAPH <...>`` in a query); the default graph stays the knowledge graph alone.
DESCRIPTION_GRAPH = "https://w3id.org/nmdkg/void"

Progress = Callable[[str], None]


class ServeError(NmdkgError):
    """The server could not be started or stopped unexpectedly (exit code 2)."""


# -- the store ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PreparedStore:
    """An on-disk Oxigraph store loaded from ``source``."""

    folder: Path
    source: Path
    sha256: str
    triples: int
    reused: bool

    @property
    def database(self) -> Path:
        return self.folder / DATABASE


def _stamp(folder: Path) -> dict:
    try:
        stamp = json.loads((folder / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return stamp if isinstance(stamp, dict) else {}


def prepare_store(data: Path, folder: Path, progress: Progress = lambda message: None) -> PreparedStore:
    """Load the build ``data`` into the on-disk store in ``folder``, unless it already holds that build.

    The database is ``folder/oxigraph``; ``folder/source.json`` records the SHA-256 of the loaded file and
    the pyoxigraph version. A changed build is bulk-loaded into a temporary folder beside it, which then
    replaces the old database, so an interrupted load never leaves a half-filled store in use.
    """
    import pyoxigraph

    source = build_file(data, datasets=True)
    digest = sha256_of(source)
    description = source.parent / "void.ttl"
    described = sha256_of(description) if description.is_file() else None
    stamp = _stamp(folder)
    database = folder / DATABASE
    if (stamp.get("sha256") == digest and stamp.get("pyoxigraph") == pyoxigraph.__version__
            and stamp.get("description_sha256") == described and (database / "CURRENT").is_file()):
        progress(f"reusing the store in {folder}/ (it holds this build: sha256 {digest[:12]}…)")
        return PreparedStore(folder, source, digest, int(stamp.get("triples", 0)), reused=True)
    return _load(source, folder, digest, progress, description, described)


def _load(source: Path, folder: Path, digest: str, progress: Progress, description: Path,
          described: str | None) -> PreparedStore:
    size = source.stat().st_size
    progress(f"loading {source} ({size / 1e6:.1f} MB) into the store in {folder}/ (once per build)")
    started = time.monotonic()
    with StagedStore(folder) as staged:
        staged.load(source)
        prepared = staged.commit(source, digest, description if described is not None else None)
    progress(f"loaded {prepared.triples} triples in {time.monotonic() - started:.1f} s")
    return prepared


#: The largest piece of N-Triples text :meth:`StagedStore.load_ntriples` gives Oxigraph's bulk loader at once.
LOAD_PIECE = 64 << 20


class StagedStore:
    """An on-disk store filled in a temporary folder inside ``folder`` and moved into place by :meth:`commit`
    (the old database replaced only then); leaving the ``with`` block without a commit removes it.

    ``nmdkg build`` fills one from the N-Triples text while the graph is validated (Oxigraph's bulk loader
    releases the GIL) and commits it once the graph conforms and the files are written.
    """

    def __init__(self, folder: Path):
        import pyoxigraph

        self.folder = folder
        self._made = [p for p in (folder, *folder.parents) if not p.exists()]
        folder.mkdir(parents=True, exist_ok=True)
        self.loading = Path(tempfile.mkdtemp(dir=folder, prefix=".loading-"))
        self._store: pyoxigraph.Store | None = pyoxigraph.Store(str(self.loading))

    def __enter__(self) -> StagedStore:
        return self

    def __exit__(self, *exc_info) -> None:
        self.discard()

    def load(self, source: Path) -> None:
        """Bulk-load an RDF file (N-Triples, Turtle, N-Quads, TriG ...) into the default graph."""
        assert self._store is not None
        load_oxigraph(self._store, source, datasets=True, bulk=True)

    def load_ntriples(self, document: bytes) -> None:
        """Bulk-load N-Triples text (a build's ``nmdkg.nt``, before it is written), by pieces of at most
        :data:`LOAD_PIECE` bytes cut at line ends: Oxigraph's bulk loader holds about three times its input
        in memory (1.5 GB for the 468 MB of ``--scope all`` in one piece, 0.4 GB by pieces, in the same time)."""
        import pyoxigraph

        assert self._store is not None
        view, start = memoryview(document), 0
        while start < len(document):
            end = document.find(b"\n", start + LOAD_PIECE - 1) + 1 if len(document) - start > LOAD_PIECE else 0
            end = end or len(document)
            self._store.bulk_load(view[start:end].tobytes() if (start, end) != (0, len(document)) else document,
                                  format=pyoxigraph.RdfFormat.N_TRIPLES)
            start = end

    def commit(self, source: Path, digest: str, description: Path | None, triples: int | None = None) -> PreparedStore:
        """Add the dataset description (``description``, into :data:`DESCRIPTION_GRAPH`), compact, count
        (unless the caller knows the number of ``triples`` loaded), and move the database into ``folder``,
        stamped with the SHA-256 ``digest`` of ``source``."""
        import pyoxigraph

        store, self._store = self._store, None
        assert store is not None
        if description is not None:
            load_oxigraph(store, description, bulk=True, to_graph=pyoxigraph.NamedNode(DESCRIPTION_GRAPH))
        store.optimize()
        if triples is None:
            # Counted by the engine (a second), not by iterating over the quads in Python (15 s at full-HPO scale).
            solutions = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")  # the default graph
            assert isinstance(solutions, pyoxigraph.QuerySolutions)
            triples = int(next(solutions)[0].value)
            del solutions
        if triples == 0:
            raise InputError(f"{source}: holds no triples (an empty RDF file); nothing to serve")
        store.flush()
        del store  # closes the database, so that the server can open it
        database = self.folder / DATABASE
        (self.folder / STAMP).unlink(missing_ok=True)
        if database.exists():
            shutil.rmtree(database)
        self.loading.rename(database)
        self._made = []
        stamp = {"source": source.name, "sha256": digest, "bytes": source.stat().st_size, "triples": triples,
                 "pyoxigraph": pyoxigraph.__version__,
                 "description_sha256": sha256_of(description) if description is not None else None}
        (self.folder / STAMP).write_text(json.dumps(stamp, indent=2) + "\n", encoding="utf-8")
        return PreparedStore(self.folder, source, digest, triples, reused=False)

    def discard(self) -> None:
        """Remove what is not committed: the temporary database, and the folders made for it if empty."""
        self._store = None
        if self.loading.exists():
            shutil.rmtree(self.loading, ignore_errors=True)
        for empty in self._made:  # the folders made for a load that failed, if nothing else is in them
            with contextlib.suppress(OSError):
                empty.rmdir()


# -- the server --------------------------------------------------------------------------------------

def oxigraph_binary() -> str:
    """The ``oxigraph`` executable of the ``oxigraph`` PyPI package installed beside this Python."""
    candidates = [Path(sys.executable).parent / "oxigraph", Path(sysconfig.get_path("scripts")) / "oxigraph"]
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which("oxigraph")
    if found:
        return found
    raise ServeError("the Oxigraph server is not installed: `pip install oxigraph` (the `oxigraph` package "
                     "on PyPI, which nmdkg depends on)")


def host_port(host: str, port: int) -> str:
    """``HOST:PORT`` as a socket address (an IPv6 address in brackets)."""
    return f"[{host}]:{port}" if ":" in host and not host.startswith("[") else f"{host}:{port}"


@dataclass(frozen=True)
class Urls:
    """Where the served graph answers."""

    base: str

    @property
    def endpoint(self) -> str:
        """The SPARQL 1.1 query endpoint."""
        return self.base + "/query"

    @property
    def page(self) -> str:
        """The YASGUI query page."""
        return self.base + "/"

    @property
    def store(self) -> str:
        """The SPARQL 1.1 Graph Store endpoint (read-only here)."""
        return self.base + "/store"

    @property
    def starter(self) -> str:
        """The query page opened on :func:`starter_query` (YASGUI reads ``query`` and ``endpoint`` from the
        address, so Oxigraph's own page needs no change)."""
        return self.page + "?" + urllib.parse.urlencode({"query": starter_query(), "endpoint": self.endpoint})


#: What the query page opens with, after nmdkg's prefixes: a question every build answers.
STARTER = """\
# nmdkg: how many disorders each kind of neuromuscular disorder holds, its subkinds' included.
# More questions: `nmdkg query --list` and queries/README.md (nmdkg query NAME --show prints one to paste).
SELECT ?kind ?kindLabel (COUNT(DISTINCT ?disorder) AS ?disorders)
WHERE {
    ?kind rdfs:subClassOf* nmdkg:NeuromuscularDisorder .
    ?disorder a/rdfs:subClassOf* ?kind .
    OPTIONAL { ?kind rdfs:label ?kindLabel }
}
GROUP BY ?kind ?kindLabel
ORDER BY DESC(?disorders) ?kind
"""


def starter_query() -> str:
    """The query page's first query: every prefix nmdkg's queries may use undeclared, then :data:`STARTER`."""
    from nmdkg.store import default_prefixes

    return "\n".join([f"PREFIX {name}: <{iri}>" for name, iri in default_prefixes().items()] + ["", STARTER])


def urls(host: str, port: int) -> Urls:
    shown = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    return Urls(f"http://{host_port(shown, port)}")


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Ask Linux to send SIGTERM to the server if ``nmdkg serve`` dies without stopping it."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def server_command(database: Path, host: str, port: int, query_timeout: int | None,
                   cors: bool = False) -> list[str]:
    """The server's command line; ``cors`` lets web pages of any origin query it (Oxigraph's ``--cors``)."""
    command = [oxigraph_binary(), "serve-read-only", "--location", str(database),
               "--bind", host_port(host, port)]
    if query_timeout:
        command += ["--timeout-s", str(query_timeout)]
    if cors:
        command.append("--cors")
    return command


def start_server(database: Path, host: str, port: int, query_timeout: int | None = DEFAULT_QUERY_TIMEOUT,
                 log: Path | None = None, cors: bool = False) -> subprocess.Popen:
    """Start ``oxigraph serve-read-only`` on ``database`` in its own process group; return at once."""
    command = server_command(database, host, port, query_timeout, cors)
    stderr: IO[bytes] | int = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - for the child
    try:
        return subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=stderr, stderr=stderr,
                                start_new_session=True, preexec_fn=_die_with_parent)
    finally:
        if not isinstance(stderr, int):
            stderr.close()


def wait_until_ready(process: subprocess.Popen, url: str, timeout: float = START_TIMEOUT,
                     log: Path | None = None) -> None:
    """Wait until the server answers a query at ``url`` (ServeError if it exits or takes too long)."""
    deadline = time.monotonic() + timeout
    probe = url + "?query=ASK%7B%7D"
    no_proxy = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    while True:
        code = process.poll()
        if code is not None:
            said = _tail(log) if log else ""
            if "AddrInUse" in said or "Address already in use" in said:
                raise ServeError(f"{url}: the port is already in use by another program; stop it or choose "
                                 "another port with --port")
            raise ServeError(f"the Oxigraph server stopped at start (exit code {code})"
                             + (f": {said}" if said else ""))
        try:
            with no_proxy.open(probe, timeout=2) as response:
                response.read()
            return
        except (urllib.error.URLError, OSError):
            if time.monotonic() > deadline:
                raise ServeError(f"the Oxigraph server did not answer at {url} "
                                 f"within {timeout:g} s") from None
            time.sleep(0.1)


def _tail(log: Path, limit: int = 500) -> str:
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return " ".join(text.split())[-limit:]


def stop_server(process: subprocess.Popen, grace: float = STOP_GRACE) -> int:
    """Stop the server's process group: SIGTERM, then SIGKILL after ``grace`` s; return its exit code."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)  # anything else left in its group
    return process.returncode


class _Stop(Exception):
    """Raised by the signal handlers to leave the wait for the server."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[None]:
    """Turn SIGTERM, SIGHUP and SIGINT into :class:`_Stop` while the server runs; restore them after."""
    def handler(signum, frame):
        raise _Stop(signum)

    wanted = [signal.SIGTERM, signal.SIGINT] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])
    previous = {signum: signal.signal(signum, handler) for signum in wanted}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


def check_port_free(host: str, port: int) -> None:
    """ServeError naming the port if another program already listens on ``host:port``.

    Checked before the store is loaded, so that a busy port is told at once, in one line, instead of by the
    Oxigraph server's own error output after the load.
    """
    import errno
    import socket

    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise InputError(f"--host {host}: not an address of this machine ({exc.strerror})") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does: TIME_WAIT is free
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise ServeError(f"port {port} on {host} is already in use by another program; stop it or "
                                 "choose another port with --port") from None
            if exc.errno == errno.EADDRNOTAVAIL:
                raise InputError(f"--host {host}: not an address of this machine") from None
            if exc.errno == errno.EACCES:
                raise ServeError(f"port {port} on {host}: permission denied (ports below 1024 need "
                                 "privileges); choose another with --port") from None
            raise ServeError(f"cannot listen on {host_port(host, port)}: {exc.strerror or exc}") from None


def serve(data: Path, store: Path | None = None, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
          query_timeout: int | None = DEFAULT_QUERY_TIMEOUT, say: Progress = print,
          progress: Progress = lambda message: None, cors: bool = False) -> int:
    """Load the build ``data`` (reusing the store while it is unchanged) and serve it until a signal.

    ``say`` gets the lines users need (the URLs), ``progress`` the rest. Returns 0 after a stop by
    Ctrl-C or SIGTERM; raises ServeError if the server fails to start or stops by itself.
    """
    if not 0 < port < 65536:
        raise InputError(f"--port {port}: not a TCP port (1-65535)")
    source = build_file(data, datasets=True)
    folder = store if store is not None else source.parent / "store"
    oxigraph_binary()  # fail before loading if the server is missing
    check_port_free(host, port)
    prepared = prepare_store(source, folder, progress)
    log = prepared.folder / "server.log"
    log.write_bytes(b"")
    where = urls(host, port)
    process: subprocess.Popen | None = None
    with _stop_on_signals():
        try:
            process = start_server(prepared.database, host, port, query_timeout, log, cors)
            wait_until_ready(process, where.endpoint, log=log)
            if host not in ("127.0.0.1", "::1", "localhost"):
                progress(f"warning: listening on {host}, not only on this machine: anyone who can reach it "
                         "can query the graph")
            say(f"Serving {prepared.triples} triples of {prepared.source} with Oxigraph (read-only)")
            say(f"SPARQL endpoint: {where.endpoint}")
            say(f"Query page:      {where.page}")
            say(f"Starter query:   {where.starter}")
            if cors:
                say("Cross-origin requests are allowed (--cors): web pages of any site can query it.")
            say("Press Ctrl-C to stop.")
            code = process.wait()
            said = _tail(log)
            raise ServeError(f"the Oxigraph server stopped by itself (exit code {code})"
                             + (f": {said}" if said else ""))
        except _Stop as stop:
            progress(f"stopping the server ({stop})")
            return 0
        finally:
            if process is not None:
                with _signals_ignored():  # a second Ctrl-C must not leave the server running
                    stop_server(process)


@contextlib.contextmanager
def _signals_ignored() -> Iterator[None]:
    wanted = [signal.SIGTERM, signal.SIGINT] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])
    previous = {signum: signal.signal(signum, signal.SIG_IGN) for signum in wanted}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)
