"""The benchmark harness: every stage of the pipeline at each scope, against the plain rdflib way.

Each stage runs in a fresh child process (so its peak memory is its own) and is timed on the wall clock.
In the same run the **baseline** does the same work the plain rdflib + pyshacl way on the same output:
parse the N-Triples into an rdflib ``Graph``, serialize Turtle and JSON-LD with rdflib, run the query
library on rdflib's engine, validate with pyshacl. The table gives each stage's time and peak memory, the
baseline's, and their ratio, plus the time per million triples of the build at each scope.

Run from the repository root (the full run, scope ``all`` included, takes several minutes)::

    python benchmarks/run.py                          # scopes article and nmd
    python benchmarks/run.py --scope all --json benchmarks-out.json
    python benchmarks/run.py --scope nmd --skip-baseline --repeat 3

Figures are written to ``--json`` (default ``output/benchmarks.json``) and printed as a Markdown table;
``docs/benchmarks.md`` keeps the latest table.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Measure:
    scope: str
    stage: str
    seconds: float
    peak_mb: float
    triples: int = 0
    baseline_seconds: float | None = None
    baseline_peak_mb: float | None = None
    note: str = ""
    extra: dict = field(default_factory=dict)


def _child(target: Callable[..., object], args: tuple, conn) -> None:
    start = time.perf_counter()
    try:
        extra = target(*args) or {}
        error = None
    except Exception as exc:  # reported in the table, not raised: one failing stage must not hide the rest
        extra, error = {}, f"{type(exc).__name__}: {exc}"
    # a stage that reports "work" seconds is timed without its imports (a cold interpreter's cost)
    seconds = extra.pop("work", time.perf_counter() - start)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    conn.send((seconds, peak_mb, extra, error))
    conn.close()


def isolated(target: Callable[..., object], *args) -> tuple[float, float, dict, str | None]:
    """Run ``target(*args)`` in a fresh process; return (seconds, peak MB, its returned dict, error)."""
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(target, args, child))
    process.start()
    child.close()
    result = parent.recv()
    process.join()
    return result


# -- stages (each imports what it needs: it runs in a fresh interpreter) ----------------------------

def stage_ingest(scope: str) -> dict:
    from nmdkg.curated import load_curated
    from nmdkg.hpo import load_sources

    load_curated()
    if scope != "article":
        load_sources()
    return {}


def stage_build(scope: str, out: str) -> dict:
    """The whole `nmdkg build` (ingest, construct, serialize, write), as users run it."""
    import contextlib
    import io

    from nmdkg.cli import main

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = main(["build", "--scope", scope, "--out", out])
    if code != 0:
        raise RuntimeError(f"nmdkg build exited {code}")
    return {}


def stage_construct(scope: str) -> dict:
    from nmdkg.build import build_canonical

    return {"triples": len(build_canonical(scope=scope))}


def stage_export(out: str, fmt: str) -> dict:
    """Serialize the canonical triples of a build (read back from its N-Triples) in one format."""
    from nmdkg.export import serialize, used_prefixes

    lines = Path(out, "nmdkg.nt").read_bytes().decode("utf-8").splitlines()
    triples = [tuple(line[:-2].split(" ", 2)) for line in lines]
    used_prefixes(triples[:1])  # warm the prefix maps
    start = time.perf_counter()
    size = len(serialize(triples, fmt))
    return {"bytes": size, "work": time.perf_counter() - start}


def stage_store(out: str) -> dict:
    from nmdkg.store import Store

    start = time.perf_counter()
    size = len(Store.from_files([Path(out, "nmdkg.nt")]))
    return {"triples": size, "work": time.perf_counter() - start}


def stage_queries(out: str, engine: str, repeat: int) -> dict:
    from nmdkg.queries import load_library
    from nmdkg.store import Store

    store = Store.from_files([Path(out, "nmdkg.nt")], engine=engine)
    medians = {}
    for name, query in load_library().items():
        query.run(store)  # warm-up
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            result = query.run(store)
            if result.type == "SELECT":
                list(result)
            times.append((time.perf_counter() - start) * 1000)
        medians[name] = statistics.median(times)
    return {"median_ms": medians}


def baseline_parse(out: str) -> dict:
    from rdflib import Graph

    start = time.perf_counter()
    size = len(Graph().parse(Path(out, "nmdkg.nt"), format="nt"))
    return {"triples": size, "work": time.perf_counter() - start}


def baseline_serialize(out: str, fmt: str) -> dict:
    from rdflib import Graph

    graph = Graph().parse(Path(out, "nmdkg.nt"), format="nt")
    start = time.perf_counter()
    data = graph.serialize(format=fmt, encoding="utf-8")
    return {"bytes": len(data), "work": time.perf_counter() - start}


# -- the run -------------------------------------------------------------------------------------------

def measure(scope: str, out: Path, repeat: int, baseline: bool, say: Callable[[str], None]) -> list[Measure]:
    rows: list[Measure] = []

    def run(stage: str, target, *args, base=None, base_args=()) -> Measure:
        say(f"  {scope}: {stage}")
        seconds, peak, extra, error = isolated(target, *args)
        row = Measure(scope, stage, seconds, peak, extra=extra, note=error or "")
        if base is not None and baseline:
            say(f"  {scope}: {stage} (baseline)")
            b_seconds, b_peak, b_extra, b_error = isolated(base, *base_args)
            row.baseline_seconds, row.baseline_peak_mb = b_seconds, b_peak
            row.extra["baseline"] = b_extra
            if b_error:
                row.note += f" baseline: {b_error}"
        rows.append(row)
        return row

    build = run("nmdkg build (end to end)", stage_build, scope, str(out))
    run("ingest", stage_ingest, scope)
    construct = run("construct", stage_construct, scope)
    triples = construct.extra.get("triples", 0)
    build.triples = triples
    run("export nt", stage_export, str(out), "nt", base=baseline_serialize, base_args=(str(out), "nt"))
    run("export turtle", stage_export, str(out), "turtle", base=baseline_serialize, base_args=(str(out), "turtle"))
    run("export json-ld", stage_export, str(out), "json-ld", base=baseline_serialize,
        base_args=(str(out), "json-ld"))
    run("load query store (parse N-Triples)", stage_store, str(out), base=baseline_parse, base_args=(str(out),))
    run("query library", stage_queries, str(out), "oxigraph", repeat, base=stage_queries,
        base_args=(str(out), "rdflib", max(1, repeat // 2)))
    for row in rows:
        row.triples = row.triples or triples
    return rows


def table(rows: list[Measure]) -> str:
    lines = ["| scope | stage | triples | seconds | peak MB | baseline s | baseline MB | speed-up | note |",
             "|---|---|--:|--:|--:|--:|--:|--:|---|"]
    for r in rows:
        ratio = f"{r.baseline_seconds / r.seconds:.1f}×" if r.baseline_seconds and r.seconds else ""
        base_s = f"{r.baseline_seconds:.2f}" if r.baseline_seconds is not None else ""
        base_mb = f"{r.baseline_peak_mb:.0f}" if r.baseline_peak_mb is not None else ""
        lines.append(f"| {r.scope} | {r.stage} | {r.triples:,} | {r.seconds:.2f} | {r.peak_mb:.0f} | {base_s} | "
                     f"{base_mb} | {ratio} | {r.note} |")
    per_million = [r for r in rows if r.stage == "nmdkg build (end to end)" and r.triples]
    if per_million:
        lines.append("")
        lines.append("| scope | triples | build seconds per million triples |")
        lines.append("|---|--:|--:|")
        for r in per_million:
            lines.append(f"| {r.scope} | {r.triples:,} | {r.seconds / r.triples * 1e6:.1f} |")
    queries = [r for r in rows if r.stage == "query library"]
    for r in queries:
        ours = r.extra.get("median_ms", {})
        theirs = r.extra.get("baseline", {}).get("median_ms", {})
        lines.append("")
        lines.append(f"Query medians at scope {r.scope} (ms): Oxigraph | rdflib")
        lines.append("")
        lines.append("| query | oxigraph ms | rdflib ms |")
        lines.append("|---|--:|--:|")
        for name in ours:
            lines.append(f"| {name} | {ours[name]:.1f} | {theirs.get(name, float('nan')):.1f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scope", action="append", choices=["article", "nmd", "all"],
                        help="scopes to measure (repeat; default: article and nmd)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per query (default 5)")
    parser.add_argument("--skip-baseline", action="store_true", help="do not measure the rdflib baseline")
    parser.add_argument("--json", type=Path, default=ROOT / "output" / "benchmarks.json")
    args = parser.parse_args(argv)
    scopes = args.scope or ["article", "nmd"]
    rows: list[Measure] = []
    for scope in scopes:
        out = ROOT / "output" / "bench" / scope
        rows += measure(scope, out, args.repeat, not args.skip_baseline,
                        lambda message: print(message, file=sys.stderr, flush=True))
    report = {"machine": {"python": platform.python_version(), "platform": platform.platform(),
                          "cpus": multiprocessing.cpu_count()},
              "date": time.strftime("%Y-%m-%d"), "rows": [asdict(r) for r in rows]}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2))
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
