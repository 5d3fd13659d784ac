"""The benchmark harness: every stage of the pipeline at each scope, against the plain rdflib way.

Each stage runs in a fresh child process (so its peak memory is its own) and is timed on the wall clock;
a failing stage is reported in the note column and does not stop the others. The stages, per scope:

* ``build``: ``nmdkg build`` end to end, as a separate ``python -m nmdkg.cli`` process (a cold start:
  interpreter, imports, ingest, construct, validate, serialize, write); ``extra.steps`` times its steps
  from its progress lines;
* ``ingest`` (curated tables, HPO sources) and ``construct`` (the canonical triples);
* ``validate``: ``validate_graph`` with the fast engine on the build's N-Triples (shapes and SPARQL
  checks), as the build's step 3 runs it: reading the file and loading the prefix maps, which the build
  has done before it validates, are excluded (``extra.prefix_maps_seconds``);
* ``export``: each format from the build's canonical triples (serialization only);
* ``store``: loading the query store (Oxigraph) from the build's N-Triples;
* ``queries``: every library query, warm, median of ``--repeat`` runs (a query is stopped after
  ``--query-budget`` seconds and reported as at least that);
* ``analyze``: ``nmdkg analyze --data <build folder> --out <tmp>`` as a separate process (cold start; the
  build's saved network is read when it is current);
* ``cold``: what a user waits for after ``nmdkg build``: each everyday command as a fresh ``python -m
  nmdkg.cli`` process in a folder whose ``output/`` is the build (so that it reuses the build, its query
  store and caches, as ``nmdkg.release.manifest`` allows), ``--cold-runs`` times after one first run (which
  makes the per-build caches, e.g. the ranker: reported apart), the median and each command's own peak
  memory; each also as a ratio to a bare ``python -c "import nmdkg"`` timed the same way in the same run
  (``cold_table``). Every library query is run with its default parameters;
* ``diagnose``: the ranker loaded once from the build, as ``nmdkg diagnose --data BUILD`` does (the ranker
  the build saved in ``cache/ranker/``, else ``Ranker.from_graph``; the note says which), then one patient warm
  (terms checked, ranked, the table formatted as the CLI does; median of ``--diagnose-runs``) and a batch
  of 100 patients (``rank_patients`` and JSON Lines, as ``--patients`` does), each patient five phenotype
  annotations of a disease of the graph drawn with a seeded RNG.

In the same run the **baseline** does the same work the plain rdflib + pyshacl way on the same output
(``nmdkg.nt`` of the build), each in its own child process too:

* build: parse the N-Triples into an rdflib ``Graph``, ``pyshacl.validate`` with the shapes, serialize
  Turtle, JSON-LD and N-Triples with rdflib into a temporary folder (imports included, as in ours; the
  per-step breakdown is in ``extra.baseline.steps``). Neither side's ingest and construct are in it;
* validate: ``pyshacl.validate`` (inference none, the ontology in the data graph, as ``validate.py`` uses
  pySHACL); the rdflib parse is excluded and reported separately (``extra.baseline.parse_seconds``).
  pySHACL runs the shapes only: the SPARQL checks, which ours runs too, are not in the baseline;
* export: rdflib's serializer on the parsed graph (parse excluded); store: rdflib's N-Triples parser;
* queries: the query library on rdflib's SPARQL engine (median of half as many runs; some queries take
  rdflib minutes on the default build: they are stopped at the budget, so the ratio is a lower bound).

The report: a table of every stage (seconds, peak MB, the baseline's, their ratio), the query table (our
median, rdflib's, the ratio, ``!`` above the target), the time per million triples at each scope, and
the targets of the issue tracker with PASS/FAIL. Nothing asserts a time: this is a report.

Run from the repository root (the full run, scope ``all`` included, takes many minutes)::

    python benchmarks/run.py                          # scopes article and nmd
    python benchmarks/run.py --scope all --json benchmarks-out.json
    python benchmarks/run.py --scope nmd --skip-baseline --repeat 3
    python benchmarks/run.py --scope nmd --only queries,diagnose   # reuses output/bench/nmd/ if built

Figures are written to ``--json`` (default ``output/benchmarks.json``: every row, the machine, the date,
the command line) and printed as Markdown tables. ``--doc docs/benchmarks.md --block NAME`` also rewrites
the block between ``<!-- bench:NAME -->`` and ``<!-- /bench -->`` of that file with the report (machine,
date, commit, command and tables), so the published figures are the harness's output, never typed;
``--render JSON`` makes the report (and the block) from the JSON of an earlier run without measuring::

    python benchmarks/run.py --scope nmd --only cold --skip-baseline --json output/bench-cold.json \
        --doc docs/benchmarks.md --block cold
    python benchmarks/run.py --render output/bench-cold.json --doc docs/benchmarks.md --block cold
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import multiprocessing
import os
import platform
import resource
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHAPES = ROOT / "shapes" / "nmdkg-shapes.ttl"
ONTOLOGY = ROOT / "ontology" / "nmdkg.ttl"

#: The stages ``--only`` selects from, in the order they run.
STAGES = ("build", "ingest", "construct", "validate", "export", "store", "queries", "analyze", "diagnose", "cold")

BUILD = "nmdkg build (end to end)"
VALIDATE = "validate (fast engine)"
STORE = "load query store (parse N-Triples)"
QUERIES = "query library (sum of medians)"
ANALYZE = "nmdkg analyze"
DIAGNOSE_LOAD = "diagnose: load ranker"
DIAGNOSE_ONE = "diagnose: one patient (warm, median)"
DIAGNOSE_BATCH = "diagnose: batch of 100 patients"

COLD_IMPORT = 'python -c "import nmdkg"'
#: Targets of the cold commands at the default scope (issue 20), in seconds.
COLD_TARGETS = {"query (each library query)": 1.0, "diagnose (one patient)": 1.5, "export --format turtle": 2.0}

#: Targets of the issue tracker.
BUILD_ALL_SECONDS = 60
BUILD_ALL_PEAK_MB = 4 * 1024
BUILD_ALL_SPEEDUP = 10
BUILD_DEFAULT_SECONDS = 15
QUERY_MS = {"article": 50, "nmd": 50, "all": 1000}
DIAGNOSE_ONE_MS = 100
DIAGNOSE_BATCH_SECONDS = 5
#: Issue 20: the full scope twice as fast; the targets of the build, analyze and the ranker at scope all.
FULL_BUILD_SECONDS = 30
FULL_BUILD_PEAK_MB = 3 * 1024
FULL_ANALYZE_SECONDS = 20
FULL_RANKER_SECONDS = 3


@dataclass
class Measure:
    scope: str
    stage: str
    seconds: float
    peak_mb: float
    triples: int = 0
    baseline_seconds: float | None = None
    baseline_peak_mb: float | None = None
    #: whether the stage has a baseline at all (False: "—" in the table)
    has_baseline: bool = False
    #: why the stage (or its baseline) failed; empty when it ran
    error: str = ""
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def speedup(self) -> float | None:
        if self.baseline_seconds and self.seconds and not math.isnan(self.seconds):
            return self.baseline_seconds / self.seconds
        return None


# -- running a stage in a fresh process ---------------------------------------------------------------

def _child(target: Callable[..., object], args: tuple, conn) -> None:
    start = time.perf_counter()
    try:
        extra = target(*args) or {}
        error = None
    except Exception as exc:  # noqa: BLE001 - reported in the table, not raised: one failing stage must not hide the rest
        extra, error = {}, f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}"
    # a stage that reports "work" seconds is timed without its imports (a cold interpreter's cost)
    seconds = extra.pop("work", time.perf_counter() - start)
    # the peak of this process or of a command it ran (a CLI stage runs `python -m nmdkg.cli` as a child);
    # a command whose own children run side by side reports the peak of their sum (`tree_peak_mb`)
    peak_mb = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
                  extra.pop("tree_peak_mb", 0.0))
    conn.send((seconds, peak_mb, extra, error))
    conn.close()


def isolated(target: Callable[..., object], *args) -> tuple[float, float, dict, str | None]:
    """Run ``target(*args)`` in a fresh process; return (seconds, peak MB, its returned dict, error)."""
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(target, args, child))
    start = time.perf_counter()
    process.start()
    child.close()
    try:
        result = parent.recv()
    except EOFError:  # the child died without reporting (killed, out of memory, a crash in C)
        result = (time.perf_counter() - start, float("nan"), {}, "child process died")
    process.join()
    if result[3] == "child process died":
        result = (*result[:3], f"child process died (exit code {process.exitcode})")
    return result


def _nmdkg(*args: str) -> dict:
    """Run ``python -m nmdkg.cli ARGS`` (a cold start); the time of each progress line on its stderr."""
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "nmdkg.cli", *args], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    sampler = _TreeMemory(process.pid)
    sampler.start()
    lines = []
    for line in process.stderr:
        lines.append((time.perf_counter() - start, line.rstrip()))
    code = process.wait()
    sampler.stop()
    if code != 0:
        tail = " | ".join(text for _, text in lines[-3:])
        raise RuntimeError(f"nmdkg {args[0]} exited {code}: {tail}")
    # the time from one step line ("[2/4] building ...") to the next; before the first: startup and imports
    steps: dict[str, float] = {}
    marks = [(t, text.strip()) for t, text in lines if text.startswith("[")]
    previous, label = 0.0, "startup and imports"
    for t, text in marks:
        steps[label] = round(t - previous, 3)
        previous, label = t, " ".join(text.split()[:4])  # e.g. "[3/4] validating 250,165 triples"
    steps[label] = round(time.perf_counter() - start - previous, 3)
    return {"steps": steps, "tree_peak_mb": sampler.peak_mb}


class _TreeMemory(threading.Thread):
    """The largest sum of resident memory of a process and all its descendants, sampled every 50 ms.

    ``ru_maxrss`` gives the peak of one process; `nmdkg build` writes Turtle and JSON-LD in child processes
    beside its own validation, so what the machine must hold is the sum. Linux only (reads ``/proc``); elsewhere
    the peak stays 0 and the ``ru_maxrss`` figure stands.
    """

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak_mb, self._done = pid, 0.0, threading.Event()

    def stop(self) -> None:
        self._done.set()
        self.join()

    def run(self) -> None:
        while not self._done.wait(0.05):
            self.peak_mb = max(self.peak_mb, self._tree_rss_kb() / 1024)

    def _tree_rss_kb(self) -> int:
        children: dict[int, list[int]] = {}
        rss: dict[int, int] = {}
        for entry in Path("/proc").glob("[0-9]*"):
            try:
                stat = (entry / "stat").read_text()
            except OSError:  # the process ended while we looked
                continue
            fields = stat[stat.rindex(")") + 2:].split()  # after "pid (name) ": state, ppid, ...
            pid = int(entry.name)
            children.setdefault(int(fields[1]), []).append(pid)
            rss[pid] = int(fields[21]) * _PAGE_KB
        total, frontier = 0, [self.pid]
        while frontier:
            pid = frontier.pop()
            total += rss.get(pid, 0)
            frontier += children.get(pid, [])
        return total


_PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def _read_nt(out: str) -> list[tuple[str, str, str]]:
    """The canonical triples of a build, read back from its N-Triples (one triple a line)."""
    lines = Path(out, "nmdkg.nt").read_bytes().decode("utf-8").splitlines()
    return [tuple(line[:-2].split(" ", 2)) for line in lines]  # type: ignore[misc]


# -- our stages (each imports what it needs: it runs in a fresh interpreter) ---------------------------

def stage_build(scope: str, out: str) -> dict:
    """The whole `nmdkg build` (ingest, construct, validate, serialize, write), as users run it."""
    return _nmdkg("build", "--scope", scope, "--out", os.path.relpath(out, ROOT))  # (no machine path shown)


def stage_ingest(scope: str) -> dict:
    from nmdkg.build.hpo import load_sources
    from nmdkg.curated.tables import load_curated

    load_curated()
    if scope != "article":
        load_sources()
    return {}


def stage_construct(scope: str) -> dict:
    from nmdkg.build.graph import build_canonical

    return {"triples": len(build_canonical(scope=scope))}


def stage_validate(out: str) -> dict:
    """Our validation as `nmdkg build` runs it (``validate_graph`` on the canonical triples), fast engine."""
    from nmdkg.core.namespaces import compress, expand
    from nmdkg.validate.shapes import AUTO_LIMIT, validate_graph

    triples = _read_nt(out)
    # the prefix maps (Biolink's and the Bioregistry's: seconds, once per process) are loaded by the build's
    # construct step before it validates; a fresh process would otherwise charge them to validation
    start = time.perf_counter()
    compress(str(expand("HP:0001324")))
    warm = time.perf_counter() - start
    start = time.perf_counter()
    result = validate_graph(triples, engine="fast")
    work = time.perf_counter() - start
    violations = result.violations
    return {"work": work, "prefix_maps_seconds": warm, "engine": result.engine, "conforms": result.conforms,
            "violations": len(violations), "warnings": len(result.warnings),
            "shape_violations": sum(1 for r in violations if not r.source_name.startswith("check ")),
            "build_engine": "pyshacl" if len(triples) <= AUTO_LIMIT else "fast"}


def stage_export(out: str, fmt: str) -> dict:
    """Serialize the canonical triples of a build (read back from its N-Triples) in one format."""
    from nmdkg.export.rdf import serialize, used_prefixes

    triples = _read_nt(out)
    used_prefixes(triples[:1])  # warm the prefix maps
    start = time.perf_counter()
    size = len(serialize(triples, fmt))
    return {"bytes": size, "work": time.perf_counter() - start}


def stage_store(out: str) -> dict:
    from nmdkg.store import Store

    start = time.perf_counter()
    size = len(Store.from_files([Path(out, "nmdkg.nt")]))
    return {"triples": size, "work": time.perf_counter() - start}


class _TooSlow(BaseException):
    """The query budget ran out. Not an ``Exception``: the store wraps the engine's errors (``except
    Exception``) into ``InputError``, which would report a stopped query as a failed one."""


def _alarm(signum, frame) -> None:
    raise _TooSlow


def stage_queries(out: str, engine: str, repeat: int, budget: float) -> dict:
    """Every library query on ``engine``, warm: the median of ``repeat`` runs (ms) and its answer count.

    Each query has ``budget`` seconds: one that takes longer is stopped and reported as at least that
    (``timed_out``); one whose warm-up run alone takes more than a ``repeat + 1``-th of it is timed by
    that one run (``single_run``). rdflib's engine needs minutes for some queries of the default build.
    """
    import signal

    from nmdkg.query.library import load_library
    from nmdkg.store import Store

    def run(query) -> int:
        result = query.run(store)
        if result.type == "ASK":
            return int(bool(result.askAnswer))
        if result.type in ("CONSTRUCT", "DESCRIBE"):
            return len(result.graph)
        return len(list(result))

    def timed(query) -> tuple[float, int]:
        start = time.perf_counter()
        count = run(query)
        return (time.perf_counter() - start) * 1000, count

    store = Store.from_files([Path(out, "nmdkg.nt")], engine=engine)
    signal.signal(signal.SIGALRM, _alarm)
    medians, answers, errors, timed_out, single = {}, {}, {}, {}, []
    for name, query in load_library().items():
        signal.setitimer(signal.ITIMER_REAL, budget)
        try:
            first, answers[name] = timed(query)  # warm-up: parsing, caches
            if first > budget * 1000 / (repeat + 1):
                medians[name] = first
                single.append(name)
                continue
            times = []
            for _ in range(repeat):
                ms, answers[name] = timed(query)
                times.append(ms)
            medians[name] = statistics.median(times)
        except _TooSlow:
            timed_out[name] = budget * 1000
        except Exception as exc:  # noqa: BLE001 - one failing query is reported, the others still run
            errors[name] = f"{type(exc).__name__}: {exc}"
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    return {"median_ms": medians, "answers": answers, "errors": errors, "timed_out_ms": timed_out,
            "single_run": single, "runs": repeat,
            "work": (sum(medians.values()) + sum(timed_out.values())) / 1000}


def stage_analyze(out: str) -> dict:
    """`nmdkg analyze` on the build, as the CLI runs it (a cold start), into a temporary folder."""
    import shutil
    import tempfile

    target = tempfile.mkdtemp(prefix="nmdkg-bench-analyze-")
    try:
        extra = _nmdkg("analyze", "--data", out, "--out", target)  # the build folder: its caches are used
        extra["files"] = len(os.listdir(target))
    finally:
        shutil.rmtree(target, ignore_errors=True)
    return extra


def stage_diagnose(out: str, seed: int, patients: int, runs: int) -> dict:
    """Load the ranker once; then one patient warm (median of ``runs``) and a batch of ``patients``."""
    import json as json_module

    import numpy as np

    start = time.perf_counter()
    from nmdkg.core.errors import InputError
    from nmdkg.diagnose import ranker as dx
    from nmdkg.release import reuse

    imports = time.perf_counter() - start
    start = time.perf_counter()
    # as `nmdkg diagnose --data OUT` does: the ranker the build saved, else computed from the graph
    build = reuse.given_build(Path(out), say=lambda message: None)
    ranker = reuse.cached_ranker(build, lambda message: None)
    loaded_from = "the build's saved ranker (cache/ranker/)"
    if ranker is None:
        ranker, loaded_from = dx.Ranker.from_graph(Path(out, "nmdkg.nt")), "computed from nmdkg.nt (no saved ranker)"
    load = time.perf_counter() - start

    valid: dict[str, bool] = {}

    def findable(term: str) -> bool:  # a term `nmdkg diagnose` accepts (a current phenotypic abnormality)
        if term not in valid:
            try:
                valid[term] = dx.check_terms([term], (), ranker.hpo)[0] == (term,)
            except InputError:
                valid[term] = False
        return valid[term]

    # patients: `terms` phenotype annotations of a disease of the graph, drawn uniformly (bench_diagnose)
    rng = np.random.default_rng(seed)
    terms = 5
    eligible = [d for d, annotated in enumerate(ranker.annotations) if len(annotated) >= terms]
    batch: list[tuple[int, dx.Patient]] = []
    while eligible and len(batch) < patients:
        for d in rng.permutation(eligible).tolist():
            own = [t for t in sorted(ranker.terms[u] for u, _ in ranker.annotations[d]) if findable(t)]
            if len(own) >= terms:
                present = tuple(rng.choice(own, size=terms, replace=False).tolist())
                batch.append((d, dx.Patient(f"p{len(batch) + 1}", present)))
            if len(batch) == patients:
                break
        else:
            if not batch:
                break
    if not batch:
        raise RuntimeError(f"no disease with {terms} phenotype annotations to draw patients from")

    # one patient, as `nmdkg diagnose HP:... HP:...` does once the graph is read
    truth, patient = batch[0]

    def one() -> str:
        present, absent, _ = dx.check_terms(patient.present, patient.absent, ranker.hpo)
        return dx.format_table(ranker.rank_checked(present, absent, 10), present, absent, ranker)

    one()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        one()
        times.append((time.perf_counter() - start) * 1000)

    # a batch, as `nmdkg diagnose --patients FILE` does once the graph is read
    people = [p for _, p in batch]
    start = time.perf_counter()
    records = dx.rank_patients(ranker, people, 10)
    payload = "".join(json_module.dumps(r, ensure_ascii=False) + "\n" for r in records)
    batch_seconds = time.perf_counter() - start
    top10 = sum(ranker.diseases[d] in {r["id"] for r in record["results"]}
                for (d, _), record in zip(batch, records, strict=True))
    return {"import_seconds": imports, "load_seconds": load, "diseases": len(ranker.diseases), "from": loaded_from,
            "one_patient": {"disease": ranker.diseases[truth], "terms": list(patient.present),
                            "median_ms": statistics.median(times), "runs": runs, "all_ms": times},
            "batch": {"patients": len(people), "seconds": batch_seconds, "seed": seed, "bytes": len(payload),
                      "true_disease_in_top_10": top10}}


# -- the baseline: the plain rdflib + pyshacl way, on the same output ---------------------------------

def _plain_graph(out: str):
    """The build's N-Triples parsed into an rdflib Graph, with the ontology if the file lacks it."""
    from rdflib import Graph, URIRef
    from rdflib.namespace import OWL, RDF

    from nmdkg.core.namespaces import ONTOLOGY_IRI

    graph = Graph().parse(Path(out, "nmdkg.nt"), format="nt")
    added = (URIRef(ONTOLOGY_IRI), RDF.type, OWL.Ontology) not in graph
    if added:  # as validate.py does: the shapes are written against the ontology's class hierarchy
        graph.parse(ONTOLOGY, format="turtle")
    return graph, added


