"""The ``nmdkg`` command line.

Every command shares option names (``--out``, ``--format``, ``--data``) and exit codes: 0 success,
1 the data does not conform or a build failed on bad data, 2 usage error or unreadable input.
Heavy imports happen inside the commands, so ``nmdkg --help`` is instant.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from nmdkg.core.errors import EXIT_OK, EXIT_USAGE, NmdkgError


def _out_option(default_help: str):
    return click.option("--out", "out", type=click.Path(path_type=Path), default=None,
                        help=f"Output folder. {default_help}")


def _curated_option(flag: str = "--data"):
    """The curated tables a build reads: ``--data`` where they are the command's input (build, export),
    ``--curated`` where ``--data`` names a built graph (analyze, diagnose)."""
    return click.option(flag, "curated", type=click.Path(path_type=Path), default=None,
                        help="Folder of curated source tables (default: the project's data/curated).")


def _scope_option():
    return click.option("--scope", type=click.Choice(["article", "nmd", "all"]), default="nmd", show_default=True,
                        help="article: the curated article facts only; nmd: plus every neuromuscular disease of "
                             "the HPO annotations; all: plus every disease of the HPO annotations.")


def _progress(message: str) -> None:
    click.echo(message, err=True)


def _show(text: str) -> None:
    """A validation report's text, on standard error."""
    click.echo(text, err=True, nl=False)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="nmdkg", prog_name="nmdkg")
def cli() -> None:
    """nmdkg: the open knowledge graph of neuromuscular disorders.

    For research and education only; not for clinical decisions.
    """


@cli.command()
@_out_option("Default: output/")
@_curated_option()
@_scope_option()
def build(out: Path | None, curated: Path | None, scope: str) -> None:
    """Build the graph from the curated tables and write Turtle, JSON-LD and N-Triples.

    Nothing is written when the tables hold a defect: the defects are listed with file, line and column.
    """
    from nmdkg.core.paths import DEFAULT_OUT
    from nmdkg.release.pipeline import build_release

    out = out or DEFAULT_OUT
    _check_writable(out, "--out")
    release = build_release(out, curated, scope, progress=_progress, show=_show)
    click.echo(f"{release.triples} triples written to {out}/ ({', '.join(path.name for path in release.exports)})")
    click.echo("\nNodes per kind:")
    for kind, count in release.nodes:
        click.echo(f"  {kind:<45} {count:>7}")
    click.echo("Edges per kind:")
    for kind, count in release.edges:
        click.echo(f"  {kind:<45} {count:>7}")


def _current_build(curated: Path | None = None, scope: str | None = None):
    """The build of the default output folder when it is current (``nmdkg.release.reuse.current_build``); a
    ``--scope`` left at its default takes the build's scope."""
    from nmdkg.core.paths import DEFAULT_OUT
    from nmdkg.release.reuse import current_build

    context = click.get_current_context(silent=True)
    if context is not None and "scope" in context.params \
            and context.get_parameter_source("scope") is click.core.ParameterSource.DEFAULT:
        scope = None
    return current_build(DEFAULT_OUT, curated, scope, say=_progress)


@cli.command()
@click.option("--format", "fmt", default="turtle", show_default=True,
              help="turtle, json-ld, nt (N-Triples), xml (RDF/XML), kgx (Biolink nodes.tsv, edges.tsv and "
                   "graph-info.json in output/kgx/) or sssom (the identifier mappings, output/nmdkg.sssom.tsv).")
@_out_option("A folder (the file is named nmdkg.<ext>) or a file path; default: output/")
@_curated_option()
@_scope_option()
def export(fmt: str, out: Path | None, curated: Path | None, scope: str) -> None:
    """Build the graph, validate it as `nmdkg build` does, and write it in one format.

    Nothing is written when the tables hold a defect or the graph does not conform (exit code 1).
    """
    from nmdkg.core.paths import DEFAULT_OUT
    from nmdkg.release.pipeline import export_format, export_target

    out = out or DEFAULT_OUT
    if fmt.lower() not in ("kgx", "sssom"):
        try:
            target = export_target(fmt, out)
        except ValueError as exc:
            raise click.BadParameter(f"{exc}, kgx, sssom", param_hint="--format") from exc
        _check_writable(target.parent, "--out")
    build = _current_build(curated, scope)
    click.echo(export_format(fmt, out, curated, scope, build=build, progress=_progress, show=_show))


