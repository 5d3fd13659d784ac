"""The ``nmdkg`` command line.

Every command shares option names (``--out``, ``--format``, ``--data``) and exit codes: 0 success,
1 the data does not conform or a build failed on bad data, 2 usage error or unreadable input.
Heavy imports happen inside the commands, so ``nmdkg --help`` is instant.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from nmdkg.errors import EXIT_OK, EXIT_USAGE, NmdkgError


def _out_option(default_help: str):
    return click.option("--out", "out", type=click.Path(path_type=Path), default=None,
                        help=f"Output folder. {default_help}")


def _curated_option():
    return click.option("--data", "data", type=click.Path(path_type=Path), default=None,
                        help="Folder of curated source tables (default: the project's data/curated).")


def _scope_option():
    return click.option("--scope", type=click.Choice(["article", "nmd", "all"]), default="nmd", show_default=True,
                        help="article: the curated article facts only; nmd: plus every neuromuscular disease of "
                             "the HPO annotations; all: plus every disease of the HPO annotations.")


def _progress(message: str) -> None:
    click.echo(message, err=True)


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
def build(out: Path | None, data: Path | None, scope: str) -> None:
    """Build the graph from the curated tables and write Turtle, JSON-LD and N-Triples.

    Nothing is written when the tables hold a defect: the defects are listed with file, line and column.
    """
    from nmdkg import describe
    from nmdkg.build import build_canonical
    from nmdkg.curated import load_curated
    from nmdkg.export import BUILD_FORMATS, resolve_format, serialize
    from nmdkg.io import write_bytes_atomic
    from nmdkg.paths import DEFAULT_OUT

    out = out or DEFAULT_OUT
    steps = 4
    _progress(f"[1/{steps}] reading curated tables")
    tables = load_curated(data)
    _progress(f"[2/{steps}] building the graph (scope {scope})")
    graph = build_canonical(tables, scope=scope, progress=lambda message: _progress(f"      {message}"))
    _progress(f"[3/{steps}] serializing {', '.join(BUILD_FORMATS)}")
    nodes, edges = describe.node_counts(graph), describe.edge_counts(graph)
    payloads = {f"nmdkg.{resolve_format(name).extension}": serialize(graph, name) for name in BUILD_FORMATS}
    payloads["describe/node-kinds.tsv"] = describe.as_tsv(nodes, ("kind", "nodes"))
    payloads["describe/edge-kinds.tsv"] = describe.as_tsv(edges, ("kind", "edges"))
    _progress(f"[4/{steps}] writing to {out}/")
    for name, payload in payloads.items():
        write_bytes_atomic(out / name, payload)
    click.echo(f"{len(graph)} triples written to {out}/ ({', '.join(n for n in payloads if '/' not in n)})")
    click.echo("\nNodes per kind:")
    for kind, count in nodes:
        click.echo(f"  {kind:<45} {count:>7}")
    click.echo("Edges per kind:")
    for kind, count in edges:
        click.echo(f"  {kind:<45} {count:>7}")


@cli.command()
@click.option("--format", "fmt", default="turtle", show_default=True,
              help="turtle, json-ld, nt (N-Triples) or xml (RDF/XML).")
@_out_option("A folder (the file is named nmdkg.<ext>) or a file path; default: output/")
@_curated_option()
@_scope_option()
def export(fmt: str, out: Path | None, data: Path | None, scope: str) -> None:
    """Build the graph and write it in one format."""
    from nmdkg.build import build_canonical
    from nmdkg.curated import load_curated
    from nmdkg.export import resolve_format, serialize
    from nmdkg.io import write_bytes_atomic
    from nmdkg.paths import DEFAULT_OUT

    try:
        chosen = resolve_format(fmt)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--format") from exc
    out = out or DEFAULT_OUT
    target = out if out.suffix else out / f"nmdkg.{chosen.extension}"
    graph = build_canonical(load_curated(data), scope=scope)
    write_bytes_atomic(target, serialize(graph, chosen))
    click.echo(f"{len(graph)} triples written to {target}")


@cli.command()
@click.option("--check", is_flag=True, help="Only report files that are not in canonical form (exit 1 if any).")
@_curated_option()
def lint(check: bool, data: Path | None) -> None:
    """Rewrite the curated tables (sorted rows) and their README's column reference in canonical form."""
    from nmdkg.lint import lint as run_lint

    changed = run_lint(data, check=check)
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
                   "CONSTRUCT and DESCRIBE results are always Turtle.")