def _pyshacl(graph) -> tuple[bool, int]:
    """pySHACL with the project's shapes, as validate.py runs it (inference none): conforms, violations."""
    import pyshacl
    from rdflib import Graph
    from rdflib.namespace import SH

    shapes = Graph().parse(SHAPES, format="turtle")
    conforms, report, _ = pyshacl.validate(graph, shacl_graph=shapes, inference="none", abort_on_first=False,
                                           allow_warnings=True, meta_shacl=False, advanced=False, js=False)
    violations = sum(1 for r in report.objects(predicate=SH.result)
                     if report.value(r, SH.resultSeverity) == SH.Violation)
    return bool(conforms), violations


def baseline_build(out: str) -> dict:
    """The plain way of the build's work on its output: parse, pyshacl, serialize three formats, write."""
    import tempfile

    steps: dict[str, float] = {}
    mark = time.perf_counter()

    def step(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        steps[name] = round(now - mark, 3)
        mark = now

    import pyshacl  # noqa: F401  (imports are part of a cold start, as in ours)
    import rdflib  # noqa: F401

    step("imports")
    graph, _ = _plain_graph(out)
    step("parse N-Triples (rdflib)")
    conforms, violations = _pyshacl(graph)
    step("validate (pyshacl)")
    with tempfile.TemporaryDirectory(prefix="nmdkg-bench-baseline-") as folder:
        for fmt, name in (("turtle", "nmdkg.ttl"), ("json-ld", "nmdkg.jsonld"), ("nt", "nmdkg.nt")):
            graph.serialize(destination=Path(folder, name), format=fmt, encoding="utf-8")
            step(f"serialize and write {fmt} (rdflib)")
    return {"steps": steps, "conforms": conforms, "violations": violations}


def baseline_validate(out: str) -> dict:
    """pySHACL on the build's N-Triples parsed by rdflib (the parse timed apart, not in the stage time)."""
    start = time.perf_counter()
    graph, added = _plain_graph(out)
    parse = time.perf_counter() - start
    start = time.perf_counter()
    conforms, violations = _pyshacl(graph)
    return {"work": time.perf_counter() - start, "parse_seconds": parse, "ontology_added": added,
            "conforms": conforms, "violations": violations}


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

def _count_lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))