def _build_to_read(data: Path | None, curated: Path | None, scope: str | None):
    """(build, data) for a command that reads the graph: ``--data`` naming a current build folder becomes that
    build (its saved structures are used); other ``--data`` is read as given; without it, the current build of
    the default output folder, if any (``nmdkg.release.reuse``)."""
    from nmdkg.release.reuse import given_build

    if data is None:
        return _current_build(curated, scope), None
    build = given_build(data, curated, say=_progress)
    return build, (None if build is not None else data)


def _check_file_target(out: Path | None, option: str = "--out") -> None:
    """Refuse at once (before any long work) an output file path that is a folder or cannot be written."""
    from nmdkg.core.errors import InputError

    if out is None:
        return
    if out.is_dir():
        raise InputError(f"{option} {out}: a folder; give the path of the file to write")
    _check_writable(out.parent, option)


def _check_writable(folder: Path, option: str) -> None:
    """Refuse at once an output folder that cannot be made or written (before any long work): one whose
    path runs through a file, or the nearest existing folder of which is not writable."""
    import os

    from nmdkg.core.errors import InputError

    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise InputError(f"{option} {folder}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise InputError(f"{option} {folder}: {existing} is not writable")


@cli.command()
@click.option("--check", is_flag=True, help="Only report files that are not in canonical form (exit 1 if any).")
@_curated_option()
def lint(check: bool, curated: Path | None) -> None:
    """Rewrite the curated tables (sorted rows) and their README's column reference in canonical form."""
    from nmdkg.curated.lint import lint as run_lint

    changed = run_lint(curated, check=check)
    verb = "not in canonical form" if check else "rewritten"
    for path in changed:
        click.echo(f"{verb}: {path}")
    if check and changed:
        raise click.exceptions.Exit(1)
    if not changed:
        click.echo("curated tables are in canonical form")


@cli.command()
@click.argument("name", required=False)
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE",
              help="A parameter of the query (repeat for several). Typed as the query's header says: a CURIE "
                   "or <IRI> becomes an IRI, a number a typed literal; a value of the wrong type is refused.")
@click.option("--format", "fmt", default=None,
              help="table (default, for people), csv, tsv or json: the SPARQL 1.1 results formats. "
                   "CONSTRUCT and DESCRIBE results: turtle (default), json-ld or nt.")
@click.option("--data", "data", multiple=True, type=click.Path(path_type=Path),
              help="An RDF file to query instead of the graph built from the curated tables (repeat for "
                   "several). A build folder stands for its nmdkg.nt (and its on-disk store when current).")
@click.option("--sparql", default=None, metavar="TEXT", help="Run this SPARQL query instead of a named one.")
@click.option("--list", "list_queries", is_flag=True, help="List the library of competency questions.")
@click.option("--show", is_flag=True, help="Print the query (header and SPARQL) instead of running it.")
@click.option("--engine", type=click.Choice(["oxigraph", "rdflib"]), default="oxigraph", show_default=True,
              help="The SPARQL engine (see docs/decisions/0003-query-engine.md).")
@click.option("--endpoint", default=None, metavar="URL",
              help="Run the query on this SPARQL 1.1 endpoint instead (e.g. http://127.0.0.1:7878/query of "
                   "`nmdkg serve`, or a Virtuoso /sparql); same output formats.")
@click.option("--graph", "graph_iri", default=None, metavar="IRI",
              help="With --endpoint: the named graph to query (sent as default-graph-uri), e.g. the graph "
                   "given to `nmdkg push`.")
@click.option("--out", "out", type=click.Path(path_type=Path), default=None,
              help="Write the results to this file (atomically) instead of standard output.")
