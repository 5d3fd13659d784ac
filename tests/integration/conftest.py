"""Fixtures that run real engines on this machine: the Oxigraph server, Virtuoso 7, ``nmdkg serve``.

Every server listens on 127.0.0.1 only, on a free port, with its data in a temporary folder; it runs in
its own process group, which the fixture stops (SIGTERM, then SIGKILL) whatever the test did. No test
here sends anything to an address that is not loopback.

When an engine is not installed, the test SKIPS only where that is allowed: ``.ci/run`` sets
``NMDKG_REQUIRE_ENGINES=1`` (as does ``CI=true``), and then a missing engine FAILS the test. An engine that is
installed but does not start, and anything of nmdkg's own that fails (``nmdkg serve`` printing no URLs, a
build that fails), always FAIL: a regression is never a skip.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest


def engines_required() -> bool:
    """Whether a missing engine fails the tests instead of skipping them (``.ci/run`` sets it)."""
    return os.environ.get("NMDKG_REQUIRE_ENGINES", "") == "1" or os.environ.get("CI", "").lower() == "true"

LOOPBACK = "127.0.0.1"
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
#: The graph the builds are pushed to, on both engines.
GRAPH = "https://w3id.org/nmdkg/graph/test"
VIRTUOSO_USER = "dba"
VIRTUOSO_PASSWORD = "dba"  # a fresh Virtuoso database's; the database lives in a temporary folder
START_TIMEOUT = 60.0


def unavailable(reason: str):
    """An engine is not installed: fail where engines are required (``.ci/run``), skip elsewhere."""
    if engines_required():
        pytest.fail(f"{reason} (engines are required here, NMDKG_REQUIRE_ENGINES=1 or CI=true: "
                    "scripts/ci-install.sh installs them)", pytrace=False)
    pytest.skip(reason)


def broken(reason: str):
    """An engine that is installed did not start, or nmdkg's own code failed: always a failure."""
    pytest.fail(reason, pytrace=False)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def wait_for_http(url: str, process: subprocess.Popen, timeout: float = START_TIMEOUT,
                  accept: tuple[int, ...] = (200,)) -> None:
    """Wait until ``url`` answers with a status in ``accept``; fail early if the process exits."""
    assert url.startswith(f"http://{LOOPBACK}:"), url
    no_proxy = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with code {process.returncode} before answering")
        try:
            with no_proxy.open(url, timeout=5) as response:
                if response.status in accept:
                    return
        except urllib.error.HTTPError as exc:
            if exc.code in accept:
                return
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"no answer at {url} within {timeout:g} s")
        time.sleep(0.2)


def stop_group(process: subprocess.Popen, grace: float = 15.0) -> None:
    """SIGTERM the process group, SIGKILL it after ``grace`` seconds; reap the leader."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=grace)


def children(pid: int) -> list[int]:
    """The child processes of ``pid`` (Linux /proc)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(child) for child in (task / "children").read_text().split()]
    return found


def alive(pid: int) -> bool:
    """Whether ``pid`` is a running process (a zombie counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


# the builds (article_build, default_build) are the session fixtures of tests/conftest.py


# -- the Oxigraph server (read-write, for pushing) --------------------------------------------------

@dataclass(frozen=True)
class Server:
    base: str
    process: subprocess.Popen
    folder: Path

    @property
    def query(self) -> str:
        return self.base + "/query"

    @property
    def store(self) -> str:
        return self.base + "/store"


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory) -> Iterator[Server]:
    """``oxigraph serve`` (read-write) on 127.0.0.1 with a store in a temporary folder."""
    from nmdkg.publish.serve import ServeError, oxigraph_binary

    try:
        binary = oxigraph_binary()
    except ServeError as exc:
        unavailable(str(exc))
    folder = tmp_path_factory.mktemp("oxigraph-server")
    port = free_port()
    log = (folder / "server.log").open("wb")
    process = subprocess.Popen([binary, "serve", "--location", str(folder / "db"), "--bind", f"{LOOPBACK}:{port}"],
                               stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
    try:
        base = f"http://{LOOPBACK}:{port}"
        try:
            wait_for_http(base + "/query?query=ASK%7B%7D", process)
        except RuntimeError as exc:
            broken(f"the Oxigraph server did not start: {exc}: {(folder / 'server.log').read_text()[-500:]}")
        yield Server(base, process, folder)
    finally:
        stop_group(process)
        log.close()


# -- Virtuoso 7 -----------------------------------------------------------------------------------------

VIRTUOSO_INI = """\
; A throw-away Virtuoso 7 for the integration tests: a fresh database in this folder, ports on 127.0.0.1.
[Database]
DatabaseFile       = {folder}/virtuoso.db
ErrorLogFile       = {folder}/virtuoso.log
LockFile           = {folder}/virtuoso.lck
TransactionFile    = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile    = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx

[Parameters]
ServerPort        = {host}:{sql_port}
DisableUnixSocket = 1
DirsAllowed       = ., {folder}
CaseMode          = 2
NumberOfBuffers   = 20000
MaxDirtyBuffers   = 15000
CheckpointInterval = 0

[HTTPServer]
ServerPort           = {host}:{http_port}
ServerRoot           = {folder}/vsp
ServerThreads        = 10
MaxClientConnections = 10
Charset              = UTF-8

[SPARQL]
ResultSetMaxRows           = 1000000
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime      = 120
"""


@dataclass(frozen=True)
class Virtuoso:
    base: str
    process: subprocess.Popen
    folder: Path

    @property
    def sparql(self) -> str:
        return self.base + "/sparql"

    @property
    def crud(self) -> str:
        return self.base + "/sparql-graph-crud-auth"


def start_virtuoso(folder: Path) -> tuple[subprocess.Popen, str]:
    """Start ``virtuoso-t`` on the database in ``folder`` (created if new); return it and its HTTP base."""
    binary = shutil.which("virtuoso-t")
    if binary is None:
        raise FileNotFoundError("virtuoso-t is not installed (Debian: apt-get install virtuoso-opensource)")
    http_port, sql_port = free_port(), free_port()
    (folder / "vsp").mkdir(exist_ok=True)
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(folder=folder, host=LOOPBACK, http_port=http_port, sql_port=sql_port))
    log = (folder / "stdout.log").open("ab")
    try:
        process = subprocess.Popen([binary, "+foreground", "+configfile", str(ini)], cwd=folder,
                                   stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
    finally:
        log.close()
    base = f"http://{LOOPBACK}:{http_port}"
    try:
        wait_for_http(base + "/sparql?query=ASK%7B%7D", process)
    except RuntimeError:
        stop_group(process)
        raise
    return process, base


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory) -> Iterator[Virtuoso]:
    """Virtuoso 7 (Debian's ``virtuoso-opensource``) on 127.0.0.1, with a fresh database (dba/dba)."""
    folder = tmp_path_factory.mktemp("virtuoso")
    try:
        process, base = start_virtuoso(folder)
    except FileNotFoundError as exc:
        unavailable(str(exc))
    except RuntimeError as exc:
        log = folder / "virtuoso.log"
        said = log.read_text(errors="replace")[-800:] if log.exists() else ""
        broken(f"Virtuoso is installed but did not start: {exc} {said}")
    try:
        yield Virtuoso(base, process, folder)
    finally:
        stop_group(process)


# -- nmdkg serve ------------------------------------------------------------------------------------------

@dataclass
class Served:
    """A running ``nmdkg serve``: its process, the URLs it printed, what it wrote."""

    process: subprocess.Popen
    endpoint: str
    page: str
    output: list[str]
    store: Path

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 30.0) -> int:
        """Send ``signum`` to ``nmdkg serve`` alone (as ``kill`` would) and wait for it to exit."""
        if self.process.poll() is None:
            self.process.send_signal(signum)
        return self.process.wait(timeout=timeout)


def start_serve(data: Path, store: Path, *extra: str, timeout: float = 120.0) -> Served:
    """Run ``nmdkg serve --data DATA --store STORE`` on a free loopback port; wait for its URLs."""
    port = free_port()
    command = [sys.executable, "-c", "import sys; from nmdkg.cli import main; sys.exit(main())",
               "serve", "--data", str(data), "--store", str(store), "--host", LOOPBACK, "--port", str(port), *extra]
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True)
    output: list[str] = []  # filled by a reader thread for as long as the process writes

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line.rstrip("\n"))

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + timeout
    endpoint = page = None
    while time.monotonic() < deadline and (endpoint is None or page is None) and process.poll() is None:
        for line in list(output):  # noqa: PERF101 - a copy: the reader thread appends to it
            if match := re.match(r"SPARQL endpoint:\s+(\S+)", line):
                endpoint = match[1]
            if match := re.match(r"Query page:\s+(\S+)", line):
                page = match[1]
        time.sleep(0.1)
    if endpoint is None or page is None:
        stop_group(process)
        raise RuntimeError("nmdkg serve printed no URLs: " + " | ".join(output))
    return Served(process, endpoint, page, output, store)


@pytest.fixture(scope="session")
def served(default_build, tmp_path_factory) -> Iterator[Served]:
    """``nmdkg serve`` of the default build, on a free loopback port."""
    from nmdkg.publish.serve import ServeError, oxigraph_binary

    try:
        oxigraph_binary()
    except ServeError as exc:
        unavailable(str(exc))
    store = tmp_path_factory.mktemp("serve") / "store"
    try:
        running = start_serve(default_build, store)
    except RuntimeError as exc:
        broken(str(exc))  # the server is installed: this is nmdkg serve failing
    try:
        yield running
    finally:
        with contextlib.suppress(subprocess.TimeoutExpired):
            running.stop()
        stop_group(running.process)
