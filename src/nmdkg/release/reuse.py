"""Which graph a reading command uses, and what it reuses of a build.

``query``, ``validate``, ``export``, ``analyze`` and ``diagnose`` read the graph from the files given
(``--data``; a build folder given there counts as a build), else from the build of the output folder -- a
build when it is current with the curated tables, the upstream slices and the package
(``nmdkg.release.manifest``), with the structures it saved beside it: the on-disk query store and the
diagnosis ranker (``nmdkg.release.cache``) -- else from the graph built in memory from the curated tables.
``serve`` and ``push`` send the build as it is, and say whether it is
current. Each function says on ``say`` which graph it uses and why, the command line's progress channel.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from nmdkg.release import manifest

Say = Callable[[str], None]


def current_build(out: Path, curated: Path | None = None, scope: str | None = None, *,
                  say: Say) -> manifest.Status | None:
    """The build in ``out`` when it is current for the curated tables and ``scope`` (None: any scope), else
    None; says which build is used, or why it is not."""
    status = manifest.check(out, curated=curated, scope=scope)
    if status.current:
        say(f"using the build in {out}/ (scope {status.scope}, current with the curated tables; `--data` or "
            "`nmdkg build` to choose another)")
        return status
    if status.exists:
        state = "is of another scope" if status.reason.startswith("built at scope") else "is stale"
        say(f"the build in {out}/ {state} ({status.reason}): building the graph anew in memory (`nmdkg build` "
            "refreshes it)")
    return None


def given_build(path: Path, curated: Path | None = None, *, say: Say) -> manifest.Status | None:
    """``--data`` naming a build folder: that build, with the structures saved beside it, when it is current
    (whatever its scope); else None, and its ``nmdkg.nt`` is read as any RDF file is."""
    if not path.is_dir():
        return None
    status = manifest.check(path, curated=curated, scope=None)
    if status.current:
        say(f"using the build in {path}/ (scope {status.scope}, current with the curated tables)")
        return status
    if status.exists:
        say(f"the build in {path}/ is stale ({status.reason}): reading its nmdkg.nt without the structures "
            f"saved beside it (`nmdkg build --out {path}` refreshes it)")
    return None


def say_build_in_use(out: Path, say: Say) -> None:
    """For serve and push, which send the build of ``out`` as it is: say whether it is current."""
    status = manifest.check(out, scope=None)
    if status.current:
        say(f"using the build in {out}/ (scope {status.scope}, current)")
    elif status.exists:
        say(f"warning: the build in {out}/ is stale ({status.reason}); `nmdkg build` refreshes it")


def query_store(data: tuple[Path, ...], engine: str, build: manifest.Status | None, say: Say):
    """The store a query runs on: the RDF files of ``data`` (a build folder stands for its nmdkg.nt), the
    current ``build`` (its on-disk store with Oxigraph), or the graph built from the curated tables."""
    from nmdkg.core.paths import build_file
    from nmdkg.store import Store

    if data:  # the store tells a missing or unknown file
        return Store.from_files([build_file(p) if p.is_dir() else p for p in data], engine=engine)
    if build is not None:
        from nmdkg.release.cache import open_query_store

        opened = open_query_store(build) if engine == "oxigraph" else None
        return Store.from_oxigraph(opened) if opened is not None else Store.from_files([build.graph], engine=engine)
    say("building the graph from the curated tables (`nmdkg build` once makes every query fast)")
    if engine == "rdflib":
        from nmdkg.build.graph import build_graph

        return Store.from_graph(build_graph(), engine=engine)
    from nmdkg.build.graph import build_canonical
    from nmdkg.core.ntriples import lines

    return Store.from_ntriples(lines(build_canonical()), engine=engine)  # the build's fast path


def graph_to_validate(files: tuple[Path, ...], build: manifest.Status | None, curated: Path | None, scope: str,
                      say: Say) -> Any:
    """What ``validate`` checks: the union of ``files`` (an rdflib graph), the current ``build``'s triples,
    or the graph built from the curated tables (canonical triples)."""
    if files:
        from nmdkg.core.rdf_read import read_rdf

        for file in files:  # a large file takes seconds to parse: say so (small ones are read at once)
            if file.is_file() and file.stat().st_size > 1_000_000:
                say(f"reading {file} ({file.stat().st_size / 1e6:.1f} MB)")
        return read_rdf(files)
    if build is not None:
        return manifest.read_canonical(build.graph)
    from nmdkg.build.graph import build_canonical
    from nmdkg.curated.tables import load_curated

    say(f"building the graph (scope {scope})")
    return build_canonical(load_curated(curated), scope=scope)


def phenotype_source(graph_file: Path | None, curated: Path | None, scope: str, build: manifest.Status | None,
                     say: Say):
    """What analyze and diagnose read by SPARQL: ``graph_file`` (a file or build folder), the current
    ``build`` (its on-disk store), or the N-Triples lines of the graph built in memory."""
    from nmdkg.core.paths import build_file

    if graph_file is not None:
        graph_file = build_file(graph_file, datasets=True)  # read whole into Oxigraph (nmdkg.analysis.network)
        say(f"reading {graph_file}")
        return graph_file
    if build is not None:
        from nmdkg.release.cache import open_query_store

        return open_query_store(build) or build.graph
    from nmdkg.build.graph import build_canonical
    from nmdkg.core.ntriples import lines
    from nmdkg.curated.tables import load_curated

    say(f"building the graph (scope {scope})")
    return lines(build_canonical(load_curated(curated), scope=scope, progress=lambda m: say(f"      {m}")))


def network_source(graph_file: Path | None, curated: Path | None, scope: str, build: manifest.Status | None,
                   say: Say):
    """What analyze reads: the network the current ``build`` saved beside its graph
    (``nmdkg.release.cache.load_network``, a ``PhenotypeData``) when there is one, else
    :func:`phenotype_source`."""
    if graph_file is None and build is not None:
        from nmdkg.release.cache import load_network

        data = load_network(build)
        if data is not None:
            say(f"      the disorder-phenotype network of this build, from {build.folder}/cache/")
            return data
    return phenotype_source(graph_file, curated, scope, build, say)


def cached_ranker(build: manifest.Status | None, say: Say):
    """The diagnosis ranker saved for the current ``build``, or None."""
    if build is None:
        return None
    from nmdkg.release.cache import load_ranker

    ranker = load_ranker(build)
    if ranker is not None:
        say(f"      the ranker of this build, from {build.folder}/cache/ranker/")
    return ranker


def new_ranker(source, build: manifest.Status | None, say: Say):
    """A ranker computed from ``source``, saved for the next command when it comes from the current build."""
    from nmdkg.diagnose import ranker as dx

    ranker = dx.Ranker.from_graph(source, progress=lambda m: say(f"      {m}"))
    if build is not None:
        from nmdkg.release.cache import save_ranker

        say(f"      saving the ranker to {save_ranker(build, ranker)} (once per build)")
    return ranker