def query(name: str | None, params: tuple[str, ...], fmt: str | None, data: tuple[Path, ...],
          sparql: str | None, list_queries: bool, show: bool, engine: str, endpoint: str | None,
          graph_iri: str | None, out: Path | None) -> None:
    """Run a competency question of the library (NAME, its number, or a .rq FILE) or --sparql TEXT.

    \b
    nmdkg query --list
    nmdkg query 05-symptoms-of-a-disorder --param disorder=MONDO:0019056 --format csv
    nmdkg query --sparql 'SELECT ?d WHERE { ?d a nmdkg:MotorNeuronDisease }' --data output/

    Queries are read-only: updates (INSERT, DELETE, LOAD, CLEAR, DROP ...) are refused. Parameter values
    are bound to query variables, never pasted into the query text.
    """
    from nmdkg.core.errors import InputError
    from nmdkg.query.library import adhoc, find, load_library, load_query_file, parse_params
    from nmdkg.query.results import FORMATS, render

    _remember_checked_queries(data)
    _check_file_target(out)
    if list_queries:
        library = load_library()
        width = max(len(n) for n in library)
        for query_name, named in library.items():
            parameters = ", ".join(p.name for p in named.parameters)
            click.echo(f"{query_name:<{width}}  {named.title}" + (f"  [{parameters}]" if parameters else ""))
        return
    if (name is None) == (sparql is None):
        raise InputError("give a query NAME or FILE, or --sparql TEXT (not both); "
                         "`nmdkg query --list` shows the library")
    if sparql is not None:
        named = adhoc(sparql)
    elif name is not None and name.endswith(".rq") and Path(name).is_file():
        named = load_query_file(Path(name), library=False)  # a file of one's own: the library is not read
    else:
        assert name is not None
        named = find(name, load_library())
    if show:
        # the exact text --endpoint sends: the parameters (given or default) bound as a VALUES block,
        # and the default prefixes the query uses declared in front
        from nmdkg.core.bind import with_values
        from nmdkg.query.remote import with_prefixes

        text = with_prefixes(with_values(named.text, named.bindings(parse_params(params))))
        click.echo(text, nl=not text.endswith("\n"))
        return
    graph_result = named.form in ("CONSTRUCT", "DESCRIBE")
    if fmt is not None:
        fmt = fmt.lower()
        allowed = ("turtle", "ttl", "json-ld", "jsonld", "nt", "ntriples") if graph_result else FORMATS
        if fmt not in allowed:
            what = "CONSTRUCT and DESCRIBE results are written as turtle, json-ld or nt" if graph_result \
                else f"choose one of: {', '.join(FORMATS)}"
            raise InputError(f"unknown or unsuitable format {fmt!r} for a {named.form} query; {what}")
    bindings = named.bindings(parse_params(params))
    if endpoint is not None:
        from nmdkg.query.remote import endpoint_for_cli

        store = endpoint_for_cli(endpoint, graph_iri, data)
    elif graph_iri is not None:
        raise InputError("--graph names a graph of an --endpoint; give --endpoint URL too")
    else:
        from nmdkg.release.reuse import query_store

        if len(data) == 1:
            build, given = _build_to_read(data[0], None, None)
            data = () if given is None else data
        else:
            build = None if data else _current_build()
        store = query_store(data, engine, build, say=_progress)
    result = store.query(named.text, bindings)
    if graph_result and fmt not in (None, "turtle", "ttl"):
        from nmdkg.export.rdf import serialize

        assert result.graph is not None  # a CONSTRUCT or DESCRIBE result holds a graph
        payload = serialize(result.graph, fmt)  # JSON-LD or N-Triples, as the exports write them
    else:
        payload = render(result, fmt if fmt and not graph_result else "table")
    if out is not None:
        from nmdkg.core.io import write_bytes_atomic

        write_bytes_atomic(out, payload)
        _progress(f"results written to {out}")
    else:
        click.echo(payload.decode("utf-8"), nl=False)


def _remember_checked_queries(data: tuple[Path, ...] = ()) -> None:
    """Skip re-parsing the library: a build recorded which queries pass the check (``nmdkg.release.cache``), the
    default output's or a build folder given as ``--data``. The record is keyed by each query's text and the
    rdflib version, so any build's record is safe to use."""
    from nmdkg.core.paths import DEFAULT_OUT
    from nmdkg.release.cache import load_checked_queries

    for folder in (DEFAULT_OUT, *(path for path in data if path.is_dir())):
        load_checked_queries(folder)


def _built_graph_option():
    return click.option("--data", "graph_file", type=click.Path(path_type=Path), default=None,
                        help="The graph to read: a build folder (its nmdkg.nt, and the structures saved beside "
                             "it when the build is current) or an RDF file such as output/nmdkg.nt. Without "
                             "it: the build in output/ when current, else the graph built in memory (--scope, "
                             "--curated).")


@cli.command()
@click.option("--metric", type=click.Choice(["shared", "jaccard", "cosine", "resnik"]), default="cosine",
              show_default=True,
              help="The weight of the network: shared phenotypes, Jaccard, TF-IDF cosine (Zhou et al. 2014) "
                   "or Resnik semantic similarity over HPO (best-match average; slower, as its permutation "
                   "null recomputes it).")
