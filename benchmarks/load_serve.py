"""Bounded load on ``nmdkg serve``: concurrent clients on loopback run the query library for a fixed time.

Not a unit test: run it by hand and copy its report into docs/decisions/0006-serving.md::

    python benchmarks/load_serve.py --data output/ --clients 4 --seconds 60

It starts ``nmdkg serve`` on 127.0.0.1 (a free port, the store in a temporary folder unless --store is
given), then

1. **load**: ``--clients`` threads, each running the library queries (default parameters, through
   :class:`nmdkg.query.remote.Endpoint`, in a different order per client) until ``--seconds`` have passed;
   it reports requests per second, p50 / p99 / max latency per query and overall, and errors (must be 0);
2. **hostile requests**: an update (at ``/update`` and as a query), a malformed query and an unbounded
   cross join, each followed by a library query that must still be answered; it reports what each got.

Everything is bounded: the load by ``--seconds``, every request by a client timeout, the hostile phase
by the server's ``--timeout``. Only 127.0.0.1 is ever contacted. The server is stopped at the end
(SIGTERM to ``nmdkg serve``, which stops the Oxigraph server), whatever happened. Exit code 1 if any
load request failed or a hostile request was not refused or bounded.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from nmdkg.query.library import load_library
from nmdkg.query.remote import Endpoint

LOOPBACK = "127.0.0.1"
#: A cross join of the graph with itself, counted: far beyond any time limit, so the server cuts it.
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . FILTER (STR(?c) = STR(?f)) }"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def start_serve(data: Path, store: Path, port: int, timeout: int) -> tuple[subprocess.Popen, str, str]:
    command = [sys.executable, "-c", "import sys; from nmdkg.cli import main; sys.exit(main())", "serve",
               "--data", str(data), "--store", str(store), "--host", LOOPBACK, "--port", str(port),
               "--timeout", str(timeout)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=sys.stderr, text=True)
    endpoint = page = None
    assert process.stdout is not None
    for line in process.stdout:
        print(f"  serve: {line.rstrip()}", file=sys.stderr)
        if line.startswith("SPARQL endpoint:"):
            endpoint = line.split()[-1]
        if line.startswith("Query page:"):
            page = line.split()[-1]
        if endpoint and page:
            break
    if not (endpoint and page):
        process.kill()
        raise SystemExit("nmdkg serve did not start")
    threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()  # drain
    return process, endpoint, page


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def load(endpoint: str, clients: int, seconds: float, timeout: float) -> dict:
    library = load_library()
    jobs = [(name, query, query.bindings()) for name, query in library.items()]
    latencies: dict[str, list[float]] = {name: [] for name in library}
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(number: int) -> None:
        remote = Endpoint(endpoint, timeout=timeout)
        order = jobs[:]
        random.Random(number).shuffle(order)
        while time.monotonic() < deadline:
            for name, query, bindings in order:
                if time.monotonic() >= deadline:
                    return
                started = time.perf_counter()
                try:
                    remote.query(query.text, bindings)
                except Exception as exc:  # noqa: BLE001 - every failure is counted and reported
                    with lock:
                        errors.append(f"{name}: {exc}")
                    continue
                with lock:
                    latencies[name].append(time.perf_counter() - started)

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    every = [value for values in latencies.values() for value in values]
    return {"elapsed": elapsed, "requests": len(every), "errors": errors, "latencies": latencies, "all": every}


def post(url: str, params: dict, timeout: float) -> tuple[int | str, float, bytes]:
    assert url.startswith(f"http://{LOOPBACK}:")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(url, data=urllib.parse.urlencode(params).encode(),
                                     headers={"Content-Type": "application/x-www-form-urlencoded",
                                              "Accept": "application/sparql-results+json"})
    started = time.perf_counter()
    try:
        with opener.open(request, timeout=timeout) as response:
            body = response.read()
            return response.status, time.perf_counter() - started, body
    except urllib.error.HTTPError as exc:
        return exc.code, time.perf_counter() - started, exc.read()
    except (urllib.error.URLError, OSError) as exc:
        return type(exc).__name__, time.perf_counter() - started, b""


def hostile(endpoint: str, page: str, timeout: float) -> list[tuple[str, str, float, bool, bool]]:
    probe = load_library()["12-emotional-impacts-and-coping"]
    remote = Endpoint(endpoint, timeout=timeout)
    cases = [
        ("update at /update", page + "update", {"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}),
        ("update as a query", endpoint, {"query": "DELETE WHERE { ?s ?p ?o }"}),
        ("malformed query", endpoint, {"query": "SELECT ?s WHERE { ?s ?p "}),
        ("unbounded cross join", endpoint, {"query": CROSS_JOIN}),
    ]
    report = []
    for label, url, params in cases:
        status, elapsed, body = post(url, params, timeout)
        cut = status == 200 and b"cancelled" in body[-200:]
        refused = (isinstance(status, int) and status >= 400) or cut
        what = f"HTTP {status}" + (" (answer cut: the query was cancelled)" if cut else "")
        try:
            answered = bool(probe.run(remote).bindings)
        except Exception:  # noqa: BLE001 - reported as not answered
            answered = False
        report.append((label, what, elapsed, refused, answered))
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("output"), help="the build (folder or file)")
    parser.add_argument("--store", type=Path, default=None, help="store folder (default: a temporary one)")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the load runs")
    parser.add_argument("--server-timeout", type=int, default=10, help="nmdkg serve --timeout")
    parser.add_argument("--client-timeout", type=float, default=120.0)
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= 64 or not 0 < args.seconds <= 3600:
        parser.error("--clients 1..64 and --seconds up to 3600: the load is bounded")
    with tempfile.TemporaryDirectory(prefix="nmdkg-load-") as scratch:
        store = args.store or Path(scratch) / "store"
        process, endpoint, page = start_serve(args.data, store, free_port(), args.server_timeout)
        try:
            print(f"load: {args.clients} clients, {args.seconds:g} s, on {endpoint}", file=sys.stderr)
            measured = load(endpoint, args.clients, args.seconds, args.client_timeout)
            print("hostile requests", file=sys.stderr)
            hostile_report = hostile(endpoint, page, args.client_timeout)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    every = measured["all"]
    print(f"## Load: {args.clients} concurrent clients, {measured['elapsed']:.0f} s, {os.cpu_count()} cores\n")
    print(f"* requests: {measured['requests']} ({measured['requests'] / measured['elapsed']:.1f} per second)")
    print(f"* latency: p50 {percentile(every, 0.5) * 1000:.0f} ms, p99 {percentile(every, 0.99) * 1000:.0f} ms, "
          f"max {max(every, default=0) * 1000:.0f} ms")
    print(f"* errors: {len(measured['errors'])}")
    for error in measured["errors"][:10]:
        print(f"  * {error}")
    print("\n| query | requests | p50 ms | p99 ms |\n| --- | ---: | ---: | ---: |")
    for name, values in measured["latencies"].items():
        print(f"| {name} | {len(values)} | {percentile(values, 0.5) * 1000:.1f} | "
              f"{percentile(values, 0.99) * 1000:.1f} |")
    print("\n## Hostile requests\n\n| request | answer | seconds | refused or bounded | next query answered |")
    print("| --- | --- | ---: | --- | --- |")
    for label, what, elapsed, refused, answered in hostile_report:
        print(f"| {label} | {what} | {elapsed:.2f} | {'yes' if refused else 'NO'} | {'yes' if answered else 'NO'} |")
    failed = measured["errors"] or not all(refused and answered for *_, refused, answered in hostile_report)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