def measure(scope: str, out: Path, args: argparse.Namespace, only: set[str],
            say: Callable[[str], None]) -> list[Measure]:
    rows: list[Measure] = []
    baseline = not args.skip_baseline

    build_steps: dict[str, float] = {}
    build_peak: float | None = None

    def run(stage: str, target, *targs, base=None, base_args=(), step: str | None = None) -> Measure:
        say(f"  {scope}: {stage}")
        seconds, peak, extra, error = isolated(target, *targs)
        if error:
            seconds = float("nan")
        row = Measure(scope, stage, seconds, peak, extra=extra, error=error or "",
                      has_baseline=base is not None)
        if base is not None and baseline and step is not None and step in build_steps:
            # --reuse-baseline: the step of the baseline build (one rdflib parse for all of them)
            row.baseline_seconds, row.baseline_peak_mb = build_steps[step], build_peak
            row.extra["baseline"] = {"from_build_baseline_step": step}
        elif base is not None and baseline:
            say(f"  {scope}: {stage} (baseline)")
            b_seconds, b_peak, b_extra, b_error = isolated(base, *base_args)
            row.extra["baseline"] = b_extra
            if b_error:
                row.error = f"{row.error}; baseline: {b_error}".lstrip("; ")
            else:
                row.baseline_seconds, row.baseline_peak_mb = b_seconds, b_peak
        rows.append(row)
        return row

    nt = out / "nmdkg.nt"
    if "build" in only or not nt.is_file():
        if "build" not in only:
            say(f"  {scope}: {nt} missing: running the build stage too")
        build = run(BUILD, stage_build, scope, str(out), base=baseline_build, base_args=(str(out),))
        b = build.extra.get("baseline", {})
        if "conforms" in b:
            build.note = f"baseline: pyshacl conforms {b['conforms']}, {b['violations']} violations"
        if args.reuse_baseline and b.get("steps"):
            build_steps.update(b["steps"])
            build_peak = build.baseline_peak_mb
    if not nt.is_file():
        say(f"  {scope}: no {nt}: the stages that read the build are skipped")
        return rows
    if "ingest" in only:
        run("ingest", stage_ingest, scope)
    if "construct" in only:
        run("construct", stage_construct, scope)
    if "validate" in only:
        row = run(VALIDATE, stage_validate, str(out), base=baseline_validate, base_args=(str(out),),
                  step="validate (pyshacl)")
        row.note = _agreement(row)
    if "export" in only:
        for fmt in ("nt", "turtle", "json-ld"):
            run(f"export {fmt}", stage_export, str(out), fmt,
                base=baseline_serialize, base_args=(str(out), fmt), step=f"serialize and write {fmt} (rdflib)")
    if "store" in only:
        run(STORE, stage_store, str(out), base=baseline_parse, base_args=(str(out),),
            step="parse N-Triples (rdflib)")
    if "queries" in only:
        base_args = (str(out), "rdflib", max(1, args.repeat // 2), args.query_budget)
        row = run(QUERIES, stage_queries, str(out), "oxigraph", args.repeat, args.query_budget,
                  base=stage_queries, base_args=base_args)
        base = row.extra.get("baseline", {})
        errors = {**row.extra.get("errors", {}), **base.get("errors", {})}
        notes = [f"{len(errors)} query error(s): {', '.join(sorted(errors))}"] if errors else []
        for side, extra in (("ours", row.extra), ("rdflib", base)):
            if extra.get("timed_out_ms"):
                notes.append(f"{side}: {len(extra['timed_out_ms'])} queries stopped at "
                             f"{args.query_budget:g} s (counted as that: the sum is a lower bound)")
        row.note = "; ".join(notes)
    if "analyze" in only:
        run(ANALYZE, stage_analyze, str(out))
    if "diagnose" in only and scope == "article":  # the article annotates no disease with HPO terms
        rows.append(Measure(scope, "diagnose (load, one patient, batch)", float("nan"), float("nan"),
                            note="not measured: the article scope holds no HPO-annotated disease to rank"))
    elif "diagnose" in only:
        say(f"  {scope}: diagnose (load, one patient, batch)")
        _seconds, peak, extra, error = isolated(stage_diagnose, str(out), args.seed, 100, args.diagnose_runs)
        if error:  # one row for the three measures
            rows.append(Measure(scope, "diagnose (load, one patient, batch)", float("nan"), peak,
                                error=error))
        else:
            one, batch = extra["one_patient"], extra["batch"]
            loading = {k: extra[k] for k in ("import_seconds", "load_seconds", "diseases", "from")}
            rows += [
                Measure(scope, DIAGNOSE_LOAD, extra["load_seconds"], peak, extra=loading,
                        note=f"{extra['diseases']:,} diseases ranked, {extra['from']}; imports "
                             f"{extra['import_seconds']:.2f} s apart; peak: the whole process"),
                Measure(scope, DIAGNOSE_ONE, one["median_ms"] / 1000, peak, extra=one,
                        note=f"{one['disease']}, {len(one['terms'])} terms, median of {one['runs']} runs"),
                Measure(scope, DIAGNOSE_BATCH, batch["seconds"], peak, extra=batch,
                        note=f"true disease in top 10: "
                             f"{batch['true_disease_in_top_10']}/{batch['patients']}"),
            ]
    if "cold" in only:
        rows += stage_cold(scope, out, args.cold_runs, say)
    triples = _count_lines(nt)
    for row in rows:
        row.triples = row.triples or triples
    return rows


def _cold_run(argv: list[str], cwd: Path) -> tuple[float, float, int, str]:
    """One fresh process: (wall seconds, its own peak MB, exit code, last stderr line)."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stderr is not None
    err = process.stderr.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    last = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
    return seconds, usage.ru_maxrss / 1024, process.returncode, last[0][:200]


def stage_cold(scope: str, out: Path, runs: int, say: Callable[[str], None]) -> list[Measure]:
    """The ``cold`` stage (see the module docstring): one row per command, the median of ``runs``."""
    import shutil
    import tempfile

    from nmdkg.query.library import load_library

    work = Path(tempfile.mkdtemp(prefix=f"nmdkg-cold-{scope}-"))
    try:
        (work / "output").symlink_to(out.resolve(), target_is_directory=True)
        cli = [sys.executable, "-m", "nmdkg.cli"]
        commands: list[tuple[str, list[list[str]]]] = [
            (COLD_IMPORT, [[sys.executable, "-c", "import nmdkg"]]),
            ("query (each library query)", [[*cli, "query", name] for name in load_library()]),
            ("diagnose (one patient)", [[*cli, "diagnose", "HP:0003236", "HP:0003707", "HP:0003560", "--top", "5"]]),
            ("export --format turtle", [[*cli, "export", "--format", "turtle", "--out", str(work / "x.ttl")]]),
            ("export --format xml", [[*cli, "export", "--format", "xml", "--out", str(work / "x.rdf")]]),
            ("validate (the build)", [[*cli, "validate"]]),
        ]
        rows = []
        for label, argvs in commands:
            say(f"  {scope}: cold {label} ({len(argvs)} command(s), 1 + {runs} runs each)")
            medians, firsts, peaks, errors = {}, {}, [], {}
            for argv in argvs:
                first, peak, code, last = _cold_run(argv, work)
                times = []
                for _ in range(runs):
                    seconds, run_peak, code, last = _cold_run(argv, work)
                    times.append(seconds)
                    peak = max(peak, run_peak)
                name = argv[-1] if label.startswith("query") else label
                if code != 0:
                    errors[name] = f"exit {code}: {last}"
                medians[name], firsts[name] = statistics.median(times), first
                peaks.append(peak)
            worst = max(medians, key=medians.__getitem__)
            extra = {"runs": runs, "median_seconds": medians, "first_seconds": firsts, "errors": errors}
            row = Measure(scope, f"cold: {label}", medians[worst], max(peaks), extra=extra)
            if len(medians) > 1:
                row.note = (f"slowest of {len(medians)}: {worst}; median of the medians "
                            f"{statistics.median(medians.values()):.2f} s")
            if errors:
                row.error = f"{len(errors)} failed: " + "; ".join(f"{k}: {v}" for k, v in sorted(errors.items())[:3])
            rows.append(row)
        return rows
    finally:
        shutil.rmtree(work, ignore_errors=True)


def cold_table(rows: list[Measure]) -> list[str]:
    """The cold commands: median seconds, first run, peak MB, ratio to the bare import, the target."""
    cold = [r for r in rows if r.stage.startswith("cold: ")]
    if not cold:
        return []
    lines = ["", "Cold commands after a build (fresh process each; seconds: the median of the runs after the "
             "first; for the query library the slowest query's median):", "",
             "| scope | command | median s | first run s | peak MB | × import | target | note |",
             "|---|---|--:|--:|--:|--:|---|---|"]
    imports = {r.scope: r.seconds for r in cold if r.stage == f"cold: {COLD_IMPORT}"}
    for r in cold:
        label = r.stage.removeprefix("cold: ")
        base = imports.get(r.scope)
        ratio = _ratio(r.seconds / base) if base and not math.isnan(r.seconds) else ""
        first = max(r.extra.get("first_seconds", {}).values(), default=float("nan"))
        limit = COLD_TARGETS.get(label)
        verdict = ""
        if limit is not None and r.scope in ("article", "nmd"):
            verdict = f"≤ {limit:g} s: " + ("PASS" if r.seconds <= limit and not r.error else "FAIL")
        note = "; ".join(text for text in (f"FAILED: {r.error}" if r.error else "", r.note) if text)
        lines.append(f"| {r.scope} | `{label}` | {_s(r.seconds)} | {_s(first)} | {_s(r.peak_mb, 0)} | {ratio} | "
                     f"{verdict} | {note} |")
    return lines


def _agreement(row: Measure) -> str:
    """Whether our validation and pySHACL agree on conformance (and the shape violations they count)."""
    ours, theirs = row.extra, row.extra.get("baseline", {})
    parts = []
    if "conforms" in ours and "conforms" in theirs:
        verdict = "agree" if ours["conforms"] == theirs["conforms"] else "DISAGREE"
        parts += [f"conforms: ours {ours['conforms']}, pyshacl {theirs['conforms']} ({verdict})",
                  f"shape violations {ours['shape_violations']} / {theirs['violations']}",
                  f"pyshacl's rdflib parse {theirs['parse_seconds']:.2f} s apart"]
    elif "conforms" in ours:
        parts.append(f"conforms: {ours['conforms']}, {ours['violations']} violations")
    if ours.get("build_engine", "fast") != "fast":
        parts.append(f"at this size `nmdkg build` (engine auto) runs {ours['build_engine']}")
    return "; ".join(parts)


# -- the report ------------------------------------------------------------------------------------------

def _s(value: float | None, digits: int = 2) -> str:
    return "" if value is None or math.isnan(value) else f"{value:.{digits}f}"


def table(rows: list[Measure], baseline: bool) -> str:
    lines = []
    if any(not r.stage.startswith("cold: ") for r in rows):
        lines += ["| scope | stage | triples | seconds | peak MB | baseline s | baseline MB | speed-up | note |",
                  "|---|---|--:|--:|--:|--:|--:|--:|---|"]
    for r in rows:
        if r.stage.startswith("cold: "):  # in their own table (cold_table)
            continue
        if not r.has_baseline:
            base_s = base_mb = ratio = "—"
        elif not baseline:
            base_s, base_mb, ratio = "skipped", "", ""
        else:
            base_s, base_mb = _s(r.baseline_seconds), _s(r.baseline_peak_mb, 0)
            ratio = _ratio(r.speedup) if r.speedup else ""
        seconds = _s(r.seconds, 4 if r.seconds < 0.01 else 2)
        note = "; ".join(text for text in (f"FAILED: {r.error}" if r.error else "", r.note) if text)
        lines.append(f"| {r.scope} | {r.stage} | {r.triples:,} | {seconds} | {_s(r.peak_mb, 0)} | {base_s} | "
                     f"{base_mb} | {ratio} | {note} |")
    steps = [r for r in rows
             if r.stage == BUILD and (r.extra.get("steps") or r.extra.get("baseline", {}).get("steps"))]
    for r in steps:
        lines += ["", f"Build steps at scope {r.scope} (seconds): ours | baseline", ""]
        ours = "; ".join(f"{k} {v:.2f}" for k, v in r.extra.get("steps", {}).items())
        theirs = "; ".join(f"{k} {v:.2f}" for k, v in r.extra.get("baseline", {}).get("steps", {}).items())
        lines += [f"* ours: {ours or '—'}", f"* baseline: {theirs or '—'}"]
    lines += per_million(rows)
    for r in rows:
        if r.stage == QUERIES:
            lines += query_table(r)
    lines += cold_table(rows)
    lines += ["", "Targets:", ""]
    lines += [f"* {line}" for line in targets(rows)] or ["* none applies to the scopes and stages measured"]
    return "\n".join(lines)


def per_million(rows: list[Measure]) -> list[str]:
    """Seconds per million triples of the build, its baseline, validation and the store, per scope."""
    scopes = list(dict.fromkeys(r.scope for r in rows))
    wanted = [(BUILD, False), (BUILD, True), (VALIDATE, False), (VALIDATE, True), (STORE, False)]
    header = ["build", "baseline build", "validate", "pyshacl", "load store"]
    found = {(r.scope, r.stage): r for r in rows}
    body = []
    for scope in scopes:
        cells = []
        triples = next((r.triples for r in rows if r.scope == scope and r.triples), 0)
        if not triples:
            continue
        for stage, base in wanted:
            r = found.get((scope, stage))
            value = None if r is None else (r.baseline_seconds if base else r.seconds)
            cells.append(_s(value / triples * 1e6, 1) if value is not None and not math.isnan(value) else "")
        if any(cells):
            body.append(f"| {scope} | {triples:,} | " + " | ".join(cells) + " |")
    if not body:
        return []
    return ["", "Seconds per million triples (how cost grows with size):", "",
            "| scope | triples | " + " | ".join(header) + " |", "|---|--:|" + "--:|" * len(header), *body]


def _ratio(value: float) -> str:
    return f"{value:.1f}×" if value < 10 else f"{value:.0f}×"


def query_table(r: Measure) -> list[str]:
    ours, base = r.extra, r.extra.get("baseline", {})
    target = QUERY_MS[r.scope]
    lines = ["", f"Query medians at scope {r.scope} (ms; ours: Oxigraph, median of {ours.get('runs', '?')} "
             f"warm runs; baseline: rdflib, median of {base.get('runs', '?')}; `!`: ours above {target} ms; "
             "`>`: stopped at the budget; (1 run): too slow to repeat)", "",
             "| query | ours ms | rdflib ms | speed-up | answers | ! |", "|---|--:|--:|--:|--:|---|"]

    def cell(extra: dict, name: str) -> tuple[str, float | None, bool]:
        """The shown time, the time, and whether it is a lower bound."""
        if name in extra.get("timed_out_ms", {}):
            ms = extra["timed_out_ms"][name]
            return f"> {ms:,.0f}", ms, True
        ms = extra.get("median_ms", {}).get(name)
        if ms is None:
            return "", None, False
        return _s(ms, 1) + (" (1 run)" if name in extra.get("single_run", ()) else ""), ms, False

    names = list(dict.fromkeys(n for e in (ours, base) for key in ("median_ms", "timed_out_ms", "errors")
                               for n in e.get(key, {})))
    for name in names:
        mine_text, mine, mine_bound = cell(ours, name)
        other_text, other, other_bound = cell(base, name)
        ratio = ""
        if mine and other and not mine_bound:
            ratio = ("> " if other_bound else "") + _ratio(other / mine)
        answers = str(ours.get("answers", {}).get(name, ""))
        other_answers = base.get("answers", {}).get(name)
        if other_answers is not None and str(other_answers) != answers:
            answers += f" (rdflib {other_answers})"
        flag = "!" if mine is not None and mine > target else ""
        for side, extra in (("", ours), ("rdflib ", base)):
            if name in extra.get("errors", {}):
                flag = (flag + f" {side}error: {extra['errors'][name]}").strip()
        lines.append(f"| {name} | {mine_text} | {other_text} | {ratio} | {answers} | {flag} |")
    return lines


def targets(rows: list[Measure]) -> list[str]:
    """One line per target of the issue tracker that the measured rows speak to: PASS or FAIL."""
    found = {(r.scope, r.stage): r for r in rows}
    out = []

    def line(target: str, measured: str, ok: bool | None) -> None:
        out.append(f"target: {target} — measured {measured} — {'PASS' if ok else 'FAIL'}")

    def usable(r: Measure | None) -> bool:
        return r is not None and not math.isnan(r.seconds)

    build = found.get(("all", BUILD))
    if usable(build):
        assert build is not None
        line(f"`nmdkg build --scope all` ≤ {BUILD_ALL_SECONDS} s wall", f"{build.seconds:.1f} s",
             build.seconds <= BUILD_ALL_SECONDS)
        line(f"`nmdkg build --scope all` ≤ {BUILD_ALL_PEAK_MB // 1024} GB peak memory",
             f"{build.peak_mb:,.0f} MB", build.peak_mb <= BUILD_ALL_PEAK_MB)
        if build.speedup:
            line(f"`nmdkg build --scope all` ≥ {BUILD_ALL_SPEEDUP}× faster than the baseline",
                 f"{build.speedup:.1f}× ({build.baseline_seconds:.1f} s / {build.seconds:.1f} s)",
                 build.speedup >= BUILD_ALL_SPEEDUP)
        line(f"`nmdkg build --scope all` ≤ {FULL_BUILD_SECONDS} s and ≤ {FULL_BUILD_PEAK_MB // 1024} GB (issue 20)",
             f"{build.seconds:.1f} s, {build.peak_mb:,.0f} MB",
             build.seconds <= FULL_BUILD_SECONDS and build.peak_mb <= FULL_BUILD_PEAK_MB)
    analyze = found.get(("all", ANALYZE))
    if usable(analyze):
        assert analyze is not None
        line(f"`nmdkg analyze` from a build at scope all ≤ {FULL_ANALYZE_SECONDS} s (issue 20)",
             f"{analyze.seconds:.1f} s, {analyze.peak_mb:,.0f} MB", analyze.seconds <= FULL_ANALYZE_SECONDS)
    ranker = found.get(("all", DIAGNOSE_LOAD))
    if usable(ranker):
        assert ranker is not None
        line(f"the ranker ready at scope all ≤ {FULL_RANKER_SECONDS} s (issue 20)",
             f"{ranker.seconds:.2f} s ({ranker.extra.get('from', '?')})", ranker.seconds <= FULL_RANKER_SECONDS)
    default = found.get(("nmd", BUILD))
    if usable(default):
        assert default is not None
        line(f"default `nmdkg build` ≤ {BUILD_DEFAULT_SECONDS} s end to end from a cold start",
             f"{default.seconds:.1f} s", default.seconds <= BUILD_DEFAULT_SECONDS)
    for r in rows:
        if r.stage == QUERIES and r.extra.get("median_ms"):
            medians = r.extra["median_ms"]
            limit = QUERY_MS[r.scope]
            slowest = max(medians, key=medians.get)
            over = sorted([n for n, ms in medians.items() if ms > limit]
                          + list(r.extra.get("timed_out_ms", {})))
            missing = sorted(r.extra.get("errors", {}))
            what = "the default build" if r.scope == "nmd" else f"scope {r.scope}"
            detail = f"slowest {medians[slowest]:.1f} ms ({slowest})"
            if over:
                detail += f"; above: {', '.join(over)}"
            if missing:
                detail += f"; failed: {', '.join(missing)}"
            line(f"every library query's median ≤ {limit:,} ms on {what}", detail, not over and not missing)
    for scope in dict.fromkeys(r.scope for r in rows):
        one, batch = found.get((scope, DIAGNOSE_ONE)), found.get((scope, DIAGNOSE_BATCH))
        if one is not None and not math.isnan(one.seconds):
            line(f"`nmdkg diagnose` one patient ≤ {DIAGNOSE_ONE_MS} ms once loaded (scope {scope})",
                 f"{one.seconds * 1000:.1f} ms", one.seconds * 1000 <= DIAGNOSE_ONE_MS)
        if batch is not None and not math.isnan(batch.seconds):
            line(f"`nmdkg diagnose` batch of 100 patients ≤ {DIAGNOSE_BATCH_SECONDS} s (scope {scope})",
                 f"{batch.seconds:.2f} s", batch.seconds <= DIAGNOSE_BATCH_SECONDS)
    return out


def machine() -> dict:
    info: dict = {"python": platform.python_version(), "platform": platform.platform(),
                  "cores": os.cpu_count()}
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        info["cpu"] = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines()
                            if line.startswith("model name")), platform.processor())
    except OSError:
        info["cpu"] = platform.processor()
    try:
        meminfo = Path("/proc/meminfo").read_text()
        kb = next(int(line.split()[1]) for line in meminfo.splitlines() if line.startswith("MemTotal"))
        info["ram_gb"] = round(kb / 1024 / 1024, 1)
    except (OSError, StopIteration, ValueError):
        pass
    try:
        info["usable_cores"] = len(os.sched_getaffinity(0))
        info["load_average"] = os.getloadavg()
    except (AttributeError, OSError):
        pass
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        info["commit"] = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True,
                                        text=True, timeout=10).stdout.strip()
    return info


def report_markdown(report: dict) -> str:
    """The report of one run (its JSON form): where and when it ran, the command, and the tables."""
    info = report.get("machine", {})
    load = info.get("load_average")
    where = (f"{info.get('cores', '?')} cores ({info.get('cpu', '?')}), {info.get('ram_gb', '?')} GB, "
             f"Python {info.get('python', '?')}; load average {load[0]:.1f} when it started" if load else
             f"{info.get('cores', '?')} cores, Python {info.get('python', '?')}")
    command = report.get("command") or "(not recorded)"
    rows = [Measure(**{k: v for k, v in row.items() if k != "speedup"}) for row in report["rows"]]
    lines = [f"Run of {report['date']} on {where}; code {str(info.get('commit', '?'))[:7]}. Command:", "",
             "```", command, "```", "", table(rows, bool(report.get("baseline")))]
    return "\n".join(lines)


def rewrite_block(doc: Path, block: str, body: str) -> None:
    """Replace the text between ``<!-- bench:BLOCK -->`` and the next ``<!-- /bench -->`` of ``doc``."""
    try:
        text = doc.read_text(encoding="utf-8")
    except OSError as exc:
        raise SystemExit(f"run.py: error: {doc}: {exc.strerror or exc}") from None
    start, end = f"<!-- bench:{block} -->", "<!-- /bench -->"
    if text.count(start) != 1:
        found = sorted({line.split(":", 1)[1].split(" ")[0] for line in text.splitlines()
                           if line.startswith("<!-- bench:")})
        raise SystemExit(f"run.py: error: {doc}: no single '{start}' marker (blocks: {', '.join(found) or 'none'})")
    head, rest = text.split(start, 1)
    if end not in rest:
        raise SystemExit(f"run.py: error: {doc}: '{start}' is not closed by '{end}'")
    tail = rest.split(end, 1)[1]
    from nmdkg.core.io import write_bytes_atomic

    write_bytes_atomic(doc, f"{head}{start}\n{body.rstrip()}\n{end}{tail}".encode())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scope", action="append", choices=["article", "nmd", "all"],
                        help="scopes to measure (repeat; default: article and nmd)")
    parser.add_argument("--only", default=",".join(STAGES),
                        help=f"comma-separated stages to run (default all): {', '.join(STAGES)}; without "
                             "build, the stages read output/bench/SCOPE/ of an earlier run")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per query (default 5)")
    parser.add_argument("--query-budget", type=float, default=30,
                        help="seconds one query may take on an engine before it is stopped (default 30)")
    parser.add_argument("--diagnose-runs", type=int, default=20,
                        help="timed runs of the one-patient diagnosis (default 20)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the simulated patients (default 0)")
    parser.add_argument("--cold-runs", type=int, default=5,
                        help="runs of each cold command after its first run (default 5)")
    parser.add_argument("--skip-baseline", action="store_true", help="do not measure the rdflib baseline")
    parser.add_argument("--reuse-baseline", action="store_true",
                        help="take the baselines of validate, export and store from the steps of the baseline "
                             "build (one rdflib parse instead of five: halves a run at scope all; their peak MB "
                             "is then the whole baseline build's)")
    parser.add_argument("--json", type=Path, default=ROOT / "output" / "benchmarks.json")
    parser.add_argument("--doc", type=Path, help="a Markdown file whose --block is rewritten with the report")
    parser.add_argument("--block", help="the block of --doc: <!-- bench:BLOCK --> ... <!-- /bench -->")
    parser.add_argument("--render", type=Path, metavar="JSON",
                        help="measure nothing: report the JSON of an earlier run (and rewrite --doc)")
    args = parser.parse_args(argv)
    if bool(args.doc) != bool(args.block):
        parser.error("--doc and --block go together")
    if args.render:
        try:
            report = json.loads(args.render.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            parser.error(f"{args.render}: not the JSON of a run ({exc})")
        body = report_markdown(report)
        if args.doc:
            rewrite_block(args.doc, args.block, body)
        print(body)
        return 0
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    unknown = only - set(STAGES)
    if unknown:
        parser.error(f"unknown stage(s) {', '.join(sorted(unknown))}; choose from {', '.join(STAGES)}")
    scopes = args.scope or ["article", "nmd"]
    started = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    rows: list[Measure] = []
    for scope in scopes:
        out = ROOT / "output" / "bench" / scope
        rows += measure(scope, out, args, only, lambda message: print(message, file=sys.stderr, flush=True))
    report = {"machine": machine(), "date": started, "scopes": scopes,
              "command": " ".join(["python benchmarks/run.py", *(argv if argv is not None else sys.argv[1:])]),
              "stages": sorted(only, key=STAGES.index),
              "baseline": not args.skip_baseline, "repeat": args.repeat,
              "rows": [asdict(r) | {"speedup": r.speedup} for r in rows], "targets": targets(rows)}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2, default=str))
    body = report_markdown(json.loads(json.dumps(report, default=str)))
    if args.doc:
        rewrite_block(args.doc, args.block, body)
    print(body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