@_out_option("Default: output/analysis")
@_built_graph_option()
@_curated_option("--curated")
@_scope_option()
@click.option("--neighbours", "k", type=click.IntRange(min=1), default=10, show_default=True,
              help="How many most similar disorders each disorder keeps as candidate edges.")
@click.option("--permutations", type=click.IntRange(min=0), default=100, show_default=True,
              help="Random degree-preserving incidence matrices of the null model (0: keep every candidate).")
@click.option("--alpha", type=click.FloatRange(0, 1), default=0.05, show_default=True,
              help="Largest Benjamini-Hochberg q-value of an edge the network keeps.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of every random choice.")
def analyze(metric: str, out: Path | None, graph_file: Path | None, curated: Path | None, scope: str, k: int,
            permutations: int, alpha: float, seed: int) -> None:
    """Shared-symptom network analysis of the disorders: weights, communities, hubs, top pairs, pictures.

    Writes to OUT: edges.csv, disorders.csv, symptoms.csv, communities.csv, top-pairs.csv, network.graphml
    (Cytoscape, Gephi), summary.md, summary.json, network.png, article-heatmap.png, symptom-hubs.png.
    """
    import time

    from nmdkg.analysis import compute as analysis
    from nmdkg.analysis import report
    from nmdkg.core.errors import InputError
    from nmdkg.core.io import write_bytes_atomic
    from nmdkg.release.reuse import network_source

    out = out or Path("output") / "analysis"
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out}: a file; analyze writes several files into a folder")
    _check_writable(out, "--out")
    started = time.perf_counter()
    build, graph_file = _build_to_read(graph_file, curated, scope)
    source = network_source(graph_file, curated, scope, build, say=_progress)
    _progress(f"      done in {time.perf_counter() - started:.1f} s")
    result = analysis.analyze(source, metric=metric, k=k, alpha=alpha, n_permutations=permutations, seed=seed,
                              progress=_progress)
    _progress(f"writing tables, GraphML, summary and pictures to {out}/")
    writing = time.perf_counter()
    files = report.outputs(result, progress=lambda m: _progress(f"      {m}"))
    for name, payload in files.items():
        write_bytes_atomic(out / name, payload)
    _progress(f"      done in {time.perf_counter() - writing:.1f} s")
    summary = report.summary_dict(result)
    click.echo(f"{summary['disorders']:,} disorders, {summary['projection_edges']:,} pairs sharing a "
               f"phenotype; {summary['network_edges']:,} {metric} edges kept, {summary['communities']} communities "
               f"(modularity {summary['modularity']:.3f})")
    click.echo(f"{len(files)} files written to {out}/ in {time.perf_counter() - started:.1f} s "
               f"({', '.join(files)})")


@cli.command()
@click.argument("terms", nargs=-1, metavar="[HP:...]...")
@click.option("--absent", multiple=True, metavar="HP:...",
              help="A finding the patient is known not to have (repeat for several).")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True,
              help="How many disorders to show.")
@click.option("--explain", "explain", type=click.IntRange(min=0), default=10, show_default=True,
              help="How many of the --top disorders carry their explanation (matches, penalties); the others "
                   "give their score alone, so a long --top stays small and fast.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default=None,
              help="table (default, for people) or json; --patients always writes JSON Lines.")
@click.option("--patients", type=click.Path(path_type=Path), default=None,
              help="Batch mode: a JSON Lines file, one patient a line: {\"id\": ..., \"present\": "
                   "[HP CURIEs], \"absent\": [...], \"references\": [PMIDs], \"exclude_references\": "
                   "[...]}. Writes JSON Lines, one line per patient with its id and results (or an error "
                   "record).")
@click.option("--phenopacket", "phenopacket", type=click.Path(path_type=Path), default=None,
              help="Batch mode: a GA4GH Phenopacket v2 JSON file, or a folder of them (observed and excluded "
                   "phenotypicFeatures; the publication in metaData.externalReferences).")
@click.option("--exclude-own-publication", is_flag=True,
              help="Rank each patient without the annotations that cite only the patient's own "
                   "publication(s) (leave-publication-out; --patients 'references' or the phenopacket's).")
@click.option("--out", "out", type=click.Path(path_type=Path), default=None,
              help="Write the results to this file (atomically) instead of standard output.")
