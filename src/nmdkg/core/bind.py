"""Values bound into a query as a SPARQL ``VALUES`` block: the one way parameters reach a query.

A query of the library names its parameters as variables (``?disorder``); :func:`with_values` binds them
by writing the terms as a ``VALUES`` block at the start of the query's top-level group pattern, where the
whole pattern (its filters and aggregates included) sees them, and at the start of each subquery that
projects a bound variable. Every engine gets the same rewritten query: the embedded Oxigraph and rdflib
stores and any remote endpoint (the SPARQL 1.1 Protocol has no parameter for bindings).

Why a ``VALUES`` block and not the engines' own bindings (Oxigraph's ``substitutions``, rdflib's
``initBindings``): Oxigraph plans a query with substitutions as if the variable were unbound and filters
afterwards, so a query about one disorder walks every disorder (query 06 took 1.4 s on the default build);
with the block it starts from the value (12 ms). See ``docs/decisions/0003-query-engine.md``.

No text of the caller's is pasted: each term is an rdflib term checked here and written by rdflib's
N-Triples serializer (``Identifier.n3``, which escapes literals); an IRI with a character IRIs may not hold
is refused. The rewritten query is parsed again by the caller before it runs.

>>> print(with_values("SELECT ?d ?n WHERE { ?d ?p ?n }", {"d": URIRef("urn:ex:mg")}))
SELECT ?d ?n WHERE { VALUES (?d) { (<urn:ex:mg>) } ?d ?p ?n }
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from rdflib import BNode, Literal, URIRef
from rdflib.term import Identifier

from nmdkg.core.errors import InputError

_TOKENS = re.compile(
    r'''(?P<comment>\#[^\n]*)
      | (?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'
                   |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
      | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
      | (?P<var>[?$][A-Za-z0-9_\u00b7-\U000effff]+)
      | (?P<word>[A-Za-z_][A-Za-z0-9_.-]*(?::[A-Za-z0-9_.%-]*)?)
      | (?P<open>\{) | (?P<close>\})
      | (?P<other>.)''',
    re.VERBOSE | re.DOTALL,
)


def _where_brace(text: str) -> int:
    """The offset of the ``{`` that opens the query's top-level group pattern (its WHERE clause)."""
    depth = 0
    previous = ""  # the previous significant token at depth 0
    groups = []  # (offset of each depth-0 "{", the token before it)
    for match in _TOKENS.finditer(text):
        kind = match.lastgroup
        if kind == "comment" or (kind == "other" and match.group().isspace()):
            continue
        if kind == "open":
            if depth == 0:
                groups.append((match.start(), previous))
            depth += 1
        elif kind == "close":
            depth -= 1
        if depth == 0:
            previous = match.group().upper()
    for offset, before in groups:
        if before == "WHERE":
            return offset
    forms = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
    form = next((m.group().upper() for m in _TOKENS.finditer(text)
                 if m.lastgroup == "word" and m.group().upper() in forms), "")
    if form == "CONSTRUCT":  # CONSTRUCT { template } { pattern }: WHERE may be left out
        if len(groups) >= 2:
            return groups[1][0]
    elif groups:
        return groups[0][0]
    raise InputError("cannot bind parameters: the query has no WHERE pattern to bind them in")


def _subquery_braces(text: str, names: set[str]) -> list[tuple[int, list[str]]]:
    """Where to repeat the bindings inside subqueries: (offset of the subquery's WHERE ``{``, the bound
    variables it projects as plain variables), for every ``{ SELECT ... }`` without LIMIT or OFFSET.

    A subquery that projects a bound variable ``?x`` joins with the binding outside it; binding ``?x``
    inside it as well gives the same solutions (those it would have produced for other values are
    dropped by the outer join anyway) and lets the engine use the value while it evaluates the subquery
    (query 06: 14 s on the Oxigraph server without, milliseconds with). Not where ``?x`` is an alias
    ``(... AS ?x)``, nor where LIMIT or OFFSET would pick different rows.
    """
    tokens = [(m.lastgroup, m.group(), m.start()) for m in _TOKENS.finditer(text)
              if m.lastgroup != "comment" and not (m.lastgroup == "other" and m.group().isspace())]
    found = []
    for i, (kind, _, _) in enumerate(tokens):
        if kind != "open" or i + 1 >= len(tokens) or tokens[i + 1][1].upper() != "SELECT":
            continue
        projected, star, parens, j = [], False, 0, i + 2
        while j < len(tokens) and tokens[j][0] != "open":
            value = tokens[j][1]
            parens += value == "("
            parens -= value == ")"
            if value == "*" and parens == 0:
                star = True
            if tokens[j][0] == "var" and parens == 0:
                projected.append(value[1:])
            j += 1
        if j >= len(tokens):
            continue
        where, depth, k = j, 0, j
        while k < len(tokens):  # the end of the subquery's WHERE group
            depth += tokens[k][0] == "open"
            depth -= tokens[k][0] == "close"
            if depth == 0:
                break
            k += 1
        depth, end = 0, k + 1
        while end < len(tokens) and not (tokens[end][0] == "close" and depth == 0):
            depth += tokens[end][0] == "open"
            depth -= tokens[end][0] == "close"
            end += 1
        modifiers = {value.upper() for kind_, value, _ in tokens[k + 1:end] if kind_ == "word"}
        if modifiers & {"LIMIT", "OFFSET"}:
            continue
        inside = sorted(names) if star else [name for name in projected if name in names]
        if inside:
            found.append((tokens[where][2], inside))
    return found


def with_values(text: str, bindings: Mapping[str, Identifier]) -> str:
    """``text`` with ``bindings`` as a ``VALUES`` block at the start of its top-level group pattern (and of
    the subqueries that project a bound variable, see :func:`_subquery_braces`).

    Each term is written by rdflib's N-Triples serializer (``Identifier.n3``), which escapes literals;
    IRIs are checked by the caller (:func:`nmdkg.query.library.to_iri`). No text of the caller's is pasted.
    """
    if not bindings:
        return text
    terms: dict[str, str] = {}
    for name, term in bindings.items():
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise InputError(f"not a variable name: {name!r}")
        if isinstance(term, BNode) or not isinstance(term, URIRef | Literal):
            raise InputError(f"the value bound to ?{name} cannot be written in a query: {term!r}")
        if isinstance(term, URIRef) and re.search(r'[\x00-\x20<>"{}|^`\\]', str(term)):
            raise InputError(f"not a valid IRI: {str(term)!r}")
        terms[name] = term.n3()

    def block(names: list[str]) -> str:
        return f" VALUES ({' '.join('?' + n for n in names)}) {{ ({' '.join(terms[n] for n in names)}) }}"

    inserts = [(_where_brace(text), list(terms)), *_subquery_braces(text, set(terms))]
    for brace, names in sorted(inserts, reverse=True):  # from the end, so that offsets stay valid
        text = text[: brace + 1] + block(names) + text[brace + 1:]
    return text
