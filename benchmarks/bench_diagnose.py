"""Diagnostic benchmark of ``nmdkg diagnose``: simulated patients, as in Köhler et al. 2009.

For research and education only; a simulation, not a clinical validation.

Usage::

    python benchmarks/bench_diagnose.py [--scope nmd|all] [--graph FILE] [--patients-per-disease N]
                                        [--seed S] [--terms K]

The protocol (Köhler S et al., Am J Hum Genet 2009;85:457-464; Masino AJ et al., BMC Bioinformatics
2014;15:248), with every random choice drawn from one seeded ``numpy.random.default_rng``:

* **clean**: for each annotated disease of the graph with at least ``--terms`` (default 5) positive
  phenotype annotations, a patient is ``--terms`` of them drawn at random without replacement (uniformly:
  the published protocol does not weigh by frequency);
* **noise**: the clean patient plus half as many (rounded up) random *unrelated* terms: terms annotated to
  some disease of the scope that are neither one of the disease's terms nor an ancestor or descendant of
  one;
* **imprecision**: each term of the clean patient replaced by one of its parents (drawn at random), unless
  that parent is *Phenotypic abnormality* or one of its direct children (an organ system), in which case
  the term stays;
* **noise + imprecision**: the imprecise patient plus the noise terms.

For each patient the rank of the true disease among all annotated diseases of the graph is recorded for
our ranking (:class:`nmdkg.diagnose.ranker.Ranker`) and for a plain **term-overlap baseline** (the number of
patient terms the disease is annotated with exactly). Ties count as the mean of the tied positions (a
tie of the true disease with 9 others at the top is rank 5.5). The script prints a Markdown table with
top-1, top-10 and the median rank per variant, next to the published figures on this protocol: median
rank 1 / 1 / 12 / 60 (Masino et al. 2014, Phenomizer-style Resnik similarity over all OMIM diseases)
and top-1 93.7 / 93.6 / 39.8 / 33.6 % (RelativeBestPair, Gong et al. 2018). Those were measured over all
OMIM diseases with the HPO of their time; ours ranks among the diseases of the chosen scope.

The graph is built in memory (``build_graph(scope=...)``) or read from ``--graph FILE`` (a build output);
the ranking reads it by SPARQL, as ``nmdkg diagnose`` does.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass

import numpy as np

VARIANTS = ("clean", "noise", "imprecision", "noise + imprecision")
PUBLISHED_MEDIAN = {"clean": "1", "noise": "1", "imprecision": "12", "noise + imprecision": "60"}
PUBLISHED_TOP1 = {"clean": "93.7 %", "noise": "93.6 %", "imprecision": "39.8 %",
                  "noise + imprecision": "33.6 %"}
PHENOTYPIC_ABNORMALITY = "HP:0000118"


@dataclass
class Patient:
    disease: int
    variant: str
    terms: tuple[str, ...]


def simulate(ranker, rng: np.random.Generator, per_disease: int, n_terms: int,
             sampling: str = "uniform") -> list[Patient]:
    """The simulated patients of every variant, in a reproducible order."""
    terms = ranker.terms
    parents = ranker.data.parents
    organ_systems = {t for t, ps in parents.items() if PHENOTYPIC_ABNORMALITY in ps}
    organ_systems.add(PHENOTYPIC_ABNORMALITY)
    ancestors = {t: set(ranker.ancestors_of(t).tolist()) for t in terms}
    descendants: dict[int, set[int]] = {}
    for t, anc in ancestors.items():
        for a in anc:
            descendants.setdefault(a, set()).add(ranker.column[t])
    annotated = sorted({terms[u] for annotations in ranker.annotations for u, _ in annotations})
    patients: list[Patient] = []
    for d, annotated_terms in enumerate(ranker.annotations):
        own = sorted(terms[u] for u, _ in annotated_terms)
        frequency = {terms[u]: (0.5 if f is None else f) for u, f in annotated_terms}
        weights = np.array([frequency[t] for t in own]) if sampling == "frequency" else np.ones(len(own))
        if np.count_nonzero(weights) < n_terms:
            continue
        related: set[int] = set()
        for t in own:
            related |= ancestors[t] | descendants.get(ranker.column[t], set())
        unrelated = [t for t in annotated if ranker.column[t] not in related]
        for _ in range(per_disease):
            clean = tuple(rng.choice(own, size=n_terms, replace=False, p=weights / weights.sum()).tolist())
            n_noise = -(-n_terms // 2)
            noise = tuple(rng.choice(unrelated, size=min(n_noise, len(unrelated)), replace=False).tolist())
            imprecise = []
            for t in clean:
                options = sorted(p for p in parents.get(t, ()) if p not in organ_systems)
                imprecise.append(options[rng.integers(len(options))] if options else t)
            imprecise_terms = tuple(dict.fromkeys(imprecise))
            patients += [Patient(d, "clean", clean), Patient(d, "noise", clean + noise),
                         Patient(d, "imprecision", imprecise_terms),
                         Patient(d, "noise + imprecision", imprecise_terms + noise)]
    return patients


def rank_of(scores: np.ndarray, truth: int) -> float:
    """1-based rank of ``truth``, ties counted as the mean of the tied positions."""
    value = scores[truth]
    higher = int(np.sum(scores > value + 1e-9))
    tied = int(np.sum(np.abs(scores - value) <= 1e-9)) - 1
    return 1 + higher + tied / 2


def overlap_scores(ranker, terms: tuple[str, ...]) -> np.ndarray:
    """The baseline: how many of the patient's terms each disease is annotated with exactly."""
    columns = [ranker.column[t] for t in terms if t in ranker.column]
    if not columns:
        return np.zeros(len(ranker.diseases))
    return np.asarray(ranker.X[:, columns].sum(axis=1)).ravel()