@_built_graph_option()
@_curated_option("--curated")
@_scope_option()
def diagnose(terms: tuple[str, ...], absent: tuple[str, ...], top: int, explain: int, fmt: str | None,
             patients: Path | None, phenopacket: Path | None, exclude_own_publication: bool, out: Path | None,
             graph_file: Path | None, curated: Path | None, scope: str) -> None:
    """Rank disorders for a patient's findings (HPO terms) by semantic similarity, explained.

    \b
    nmdkg diagnose HP:0003236 HP:0003707 HP:0003560 --absent HP:0001250 --top 5
    nmdkg diagnose --patients patients.jsonl --out ranked.jsonl
    nmdkg diagnose --phenopacket cases/ --exclude-own-publication --top 10

    Annotation frequencies weigh the matches; findings given as --absent lower the disorders annotated with
    them. In batch mode a bad patient gets an error record (id, line, every problem) and the others are
    ranked; the exit code is then 1. For research and education only: not for clinical decisions.
    """
    import contextlib
    import json

    from nmdkg.core.errors import InputError
    from nmdkg.core.io import atomic_writer, write_bytes_atomic
    from nmdkg.diagnose import ranker as dx

    _check_file_target(out)
    from nmdkg.release import reuse

    build, graph_file = _build_to_read(graph_file, curated, scope)
    cached = reuse.cached_ranker(build, say=_progress)
    hpo = cached.hpo if cached is not None else None
    if patients is not None or phenopacket is not None:
        if terms or absent:
            raise InputError("give findings as arguments or a --patients / --phenopacket batch, not both")
        if patients is not None and phenopacket is not None:
            raise InputError("give --patients or --phenopacket, not both")
        if fmt == "table":
            raise InputError("a batch writes JSON Lines; --format table is for one patient")
        # read the input once before the (slow) graph load, so an unreadable file fails at once
        if patients is not None:
            batch = list(dx.iter_patients(patients))
        else:
            assert phenopacket is not None
            batch = list(dx.patients_of_phenopackets(phenopacket))
        if not batch:
            raise InputError(f"{patients or phenopacket}: no patient in it")
    else:
        if not terms:
            raise InputError("name at least one finding (an HPO term such as HP:0001324), "
                             "or give --patients FILE or --phenopacket FILE_OR_DIR")
        if exclude_own_publication:
            raise InputError("--exclude-own-publication needs patients with their publications "
                             "(--patients or --phenopacket)")
        present, absent_ids, notes = dx.check_terms(terms, absent, hpo)
    ranker = cached or reuse.new_ranker(reuse.phenotype_source(graph_file, curated, scope, build, say=_progress),
                                        build, say=_progress)
    if patients is not None or phenopacket is not None:
        failed = ranked = 0
        with contextlib.ExitStack() as stack:
            sink = stack.enter_context(atomic_writer(out)) if out is not None else None
            for record in dx.rank_stream(ranker, batch, top, exclude_own_publication, explain):
                line = json.dumps(record, ensure_ascii=False) + "\n"
                if record.get("error"):
                    failed += 1
                    where = f"{record['source']}" + (f":{record['line']}" if "line" in record else "")
                    _progress(f"error: patient {record['id']!r} ({where}): {'; '.join(record['problems'])}")
                else:
                    ranked += 1
                if sink is not None:
                    sink.write(line.encode("utf-8"))
                else:
                    click.echo(line, nl=False)
        _progress(f"{ranked} patients ranked, {failed} failed" + (f"; results written to {out}" if out else ""))
        if failed:
            click.get_current_context().exit(1)  # some patients failed: bad data
        return
    results = ranker.rank_checked(present, absent_ids, top, explain=explain)
    if fmt == "json":
        record = dx.result_json(results, notes=notes)
        payload = (json.dumps(record, indent=2, ensure_ascii=False) + "\n").encode()
    else:
        text = "".join(f"note: {n}\n" for n in notes)
        text += dx.format_table(results, present, absent_ids, ranker)
        payload = text.encode()
    if out is not None:
        write_bytes_atomic(out, payload)
        _progress(f"results written to {out}")
    else:
        click.echo(payload.decode("utf-8"), nl=False)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on; loopback unless you name another (0.0.0.0: every interface).")
