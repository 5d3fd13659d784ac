"""The build pipeline: curated tables -> graph -> validation -> files, as ``nmdkg build`` runs it.

:func:`build_release` is the whole of ``nmdkg build``: read and check the curated tables, build the graph
of the scope and validate it (SHACL shapes and SPARQL checks) while a thread loads the query store; once the
graph conforms, child processes write the exports while the build computes the network and the diagnosis
ranker; then the counts per node and edge kind (``describe/``), the identifier mappings (SSSOM) and the
dataset description (VoID), and, last, the query store, the checked queries and the manifest that make the
build current for the other commands. :func:`write_release` is the part from a graph on, for a graph made
elsewhere (the Python API): the same validation and the same files, without the build cache.

The order keeps both cores busy at full-HPO scale: validation (the compiled engine in Python, the checks
and the store in Oxigraph's threads) and then the exports (two processes) beside the network and ranker
(Python and NumPy); with the exports beside validation, three Oxigraph threads, two processes and the
engine shared two cores, and the network and ranker then ran alone.

Nothing is written when the tables hold a defect (``DataError``) or the graph does not conform
(:class:`~nmdkg.validate.shapes.NonConformingGraph`): every file is staged and renamed into place only once
the graph is known to conform. ``progress`` receives the steps (``[1/4] reading curated tables`` ...);
``show`` the validation report's text when it holds results (warnings, or the violations that stop the build).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from nmdkg.core.gcpause import paused
from nmdkg.core.ntriples import NTriple, canonical

Say = Callable[[str], None]
STEPS = 4


def _quiet(message: str) -> None:
    """The default callback: says nothing."""


@dataclass(frozen=True)
class Release:
    """What a build wrote: the folder, the number of triples, the export files (in the order of
    ``BUILD_FORMATS``), every file committed, and the counts per node kind and per edge kind."""

    out: Path
    triples: int
    exports: list[Path]
    committed: list[Path]
    nodes: list[tuple[str, int]]
    edges: list[tuple[str, int]]


def read_and_build(curated: Path | None = None, scope: str = "nmd", progress: Say = _quiet,
                   steps: int = STEPS) -> tuple[list[NTriple], bytes]:
    """The first steps of a build: read and check the curated tables, build the graph. Returns the
    canonical triples and their N-Triples text (shared by the checks and the writers)."""
    from nmdkg.build.graph import build_canonical
    from nmdkg.core.ntriples import lines
    from nmdkg.curated.tables import load_curated

    progress(f"[1/{steps}] reading curated tables")
    tables = load_curated(curated)
    progress(f"[2/{steps}] building the graph (scope {scope})")
    graph = build_canonical(tables, scope=scope, progress=lambda message: progress(f"      {message}"))
    return graph, lines(graph)


def check(graph: Graph | list[NTriple], document: bytes | None = None, show: Say = _quiet) -> None:
    """The build's validation step: the report's text goes to ``show`` when it holds results; violations
    raise :class:`~nmdkg.validate.shapes.NonConformingGraph` (exit code 1)."""
    from nmdkg.validate.report import format_text
    from nmdkg.validate.shapes import NonConformingGraph, validate_graph

    result = validate_graph(graph, ntriples=document)
    if result.results:
        show(format_text(result))
    if not result.conforms:
        raise NonConformingGraph(f"the graph does not conform to the shapes and checks "
                                 f"({len(result.violations)} violations, listed above); nothing was written")


@paused()
def write_release(graph: Graph | list[NTriple], out: Path | str, *, document: bytes | None = None,
                  progress: Say = _quiet, show: Say = _quiet, steps: int = STEPS,
                  meanwhile: Callable[[Path], None] | None = None) -> Release:
    """Validate ``graph`` and write what a build writes into ``out``: Turtle, JSON-LD and N-Triples,
    ``describe/node-kinds.tsv`` and ``describe/edge-kinds.tsv``, ``nmdkg.sssom.tsv`` and ``void.ttl``.
    All or nothing: nothing is written unless the graph conforms, and the files are staged and renamed into
    place together. ``document``, when given, is the N-Triples text of ``graph``
    (``nmdkg.core.ntriples.lines``). ``meanwhile``, when given, is called with the staged N-Triples file once
    the graph conforms, while child processes write the other exports (``nmdkg build`` computes the network
    and the ranker then)."""
    from nmdkg.core.io import StagedFiles
    from nmdkg.export import describe
    from nmdkg.export.rdf import BUILD_FORMATS, StagedExports

    out = Path(out)
    triples = canonical(graph) if isinstance(graph, Graph) else graph
    progress(f"[3/{steps}] validating {len(triples):,} triples against the shapes and checks")
    check(triples, document, show)
    progress(f"[4/{steps}] writing to {out}/ ({', '.join(BUILD_FORMATS)}, the counts, SSSOM and VoID)")
    # The exports are written under temporary names (Turtle and JSON-LD by child processes) and renamed
    # into place with the other files.
    from nmdkg import __version__
    from nmdkg.export import sssom

    (out / "manifest.json").unlink(missing_ok=True)  # the old build's manifest must not outlive it
    with StagedFiles() as staged:
        exports = StagedExports(triples, out, staged, BUILD_FORMATS, ntriples=document)
        try:
            if meanwhile is not None:
                meanwhile(staged.pending()[exports.targets["nt"]])
            nodes, edges = describe.node_counts(triples), describe.edge_counts(triples)
            staged.write(out / "describe" / "node-kinds.tsv", describe.as_tsv(nodes, ("kind", "nodes")))
            staged.write(out / "describe" / "edge-kinds.tsv", describe.as_tsv(edges, ("kind", "edges")))
            sssom.write(triples, out / "nmdkg.sssom.tsv", __version__, staged)
            written = exports.finish()
        finally:
            exports.stop()
        _write_dataset_description(triples, out, staged)
        committed = staged.commit()
    return Release(out, len(triples), written, committed, nodes, edges)


def _write_dataset_description(triples: list[NTriple], out: Path, staged) -> None:
    """The dataset description (VoID/HCLS) of every file staged so far."""
    from nmdkg import __version__
    from nmdkg.export import void

    written = {target.relative_to(out).as_posix(): tmp for target, tmp in staged.pending().items()
               if target.is_relative_to(out)}
    staged.write(out / "void.ttl", void.turtle(void.describe(triples, __version__, written)))


@paused()
def build_release(out: Path | str | None = None, curated: Path | None = None, scope: str = "nmd", *,
                  progress: Say = _quiet, show: Say = _quiet) -> Release:
    """``nmdkg build``: the graph of ``scope`` from the curated tables, validated and written to ``out``
    (default ``output/``) with its describe tables, SSSOM and VoID (:func:`write_release`), then the query
    store, the checked queries and, last, the manifest that makes the build current for the other commands
    (``nmdkg.release.manifest``, ``nmdkg.release.cache``)."""
    from nmdkg.analysis.network import TriplesSource
    from nmdkg.core.io import sha256_of
    from nmdkg.core.paths import DEFAULT_OUT
    from nmdkg.release import cache, manifest

    out = Path(out) if out is not None else DEFAULT_OUT
    graph, document = read_and_build(curated, scope, progress)
    derived: list[Path] = []

    def network_and_ranker(ntriples: Path) -> None:
        """The network and the ranker, read from the build's triples in one pass for both (while the
        exports are written); their files count only once the manifest lists them."""
        source = TriplesSource(graph)
        network, data = cache.write_network(out, source, progress=lambda m: progress(f"      {m}"),
                                            graph_sha256=sha256_of(ntriples))
        ranker = cache.write_ranker(out, progress=lambda m: progress(f"      {m}"), data=data, source=source)
        derived.extend([*network, *ranker])

    with cache.QueryStoreLoad(out, document, len(graph)) as store:  # filled while the graph is validated
        release = write_release(graph, out, document=document, progress=progress, show=show,
                                meanwhile=network_and_ranker)
        store.commit(progress=lambda m: progress(f"      {m}"))
    checked = cache.write_checked_queries(out)
    manifest.write(out, scope, curated, [*release.committed, checked, *derived])
    return release


@paused()
def validated_graph(curated: Path | None = None, scope: str = "nmd", *, progress: Say = _quiet,
                    show: Say = _quiet, steps: int = STEPS) -> list[NTriple]:
    """The graph of ``scope`` from the curated tables, validated as ``nmdkg build`` validates it (steps 1 to
    3 of ``steps``); raises before anything is written when the tables or the graph are bad."""
    graph, document = read_and_build(curated, scope, progress, steps)
    progress(f"[3/{steps}] validating {len(graph):,} triples against the shapes and checks")
    check(graph, document, show)
    return graph


def export_format(fmt: str, out: Path, curated: Path | None = None, scope: str = "nmd", *, build=None,
                  progress: Say = _quiet, show: Say = _quiet) -> str:
    """``nmdkg export``: the graph in one format (``nmdkg.export.rdf.FORMATS``, ``kgx`` or ``sssom``), written
    into ``out`` (a folder, or a file path) from the current build ``build`` (``nmdkg.release.manifest.Status``)
    when there is one, else from the curated tables, validated first. Returns the line that says what was
    written. ``ValueError`` for an unknown format."""
    from nmdkg import __version__
    from nmdkg.core.io import write_bytes_atomic
    from nmdkg.export.rdf import resolve_format, serialize

    name = fmt.lower()
    if name in ("kgx", "sssom"):
        if build is not None:  # the build's triples, validated when it was built
            from nmdkg.release.manifest import read_canonical

            progress(f"reading {build.graph}")
            graph = read_canonical(build.graph)
            progress(f"writing {name} to {out}")
        else:
            graph = validated_graph(curated, scope, progress=progress, show=show)
            progress(f"[4/{STEPS}] writing {name} to {out}")
        if name == "kgx":
            from nmdkg.export import kgx

            written = kgx.write(graph, out / "kgx", __version__)
        else:
            from nmdkg.export import sssom

            target = out if out.suffix else out / "nmdkg.sssom.tsv"
            written = [sssom.write(graph, target, __version__)]
        return f"{len(graph)} triples written as {name} to {', '.join(map(str, written))}"
    chosen = resolve_format(fmt)
    target = out if out.suffix else out / f"nmdkg.{chosen.extension}"
    if build is not None:
        return _export_from_build(build, chosen, target, progress)
    graph = validated_graph(curated, scope, progress=progress, show=show)
    progress(f"[4/{STEPS}] writing {target}")
    write_bytes_atomic(target, serialize(graph, chosen))
    return f"{len(graph)} triples written to {target}"


def export_target(fmt: str, out: Path) -> Path:
    """The file ``export_format`` writes for an RDF format (``ValueError`` for an unknown one)."""
    from nmdkg.export.rdf import resolve_format

    chosen = resolve_format(fmt)
    return out if out.suffix else out / f"nmdkg.{chosen.extension}"


def _export_from_build(build, chosen, target: Path, progress: Say) -> str:
    """`export` from a current build (validated when it was built): a file the build wrote is copied, any
    other format is written from the build's N-Triples."""
    from nmdkg.core.io import write_bytes_atomic
    from nmdkg.export.rdf import BUILD_FORMATS, serialize
    from nmdkg.release.manifest import read_canonical

    written = build.folder / f"nmdkg.{chosen.extension}"
    if chosen.name in BUILD_FORMATS and written.is_file():
        if target.resolve() == written.resolve():
            return f"{target} is the build's own file, already current"
        progress(f"copying {written} to {target}")
        payload = written.read_bytes()
    else:
        progress(f"reading {build.graph}")
        triples = read_canonical(build.graph)
        progress(f"writing {len(triples):,} triples to {target} ({chosen.label})")
        payload = serialize(triples, chosen)
    write_bytes_atomic(target, payload)
    return f"{target} written from the build in {build.folder}/"