def summarise(ranks: list[float]) -> tuple[float, float, float]:
    r = np.array(ranks)
    return float(np.mean(r <= 1)), float(np.mean(r <= 10)), float(np.median(r))


def run(ranker, patients: list[Patient]) -> dict[str, dict[str, list[float]]]:
    out: dict[str, dict[str, list[float]]] = {v: {"ours": [], "overlap": []} for v in VARIANTS}
    for p in patients:
        out[p.variant]["ours"].append(rank_of(ranker.scores(p.terms), p.disease))
        out[p.variant]["overlap"].append(rank_of(overlap_scores(ranker, p.terms), p.disease))
    return out


def table(results: dict[str, dict[str, list[float]]], n_diseases: int) -> str:
    lines = [
        ("| variant | ours top-1 | ours top-10 | ours median rank | overlap top-1 | overlap top-10 | "
         "overlap median rank | published median rank (Masino 2014) | published top-1 (RelativeBestPair) |"),
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for variant in VARIANTS:
        o1, o10, om = summarise(results[variant]["ours"])
        b1, b10, bm = summarise(results[variant]["overlap"])
        lines.append(f"| {variant} | {o1:.1%} | {o10:.1%} | {om:g} | {b1:.1%} | {b10:.1%} | {bm:g} | "
                     f"{PUBLISHED_MEDIAN[variant]} | {PUBLISHED_TOP1[variant]} |")
    lines.append("")
    lines.append(f"Ranked among {n_diseases} annotated diseases; "
                 f"{len(results['clean']['ours'])} simulated patients per variant.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scope", choices=("nmd", "all"), default="nmd")
    parser.add_argument("--graph", help="read this graph file (a build output) instead of building in memory")
    parser.add_argument("--patients-per-disease", type=int, default=1)
    parser.add_argument("--terms", type=int, default=5, help="phenotypes per clean patient")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sampling", choices=("uniform", "frequency"), default="uniform",
                        help="draw a disease's phenotypes uniformly (the published protocol) or in "
                             "proportion to their annotated frequency (unknown: 50 %%)")
    args = parser.parse_args(argv)

    from nmdkg.diagnose.ranker import Ranker

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    start = time.perf_counter()
    if args.graph:
        source = args.graph
    else:
        from nmdkg.build.graph import build_graph
        from nmdkg.curated.tables import load_curated

        say(f"building the graph (scope {args.scope})")
        source = build_graph(load_curated(), scope=args.scope)
    say(f"      {time.perf_counter() - start:.1f} s; reading it by SPARQL and preparing the ranker")
    t = time.perf_counter()
    ranker = Ranker.from_graph(source)
    say(f"      {time.perf_counter() - t:.1f} s; simulating patients (seed {args.seed})")
    patients = simulate(ranker, np.random.default_rng(args.seed), args.patients_per_disease, args.terms,
                        args.sampling)
    t = time.perf_counter()
    results = run(ranker, patients)
    elapsed = time.perf_counter() - t
    say(f"      ranked {len(patients)} patients twice in {elapsed:.1f} s "
        f"({1000 * elapsed / max(len(patients), 1) / 2:.2f} ms per patient and method)")
    print(table(results, len(ranker.diseases)))
    graph = f" --graph {args.graph}" if args.graph else ""
    print(f"\n`python benchmarks/bench_diagnose.py --scope {args.scope}{graph} --patients-per-disease "
          f"{args.patients_per_disease} --terms {args.terms} --seed {args.seed} --sampling {args.sampling}`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