@click.option("--port", type=click.IntRange(1, 65535), default=7878, show_default=True, help="The TCP port.")
@click.option("--store", "store_dir", type=click.Path(path_type=Path), default=None,
              help="Folder of the on-disk Oxigraph store (default: store/ beside the served file). It is "
                   "reused while the build is unchanged.")
@click.option("--data", "data", type=click.Path(path_type=Path), default=None,
              help="The build to serve: a folder (its nmdkg.nt) or an RDF file (default: output/).")
@click.option("--timeout", "query_timeout", type=click.IntRange(min=1), default=30, show_default=True,
              help="Seconds after which the server cancels a query.")
@click.option("--cors", is_flag=True, default=False,
              help="Allow cross-origin requests, so that web pages of other sites can query the endpoint "
                   "(off by default).")
def serve(host: str, port: int, store_dir: Path | None, data: Path | None, query_timeout: int, cors: bool) -> None:
    """Serve the built graph on the Oxigraph server (read-only), with its web query page.

    Prints the URL of the SPARQL endpoint and of the query page, and runs until Ctrl-C or SIGTERM, which
    stop the server; no process is left behind. See docs/decisions/0006-serving.md.
    """
    from nmdkg.core.paths import DEFAULT_OUT
    from nmdkg.publish.serve import serve as run_server

    if data is None:
        _say_build_in_use()
    run_server(data or DEFAULT_OUT, store_dir, host, port, query_timeout,
               say=lambda line: click.echo(line), progress=_progress, cors=cors)


@cli.command()
@click.option("--endpoint", required=True, metavar="URL",
              help="The SPARQL 1.1 Graph Store endpoint: http://HOST:7878/store (Oxigraph server) or "
                   "http://HOST:8890/sparql-graph-crud-auth (Virtuoso 7).")
@click.option("--graph", "graph_iri", required=True, metavar="IRI",
              help="The named graph to load the build into (an IRI, or a CURIE such as NMDKG:graph).")
@click.option("--data", "data", type=click.Path(path_type=Path), default=None,
              help="The build to push: a folder (its nmdkg.nt) or an RDF file (default: output/).")
@click.option("--append", is_flag=True, help="Add to the graph (POST) instead of replacing it (PUT).")
@click.option("--user", default=None, metavar="NAME",
              help="User name for HTTP (digest or basic) authentication.")
@click.option("--password-env", default=None, metavar="VAR",
              help="The name of the environment variable that holds the password (never the password).")
@click.option("--timeout", type=click.FloatRange(min=1), default=600, show_default=True,
              help="Seconds to wait for the store to answer.")
def push(endpoint: str, graph_iri: str, data: Path | None, append: bool, user: str | None,
         password_env: str | None, timeout: float) -> None:
    """Load the build into a remote triple store (SPARQL 1.1 Graph Store HTTP Protocol), with progress.

    \b
    nmdkg push --endpoint http://127.0.0.1:7878/store --graph https://w3id.org/nmdkg/graph
    NMDKG_PASSWORD=... nmdkg push --endpoint http://127.0.0.1:8890/sparql-graph-crud-auth \\
        --graph https://w3id.org/nmdkg/graph --user dba --password-env NMDKG_PASSWORD
    """
    from nmdkg.core.paths import DEFAULT_OUT
    from nmdkg.publish.push import push as run_push
    from nmdkg.query.remote import Credentials

    credentials = Credentials.from_env(user, password_env)
    if data is None:
        _say_build_in_use()
    report = run_push(data or DEFAULT_OUT, endpoint, graph_iri, append=append, credentials=credentials,
                      progress=_progress, timeout=timeout)
    click.echo(str(report))


def _say_build_in_use() -> None:
    """For serve and push, which send the build of output/ as it is: say whether it is current."""
    from nmdkg.core.paths import DEFAULT_OUT
    from nmdkg.release.reuse import say_build_in_use

    say_build_in_use(DEFAULT_OUT, _progress)


@cli.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path), metavar="[FILE]...")
@click.option("--report", "report_file", type=click.Path(path_type=Path), default=None,
              help="Also write the SHACL validation report (sh:ValidationReport) to this file, as Turtle.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: grouped by shape, for people; json: a list of results, for programs.")
@click.option("--engine", type=click.Choice(["auto", "pyshacl", "fast"]), default="auto", show_default=True,
              help="pyshacl: the reference engine; fast: nmdkg's SHACL Core compiler and Oxigraph; auto: "
                   "pyshacl up to 20,000 triples, fast above.")
