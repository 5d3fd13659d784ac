"""Rewrite the figures of README.md from a build's outputs, or check that they still match.

Every count the README states is written between markers, ``<!-- figures:NAME -->`` ... ``<!-- /figures -->``,
and comes from a default-scope build folder (``nmdkg build --out DIR``): the triple count from ``void.ttl``,
the nodes and edges per kind from ``describe/*.tsv``, the diseases from ``nmdkg.nt``, the scope from
``manifest.json``. ``tests/test_readme.py`` builds and fails when a marked figure differs from its build.

Usage::

    python scripts/readme_figures.py output            # rewrite README.md's figure blocks from output/
    python scripts/readme_figures.py output --check    # exit 1 and name the blocks that differ
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import RDF, VOID

from nmdkg.core.errors import InputError, Problem
from nmdkg.core.io import write_bytes_atomic
from nmdkg.core.namespaces import expand_iri

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCK = re.compile(r"<!-- figures:(?P<name>[a-z0-9-]+) -->(?P<body>.*?)<!-- /figures -->", re.S)
SCOPE = "nmd"  # the README describes the default build
_TYPE = f" <{RDF.type}> "


def _need(path: Path) -> Path:
    if not path.is_file():
        raise InputError([Problem(path, 0, None, "missing: not a build folder (nmdkg build --out DIR)")])
    return path


def _kinds(path: Path) -> list[tuple[str, int]]:
    with _need(path).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t"))
    return [(kind, int(count)) for kind, count in rows[1:]]


def _triples(path: Path) -> int:
    """The dataset's own ``void:triples``: that of the ``void:Dataset`` which has class partitions."""
    graph = Graph().parse(_need(path), format="turtle")
    counts = {str(graph.value(dataset, VOID.triples)) for dataset in graph.subjects(VOID.classPartition, None)}
    if len(counts) != 1:
        raise InputError([Problem(path, 0, None, f"expected one dataset triple count, found {counts}")])
    return int(counts.pop())


def _diseases(path: Path) -> int:
    """The annotated diseases: the typed OMIM and Orphanet nodes of the graph."""
    heads = tuple(expand_iri(curie).removesuffix("1") for curie in ("OMIM:1", "ORPHA:1"))
    nodes = set()
    with _need(path).open(encoding="utf-8") as handle:
        for line in handle:
            subject, _, rest = line.partition(" ")
            if subject[1:].startswith(heads) and rest.startswith(_TYPE[1:]):
                nodes.add(subject)
    return len(nodes)


def _table(rows: list[tuple[str, int]], heading: str) -> str:
    lines = [f"| kind | {heading} |", "| --- | ---: |"]
    lines += [f"| `{kind}` | {count:,} |" for kind, count in rows]
    return "\n".join(lines)


def figures(build: Path) -> dict[str, str]:
    """Each figure block's text, from the build folder ``build``."""
    manifest = json.loads(_need(build / "manifest.json").read_text(encoding="utf-8"))
    if manifest.get("scope") != SCOPE:
        raise InputError([Problem(build / "manifest.json", 0, None,
                                  f"a build of scope {manifest.get('scope')!r}; the README's figures are of "
                                  f"the default build (scope {SCOPE!r})")])
    nodes = _kinds(build / "describe" / "node-kinds.tsv")
    edges = _kinds(build / "describe" / "edge-kinds.tsv")
    return {
        "triples": f"{_triples(build / 'void.ttl'):,}",
        "diseases": f"{_diseases(build / 'nmdkg.nt'):,}",
        "node-count": f"{sum(count for _, count in nodes):,}",
        "edge-count": f"{sum(count for _, count in edges):,}",
        "kinds": "\n\n" + _table(nodes, "nodes") + "\n\n" + _table(edges, "edges") + "\n\n",
    }


def rewrite(text: str, values: dict[str, str]) -> tuple[str, list[str]]:
    """``text`` with every figure block replaced; the names of the blocks whose text changed. A block whose
    name has no figure is refused."""
    changed: list[str] = []
    unknown = sorted({match["name"] for match in BLOCK.finditer(text)} - set(values))
    if unknown:
        raise InputError([Problem(Path("README.md"), 0, None, f"figure blocks without a figure: {unknown}")])

    def replace(match: re.Match[str]) -> str:
        name = match["name"]
        if match["body"] != values[name]:
            changed.append(name)
        return f"<!-- figures:{name} -->{values[name]}<!-- /figures -->"

    return BLOCK.sub(replace, text), changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("build", type=Path, help="a default-scope build folder (nmdkg build --out DIR)")
    parser.add_argument("--readme", type=Path, default=README)
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 when a figure differs")
    args = parser.parse_args(argv)
    try:
        text = args.readme.read_text(encoding="utf-8")
        new, changed = rewrite(text, figures(args.build))
    except InputError as exc:
        print(f"readme_figures: error: {exc}", file=sys.stderr)
        return exc.exit_code
    if args.check:
        for name in changed:
            print(f"{args.readme}: figure block {name!r} differs from the build in {args.build}", file=sys.stderr)
        return 1 if changed else 0
    if changed:
        write_bytes_atomic(args.readme, new.encode("utf-8"))
    print(f"{len(changed)} figure block(s) rewritten: {', '.join(changed) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
