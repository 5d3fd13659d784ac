"""The text of a ``.rq`` file: its ``# key: value`` header and its SPARQL without comments.

One header format serves the competency questions (``queries/*.rq``, read by ``nmdkg.query.library``) and the
SPARQL checks (``queries/checks/*-violation.rq``, read by ``nmdkg.validate.shapes``): ``# key: value`` lines before
the first line of SPARQL, a value continued on lines that start with ``#`` and two or more spaces.

>>> fields, problems = parse_header("# title: A\\n# note: B\\n#   continued\\nSELECT * {}", "q.rq", ("title", "note"))
>>> fields, problems
({'title': [(1, 'A')], 'note': [(2, 'B continued')]}, [])
>>> strip_comments('SELECT ?s # the subject\\nWHERE { ?s <urn:a#b> "#" }')
'SELECT ?s \\nWHERE { ?s <urn:a#b> "#" }'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from nmdkg.core.errors import Problem

_HEADER_LINE = re.compile(r"# ?(?P<key>[a-z]+):\s?(?P<value>.*)\Z")
_CONTINUATION = re.compile(r"#\s{2,}(?P<value>\S.*)\Z")


def strip_comments(text: str) -> str:
    """The query without ``#`` comments (a ``#`` inside an IRI or a string is kept)."""
    return re.sub(r"""(<[^>\s]*>|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')|#[^\n]*""",
                  lambda m: m.group(1) or "", text)


def parse_header(text: str, path: Path | str, keys: Sequence[str]
                 ) -> tuple[dict[str, list[tuple[int, str]]], list[Problem]]:
    """The header fields (key -> [(line number, value)]) of a query file, and the problems found (a field
    not among ``keys``)."""
    fields: dict[str, list[tuple[int, str]]] = {}
    problems: list[Problem] = []
    last: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break  # the header ends at the first line of SPARQL
        continuation = _CONTINUATION.match(stripped)
        header = None if continuation else _HEADER_LINE.match(stripped)
        if continuation and last is not None:
            line_number, value = fields[last][-1]
            fields[last][-1] = (line_number, f"{value} {continuation['value'].strip()}")
        elif header and header["key"] in keys:
            last = header["key"]
            fields.setdefault(last, []).append((number, header["value"].strip()))
        elif header:
            problems.append(Problem(Path(path), number, None, f"unknown header field {header['key']!r}; "
                                                              f"expected one of: {', '.join(keys)}"))
        else:
            last = None  # a plain comment
    return fields, problems