@click.option("--inference", type=click.Choice(["none", "rdfs"]), default="none", show_default=True,
              help="rdfs: validate the RDFS closure (pyshacl only; domains and ranges then hide sh:class errors).")
@_curated_option()
@_scope_option()
@click.pass_context
def validate(ctx: click.Context, files: tuple[Path, ...], report_file: Path | None, fmt: str, engine: str,
             inference: str, curated: Path | None, scope: str) -> None:
    """Validate the graph against the SHACL shapes and the SPARQL checks.

    With no FILE, the graph is built from the curated tables (as `nmdkg build` does) and validated. Each
    FILE is read by its extension: .ttl/.turtle (Turtle), .jsonld/.json (JSON-LD), .nt (N-Triples),
    .rdf/.owl/.xml (RDF/XML), .n3 (N3); their union is validated, with the ontology added if they lack it.

    Exit codes: 0 the graph conforms (warnings allowed), 1 it has violations, 2 unreadable input or
    usage error.
    """
    from nmdkg.core.errors import EXIT_DATA
    from nmdkg.core.io import write_bytes_atomic
    from nmdkg.release.reuse import graph_to_validate
    from nmdkg.validate.report import format_json, format_text
    from nmdkg.validate.shapes import validate_graph

    _check_file_target(report_file, "--report")
    if files:
        for name, flag in (("curated", "--data"), ("scope", "--scope")):
            if ctx.get_parameter_source(name) is not click.core.ParameterSource.DEFAULT:
                raise click.UsageError(f"{flag} builds the graph from curated tables; it cannot be combined "
                                       "with FILE arguments")
    graph = graph_to_validate(files, None if files else _current_build(curated, scope), curated, scope,
                              say=_progress)
    _progress(f"validating {len(graph):,} triples against the shapes and checks")
    result = validate_graph(graph, engine=engine, inference=inference)
    if report_file is not None:
        write_bytes_atomic(report_file, result.report.serialize(format="turtle", encoding="utf-8"))
    click.echo(format_json(result) if fmt == "json" else format_text(result, limit=None), nl=False)
    if not result.conforms:
        raise click.exceptions.Exit(EXIT_DATA)


@cli.command()
@click.option("--data", "data", type=click.Path(path_type=Path), default=Path("output"), show_default=True,
              help="The build to publish: a build folder (its nmdkg.nt) or an RDF file of `nmdkg build`.")
@_out_option("Default: output/site")
@click.option("--analysis", "analysis_dir", type=click.Path(path_type=Path), default=None,
              help="A folder of `nmdkg analyze` whose three pictures the network page shows "
                   "(default: output/analysis when it holds them).")
@click.option("--permutations", type=click.IntRange(min=0), default=100, show_default=True,
              help="Random incidence matrices of the network's null model (as `nmdkg analyze`).")
def site(data: Path, out: Path | None, analysis_dir: Path | None, permutations: int) -> None:
    """A static site of the build for people who do not write SPARQL: a page per disorder, symptom and
    treatment, search, and the shared-symptom network. Plain files: open OUT/index.html, or serve the folder
    (`python -m http.server -d output/site`).
    """
    import time

    from nmdkg.publish.site import build_site

    out = out or Path("output") / "site"
    if analysis_dir is None and (Path("output") / "analysis" / "network.png").is_file():
        analysis_dir = Path("output") / "analysis"
    started = time.perf_counter()
    report = build_site(data, out, analysis_dir=analysis_dir, permutations=permutations, progress=_progress)
    pages = ", ".join(f"{n} {kind}" for kind, n in report.pages.items())
    click.echo(f"{report.total_pages} pages ({pages}) written to {out}/ in {time.perf_counter() - started:.1f} s"
               + ("" if report.pictures else "; no pictures of `nmdkg analyze` (give --analysis DIR)"))


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the command line and turn errors into messages and exit codes."""
    try:
        # standalone_mode=False: click returns the code of a ctx.exit()/Exit instead of exiting
        returned = cli.main(args=argv, prog_name="nmdkg", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("nmdkg: aborted", err=True)
        return EXIT_USAGE
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except NmdkgError as exc:
        click.echo(f"nmdkg: error: {exc}", err=True)
        return exc.exit_code
    except OSError as exc:
        click.echo(f"nmdkg: error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), err=True)
        return EXIT_USAGE
    return returned if isinstance(returned, int) else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
