"""Benchmark: the median time of every library query on the built graph, for each query engine.

Engines:

* ``rdflib``: rdflib's own SPARQL engine (``nmdkg.store.Store(engine="rdflib")``);
* ``oxrdflib``: rdflib's API over an Oxigraph store (``Graph(store="Oxigraph")``), if oxrdflib is installed;
* ``pyoxigraph``: the store nmdkg uses by default (``nmdkg.store.Store(engine="oxigraph")``): pyoxigraph
  directly, with the results turned into rdflib terms.

Each query runs with its default parameters, once to warm up and then ``--repeat`` times; the table gives
the median in milliseconds, the number of answers (which must agree between engines) and the ratio of
rdflib's time to pyoxigraph's. Run from the repository root::

    python benchmarks/bench_queries.py                        # the default build (nmdkg.build_graph())
    python benchmarks/bench_queries.py --data output/nmdkg.nt # a graph file instead
    python benchmarks/bench_queries.py --scope article --repeat 20
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path


def _median_ms(run: Callable[[], int], repeat: int) -> tuple[float, int]:
    answers = run()  # warm-up: parsing, caches
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        answers = run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), answers


def _size(result) -> int:
    if result.type == "ASK":
        return int(bool(result.askAnswer))
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        return len(result.graph)
    return len(list(result))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, help="an RDF file to query instead of the default build")
    parser.add_argument("--scope", default=None, help="build scope (article, nmd, all); default: the build's")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per query and engine (default 5)")
    parser.add_argument("--query", action="append", default=[],
                        help="only the queries whose name contains this (repeat for several)")
    args = parser.parse_args(argv)

    from rdflib import Graph, Variable

    from nmdkg.query.library import load_library
    from nmdkg.store import Store

    start = time.perf_counter()
    if args.data:
        graph = Graph(bind_namespaces="none")
        graph.parse(args.data)
    else:
        from nmdkg.build.graph import build_graph

        graph = build_graph(**({"scope": args.scope} if args.scope else {}))
    elapsed = time.perf_counter() - start
    print(f"graph: {len(graph)} triples ({elapsed:.1f} s to build or parse)", file=sys.stderr)

    both = ("rdflib", "oxigraph")
    loads = {"from the rdflib graph in memory (`Store.from_graph`)": {
        engine: _seconds(lambda engine=engine: Store.from_graph(graph, engine=engine)) for engine in both}}
    if args.data:
        loads[f"from the file {args.data.name} (`Store.from_files`)"] = {
            engine: _seconds(lambda engine=engine: Store.from_files([args.data], engine=engine))
            for engine in both}
    engines: dict[str, Callable[[str, dict], object]] = {}
    start = time.perf_counter()
    rdflib_store = Store.from_graph(graph, engine="rdflib")
    engines["rdflib"] = rdflib_store.query
    try:
        import oxrdflib  # noqa: F401

        ox_graph = Graph(store="Oxigraph")
        ox_graph.parse(data=graph.serialize(format="nt", encoding="utf-8"), format="ox-nt")
        engines["oxrdflib"] = lambda text, bindings: ox_graph.query(
            text, initBindings={Variable(k): v for k, v in bindings.items()})
    except ImportError:
        print("oxrdflib is not installed: its column is left out", file=sys.stderr)
    oxigraph_store = Store.from_graph(graph, engine="oxigraph")
    engines["pyoxigraph"] = oxigraph_store.query
    print(f"stores loaded in {time.perf_counter() - start:.1f} s", file=sys.stderr)

    library = load_library()
    names = [n for n in library if not args.query or any(part in n for part in args.query)]
    header = ["query", "answers", *(f"{e} ms" for e in engines), "rdflib / pyoxigraph"]
    print("| " + " | ".join(header) + " |")
    print("| " + " | ".join(["---"] + ["---:"] * (len(header) - 1)) + " |")
    totals = dict.fromkeys(engines, 0.0)
    for name in names:
        query = library[name]
        bindings = query.bindings()
        medians, sizes = {}, set()
        for engine, run in engines.items():
            def once(run=run, text=query.text, bindings=bindings) -> int:
                return _size(run(text, bindings))

            medians[engine], answers = _median_ms(once, args.repeat)
            sizes.add(answers)
            totals[engine] += medians[engine]
        answers = sizes.pop() if len(sizes) == 1 else f"DIFFER {sorted(sizes)}"
        ratio = medians["rdflib"] / max(medians["pyoxigraph"], 1e-3)
        cells = [name, str(answers), *(f"{medians[e]:.1f}" for e in engines), _ratio(ratio)]
        print("| " + " | ".join(cells) + " |", flush=True)
    ratio = totals["rdflib"] / max(totals["pyoxigraph"], 1e-3)
    print("| **all queries (sum of medians)** | | " + " | ".join(f"{totals[e]:.1f}" for e in engines)
          + f" | {_ratio(ratio)} |")
    print("\nLoading the graph (seconds):\n")
    print("| how | rdflib | pyoxigraph |")
    print("| --- | ---: | ---: |")
    for how, load in loads.items():
        print(f"| {how} | " + " | ".join(f"{load[e]:.2f}" for e in ("rdflib", "oxigraph")) + " |")
    return 0


def _ratio(ratio: float) -> str:
    if ratio >= 10:
        return f"{ratio:.0f}×"
    if ratio >= 1:
        return f"{ratio:.1f}×"
    return f"{ratio:.2f}×" if ratio >= 0.01 else "<0.01×"


def _seconds(make: Callable[[], object]) -> float:
    start = time.perf_counter()
    make()
    return time.perf_counter() - start


if __name__ == "__main__":
    sys.exit(main())
