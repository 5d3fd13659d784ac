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
    from nmdkg.build import build_graph
    from nmdkg.curated import load_curated
    from nmdkg.export import BUILD_FORMATS, resolve_format, serialize
    from nmdkg.io import write_bytes_atomic
    from nmdkg.paths import DEFAULT_OUT

    out = out or DEFAULT_OUT
    steps = 4
    _progress(f"[1/{steps}] reading curated tables")
    tables = load_curated(data)
    _progress(f"[2/{steps}] building the graph (scope {scope})")
    graph = build_graph(tables, scope=scope, progress=lambda message: _progress(f"      {message}"))
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
    from nmdkg.build import build_graph
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
    graph = build_graph(load_curated(data), scope=scope)
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