@click.option("--data", "data", multiple=True, type=click.Path(path_type=Path),
              help="An RDF file to query instead of the graph built from the curated tables (repeat for "
                   "several). A folder stands for its nmdkg.nt: `--data output/` skips the build.")
@click.option("--sparql", default=None, metavar="TEXT", help="Run this SPARQL query instead of a named one.")
@click.option("--list", "list_queries", is_flag=True, help="List the library of competency questions.")
@click.option("--show", is_flag=True, help="Print the query (header and SPARQL) instead of running it.")
@click.option("--engine", type=click.Choice(["oxigraph", "rdflib"]), default="oxigraph", show_default=True,
              help="The SPARQL engine (see docs/decisions/0003-query-engine.md).")
@click.option("--out", "out", type=click.Path(path_type=Path), default=None,
              help="Write the results to this file (atomically) instead of standard output.")
def query(name: str | None, params: tuple[str, ...], fmt: str | None, data: tuple[Path, ...],
          sparql: str | None, list_queries: bool, show: bool, engine: str, out: Path | None) -> None:
    """Run a competency question of the library (NAME, its number, or a .rq FILE) or --sparql TEXT.

    \b
    nmdkg query --list
    nmdkg query 05-symptoms-of-a-disorder --param disorder=MONDO:0019056 --format csv
    nmdkg query --sparql 'SELECT ?d WHERE { ?d a nmdkg:MotorNeuronDisease }' --data output/

    Queries are read-only: updates (INSERT, DELETE, LOAD, CLEAR, DROP ...) are refused. Parameter values
    are bound to query variables, never pasted into the query text.
    """
    from nmdkg.errors import InputError
    from nmdkg.queries import adhoc, find, load_library, load_query_file, parse_params
    from nmdkg.results import FORMATS, render

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
        click.echo(named.text, nl=not named.text.endswith("\n"))
        return
    graph_result = named.form in ("CONSTRUCT", "DESCRIBE")
    if fmt is not None:
        fmt = fmt.lower()
        allowed = ("turtle", "ttl") if graph_result else FORMATS
        if fmt not in allowed:
            what = "CONSTRUCT and DESCRIBE results are written as Turtle" if graph_result \
                else f"choose one of: {', '.join(FORMATS)}"
            raise InputError(f"unknown or unsuitable format {fmt!r} for a {named.form} query; {what}")
    bindings = named.bindings(parse_params(params))
    store = _query_store(data, engine)
    payload = render(store.query(named.text, bindings), fmt if fmt and not graph_result else "table")
    if out is not None:
        from nmdkg.io import write_bytes_atomic

        write_bytes_atomic(out, payload)
        _progress(f"results written to {out}")
    else:
        click.echo(payload.decode("utf-8"), nl=False)


def _query_store(data: tuple[Path, ...], engine: str):
    """The store a query runs on: the RDF files of ``--data`` or the graph built from the curated tables."""
    from nmdkg.errors import InputError
    from nmdkg.store import Store

    if data:
        files = []
        for path in data:
            if path.is_dir():
                path = path / "nmdkg.nt"
                if not path.is_file():
                    raise InputError(f"{path.parent}: no nmdkg.nt in this folder "
                                     f"(run `nmdkg build --out {path.parent}`)")
            files.append(path)
        return Store.from_files(files, engine=engine)
    _progress("building the graph from the curated tables (`--data output/` queries a build instead)")
    if engine == "rdflib":
        from nmdkg.build import build_graph

        return Store.from_graph(build_graph(), engine=engine)
    from nmdkg.build import build_canonical
    from nmdkg.ntriples import lines

    return Store.from_ntriples(lines(build_canonical()), engine=engine)  # the build's fast path


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
