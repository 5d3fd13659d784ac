"""Validation speed as the graph grows: pySHACL (inference none and rdfs) against the fast engine.

Graphs of the wanted sizes are synthesised from the default build (scope ``nmd``, ~250,000 triples) or,
below its size, from the article graph: each disorder and the associations whose subject it is (its
"block") are copied under fresh IRIs, with a fresh identifier (``ORPHA:9xxxxxxx``) and a label marked
``(copy n)``, so that every copy conforms like the original (only disorders with findings of their own are
copied, and no central nervous system disorder, whose classification claims carry corrections). The copies
share the phenotypes, genes and
sources of the original, as new diseases of a larger HPO release would.

Measured per size, each in this one process (times in seconds; ratio = time / time at the smallest size):

* ``pyshacl none`` / ``pyshacl rdfs``: pySHACL with the shapes alone, on an rdflib graph (its parse excluded);
* ``core``: the fast engine's SHACL Core compiler on the same shapes;
* ``checks ox``: the SPARQL checks on Oxigraph (loading the store included);
* ``fast total``: ``validate_graph(triples, engine="fast")`` on the build's canonical N-Triples, as
  ``nmdkg build`` runs it (term table, core, checks, report);
* ``checks rdflib`` (with ``--rdflib-checks``): the checks on rdflib's SPARQL engine.

Usage::

    python benchmarks/bench_validation.py                        # 10k, 100k, 300k triples
    python benchmarks/bench_validation.py --full                 # and 2.8 million (full-HPO scale)
    python benchmarks/bench_validation.py --sizes 50000 --pyshacl-max 100000 --no-rdfs

This is a benchmark, not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections import defaultdict
from collections.abc import Callable

from nmdkg.core.ntriples import NTriple

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
IDENTIFIER = "<http://purl.org/dc/terms/identifier>"
SUBJECT = "<https://w3id.org/biolink/vocab/subject>"
HAS_PHENOTYPE = "<https://w3id.org/nmdkg/ontology/hasPhenotype>"
VOCAB = "https://w3id.org/nmdkg/ontology/"
ORPHA = "http://www.orpha.net/ORDO/Orphanet_"
DISORDER_CLASSES = {f"<{VOCAB}{name}>" for name in (
    "Disorder", "NeuromuscularDisorder", "MuscularDystrophy", "MotorNeuronDisease",
    "NeuromuscularJunctionDisorder", "PeripheralNeuropathy", "Polyradiculoneuropathy")}
CNS = f"<{VOCAB}CentralNervousSystemDisorder>"


def blocks(triples: list[NTriple]) -> list[list[NTriple]]:
    """Per copyable disorder: its own triples and those of the associations whose subject it is."""
    by_subject: dict[str, list[NTriple]] = defaultdict(list)
    for triple in triples:
        by_subject[triple[0]].append(triple)
    typed = {s for s, p, o in triples if p == RDF_TYPE and o in DISORDER_CLASSES}
    central = {s for s, p, o in triples if p == RDF_TYPE and o == CNS}
    associations: dict[str, list[str]] = defaultdict(list)
    for s, p, o in triples:
        if p == SUBJECT:
            associations[o].append(s)
    with_findings = {s for s, p, _ in triples if p == HAS_PHENOTYPE}
    return [by_subject[d] + [t for a in associations[d] for t in by_subject[a]]
            for d in sorted((typed & with_findings) - central)]


def copy_block(block: list[NTriple], disorder: str, number: int, copy: int) -> list[NTriple]:
    """``block`` under fresh IRIs: the disorder becomes ORPHA:9xxxxxxx, each association gets a suffix."""
    local = 90_000_000 + number
    renamed = {disorder: f"<{ORPHA}{local}>"}
    for s, _, _ in block:
        if s != disorder:
            renamed[s] = f"{s[:-1]}-copy{copy}>"
    out = []
    for s, p, o in block:
        if s == disorder and p == LABEL:
            o = o.replace('"@', f' (copy {number})"@', 1)
        elif s == disorder and p == IDENTIFIER:
            o = f'"ORPHA:{local}"'
        out.append((renamed.get(s, s), p, renamed.get(o, o)))
    return out


def synthesise(base: list[NTriple], size: int) -> list[NTriple]:
    """``base`` plus copies of its disorder blocks, until the graph has about ``size`` triples."""
    result = set(base)
    if len(result) >= size:
        return sorted(result)
    parts = blocks(base)
    number = 0
    copy = 0
    while len(result) < size:
        copy += 1
        for block in parts:
            number += 1
            result.update(copy_block(block, block[0][0], number, copy))
            if len(result) >= size:
                break
    return sorted(result)


def timed(function: Callable[[], object]) -> tuple[float, object]:
    gc.collect()
    start = time.perf_counter()
    value = function()
    return time.perf_counter() - start, value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000,300000", help="comma-separated triple counts")
    parser.add_argument("--full", action="store_true", help="also 2,800,000 triples (full-HPO scale)")
    parser.add_argument("--pyshacl-max", type=int, default=400_000,
                        help="run pySHACL only up to this many triples (default 400000)")
    parser.add_argument("--no-rdfs", action="store_true", help="skip pySHACL with RDFS inference")
    parser.add_argument("--rdflib-checks", type=int, default=0, metavar="MAX",
                        help="also time the checks on rdflib's SPARQL engine up to MAX triples (slow)")
    args = parser.parse_args(argv)
    sizes = sorted({int(s) for s in args.sizes.split(",") if s} | ({2_800_000} if args.full else set()))

    from rdflib import Graph

    from nmdkg.build.graph import build_canonical
    from nmdkg.core.ntriples import lines
    from nmdkg.curated.tables import load_curated
    from nmdkg.validate.checks import check_results, load_checks
    from nmdkg.validate.data import TermTable
    from nmdkg.validate.engine import CoreEngine
    from nmdkg.validate.shapes import default_shapes, validate_graph

    curated = load_curated()
    article = build_canonical(curated, scope="article")
    default = build_canonical(curated, scope="nmd")
    shapes, checks = default_shapes(), load_checks()
    engine = CoreEngine.compile(shapes)
    columns = ["pyshacl none", "pyshacl rdfs", "core", "checks ox", "fast total", "checks rdflib"]
    rows: list[tuple[int, dict[str, float | None]]] = []
    print(f"article graph {len(article):,} triples, default build {len(default):,} triples", file=sys.stderr)
    for size in sizes:
        triples = synthesise(article if size < len(default) else default, size)
        table = TermTable(triples)
        times: dict[str, float | None] = dict.fromkeys(columns)
        times["core"], _ = timed(lambda table=table: engine.validate(table))
        times["checks ox"], _ = timed(lambda table=table: check_results(table, checks, "oxigraph"))
        times["fast total"], result = timed(lambda triples=triples: validate_graph(triples, engine="fast"))
        verdict = "conforms" if result.conforms else f"{len(result.violations)} violations"
        if len(triples) <= max(args.pyshacl_max, args.rdflib_checks):
            import pyshacl

            graph = Graph(bind_namespaces="none")
            graph.parse(data=lines(triples), format="nt")
            if len(triples) <= args.pyshacl_max:
                for inference in ("none", "rdfs"):
                    if inference == "rdfs" and args.no_rdfs:
                        continue
                    times[f"pyshacl {inference}"], _ = timed(
                        lambda graph=graph, inference=inference: pyshacl.validate(
                            graph, shacl_graph=shapes, inference=inference, allow_warnings=True))
            if len(triples) <= args.rdflib_checks:
                times["checks rdflib"], _ = timed(lambda graph=graph: check_results(graph, checks, "rdflib"))
            del graph
        rows.append((len(triples), times))
        done = ", ".join(f"{k} {v:.1f}s" for k, v in times.items() if v is not None)
        print(f"{len(triples):>10,} triples ({verdict}): {done}", file=sys.stderr)
    print_table(rows, columns)
    return 0


def print_table(rows: list[tuple[int, dict[str, float | None]]], columns: list[str]) -> None:
    shown = [c for c in columns if any(times[c] is not None for _, times in rows)]
    first = {c: next((times[c] for _, times in rows if times[c]), None) for c in shown}
    print("| triples | " + " | ".join(shown) + " |")
    print("| ---: | " + " | ".join("---:" for _ in shown) + " |")
    for size, times in rows:
        cells = []
        for c in shown:
            value = times[c]
            cells.append("-" if value is None else f"{value:.2f} s (x{value / first[c]:.1f})")
        print(f"| {size:,} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    sys.exit(main())
