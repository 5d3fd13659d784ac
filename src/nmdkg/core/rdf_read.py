"""Reading RDF files: the one reader every command uses, into an rdflib graph or an Oxigraph store.

The format is told by the file's suffix (``nmdkg.core.rdf_formats``). Whatever goes wrong becomes an
:class:`~nmdkg.core.errors.InputError` that names the file and, where the parser tells it, the line: a missing
file (``RDF file not found``), a folder, an unreadable file, a syntax error (``not valid Turtle: ...``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rdflib import Graph

from nmdkg.core.errors import InputError
from nmdkg.core.rdf_formats import RdfFormat, format_of


def read_rdf(paths: Iterable[Path | str]) -> Graph:
    """The union of RDF files, each parsed by its suffix (``nmdkg.core.rdf_formats``).

    Raises :class:`InputError` for a missing file, an unknown extension, a syntax error or a file that
    holds no triples; the message names the file and, where the parser tells it, the line.
    """
    graph = Graph(bind_namespaces="none")
    for path in map(Path, paths):
        before = len(graph)
        parse_file(path, graph)
        if len(graph) == before and not _has_statements(path):
            raise InputError(f"{path}: holds no triples (an empty {format_of(path).label} file); "
                             "give a built graph such as output/nmdkg.nt")
    return graph


def _has_statements(path: Path) -> bool:
    """Whether a file that added no new triple holds any itself (it may repeat another file's)."""
    single = Graph(bind_namespaces="none")
    parse_file(path, single)
    return len(single) > 0


def _existing(path: Path, *, datasets: bool = False) -> RdfFormat:
    if not path.exists():
        raise InputError(f"{path}: RDF file not found")
    if not path.is_file():
        raise InputError(f"{path}: not a file")
    return format_of(path, datasets=datasets)


def parse_file(path: Path | str, graph: Graph) -> None:
    """Add the triples of one RDF file to an rdflib graph."""
    path = Path(path)
    fmt = _existing(path)
    try:
        graph.parse(path, format=fmt.rdflib_name)
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except Exception as exc:  # noqa: BLE001 - every parser raises its own types (SyntaxError, SAX, JSON ...)
        line, reason = _syntax_error(exc, path, fmt.rdflib_name)
        where = f"{path}:{line}" if line else str(path)
        raise InputError(f"{where}: not valid {fmt.label}: {reason}") from None


def load_oxigraph(store: Any, path: Path | str, *, datasets: bool = False, bulk: bool = False,
                  to_graph: Any = None) -> None:
    """Add the statements of one RDF file to a ``pyoxigraph.Store`` (``bulk``: its bulk loader, which
    skips the transaction; ``datasets``: N-Quads and TriG too; ``to_graph``: into that named graph)."""
    path = Path(path)
    fmt = _existing(path, datasets=datasets)
    options = {} if to_graph is None else {"to_graph": to_graph}
    try:
        if bulk:
            store.bulk_load(path=str(path), format=fmt.oxigraph(), **options)
        else:
            store.load(path=str(path), format=fmt.oxigraph(), **options)
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except (SyntaxError, ValueError) as exc:
        reason = " ".join(str(exc).split())
        match = re.search(r"line (\d+)", reason)
        where = f"{path}:{match.group(1)}" if match else str(path)
        raise InputError(f"{where}: not valid {fmt.label}: {reason}") from None


def _syntax_error(exc: Exception, path: Path, fmt: str) -> tuple[int | None, str]:
    """The line (1-based, when known) and a one-line reason of a parser's exception."""
    from json import JSONDecodeError
    from xml.sax import SAXParseException

    from rdflib.plugins.parsers.notation3 import BadSyntax

    if isinstance(exc, BadSyntax):
        return exc.lines + 1, exc._why
    if isinstance(exc, SAXParseException):
        return exc.getLineNumber(), exc.getMessage()
    if isinstance(exc, JSONDecodeError):
        return exc.lineno, exc.msg
    if isinstance(exc, UnicodeDecodeError):
        return None, "the file is not UTF-8 text"
    reason = " ".join(str(exc).split()) or type(exc).__name__
    if fmt == "nt":  # N-Triples is line based: find the first line that does not parse on its own
        return _bad_ntriples_line(path), reason
    match = re.search(r"line (\d+)", reason)
    return (int(match.group(1)) if match else None), reason


def _bad_ntriples_line(path: Path) -> int | None:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    for number, line in enumerate(lines, start=1):
        if line.strip() and not line.lstrip().startswith("#"):
            try:
                Graph().parse(data=line, format="nt")
            except Exception:  # noqa: BLE001 - whatever the parser raises, this is the bad line
                return number
    return None
