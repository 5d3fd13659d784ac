"""The library of competency questions: numbered ``queries/NN-name.rq`` files with a metadata header.

A query file opens with a header of ``# key: value`` lines (a line ``#   more text`` continues the field
above it)::

    # title: Symptoms of a disorder
    # description: Which findings does a disorder present, with their HPO labels, ...
    # param: disorder iri default=MONDO:0009688 — the disorder (a MONDO, OMIM or ORPHA CURIE, or <IRI>)
    # reasoning: rdfs:subClassOf* over disorders: the findings of subtypes count for the disorder.
    # example: nmdkg query 05-symptoms-of-a-disorder --param disorder=MONDO:0019056

``title``, ``description``, ``reasoning`` and at least one ``example`` are required; ``param`` lines are
``NAME TYPE [default=VALUE | optional] — DESCRIPTION`` (without ``default=`` or ``optional`` the parameter
is required). Types (see :data:`PARAMETER_TYPES`): ``iri`` (a CURIE, expanded by the project's converter,
or ``<IRI>``), ``integer``, ``decimal``, ``string`` (a plain literal) and ``boolean``. A parameter is the
query variable of the same name; it is bound (``substitutions`` / ``initBindings``), never spliced into the
text, and a SELECT must project it (so every answer row says what it answers).

Only the numbered files directly in ``queries/`` belong to the library; ``queries/checks/`` holds the
validation checks, which are not competency questions.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.query import Result
from rdflib.term import Identifier

from nmdkg.core.errors import DataError, InputError, Problem
from nmdkg.core.paths import QUERIES_DIR
from nmdkg.core.sparql_text import parse_header, strip_comments

#: How a library file is named: two digits, a dash, lowercase words joined by dashes, ``.rq``.
NAME_PATTERN = re.compile(r"(?P<number>[0-9]{2})-[a-z0-9]+(?:-[a-z0-9]+)*\Z")
PARAMETER_TYPES = ("iri", "integer", "decimal", "string", "boolean")
HEADER_KEYS = ("title", "description", "param", "reasoning", "example")
_REQUIRED_KEYS = ("title", "description", "reasoning", "example")

_PARAM = re.compile(
    r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s+(?P<type>[a-z]+)"
    r"(?:\s+(?:default=(?:\"(?P<quoted>[^\"]*)\"|(?P<default>\S+))|(?P<optional>optional)))?"
    r"\s+(?:—|--)\s+(?P<description>\S.*)\Z"
)
#: Characters an IRI may not hold (RFC 3987 excludes them; SPARQL's IRIREF too).
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>\"{}|^`\\]*\Z")
_CURIE = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*:[^\x00-\x20<>\"{}|^`\\]*\Z")
_INTEGER = re.compile(r"[+-]?[0-9]+\Z")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\Z")
_BOOLEANS = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False}


# -- parameter values ---------------------------------------------------------------------------------

def to_iri(value: str) -> URIRef:
    """A CURIE (expanded by the project's converter), an ``<IRI>`` or a bare absolute IRI, as a URIRef.

    Refuses anything else, so that no text that is not an IRI becomes one.

    >>> to_iri("MONDO:0009688")
    rdflib.term.URIRef('http://purl.obolibrary.org/obo/MONDO_0009688')
    >>> to_iri("<https://w3id.org/nmdkg/ontology/AutoimmuneReaction>")
    rdflib.term.URIRef('https://w3id.org/nmdkg/ontology/AutoimmuneReaction')
    """
    from nmdkg.core.namespaces import expand, is_known_prefix

    text = value.strip()
    if text.startswith("<") and text.endswith(">"):
        iri = text[1:-1]
    elif re.match(r"(https?|urn|ftp):", text):
        iri = text
    elif _CURIE.match(text):
        prefix = text.split(":", 1)[0]
        if not is_known_prefix(prefix):
            raise InputError(f"{value!r}: unknown CURIE prefix {prefix!r}")
        iri = str(expand(text))
    else:
        raise InputError(f"{value!r} is not an IRI: give a CURIE of a known prefix (MONDO:0009688, "
                         "nmdkg:AutoimmuneReaction) or an IRI in angle brackets")
    if not _IRI.match(iri):
        raise InputError(f"{value!r} is not a valid IRI (no spaces, quotes, <>, {{}}, |, ^, ` or \\ allowed)")
    return URIRef(iri)


def coerce(value: str, type_: str) -> Identifier:
    """A command-line value as an RDF term of ``type_``; a value of the wrong type raises InputError.

    >>> coerce("3", "integer")
    rdflib.term.Literal('3', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer'))
    >>> coerce("three", "integer")
    Traceback (most recent call last):
    ...
    nmdkg.core.errors.InputError: 'three' is not an integer
    """
    if type_ == "iri":
        return to_iri(value)
    if type_ == "integer":
        if not _INTEGER.match(value.strip()):
            raise InputError(f"{value!r} is not an integer")
        return Literal(int(value.strip()), datatype=XSD.integer)
    if type_ == "decimal":
        if not _DECIMAL.match(value.strip()):
            raise InputError(f"{value!r} is not a decimal number")
        try:
            return Literal(Decimal(value.strip()), datatype=XSD.decimal)
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
            raise InputError(f"{value!r} is not a decimal number") from None
    if type_ == "boolean":
        if value.strip().lower() not in _BOOLEANS:
            raise InputError(f"{value!r} is not a boolean (true or false)")
        return Literal(_BOOLEANS[value.strip().lower()])
    if type_ == "string":
        return Literal(value)
    raise InputError(f"unknown parameter type {type_!r}; choose one of: {', '.join(PARAMETER_TYPES)}")


def infer(value: str) -> Identifier:
    """The term of an undeclared parameter (ad hoc queries): an IRI for ``<IRI>`` or a CURIE of a known
    prefix, an integer, a decimal, a boolean for ``true``/``false``, else a plain string."""
    from nmdkg.core.namespaces import is_known_prefix

    text = value.strip()
    if text.startswith("<") and text.endswith(">"):
        return to_iri(text)
    if _CURIE.match(text) and is_known_prefix(text.split(":", 1)[0]):
        return to_iri(text)
    if _INTEGER.match(text):
        return coerce(text, "integer")
    if _DECIMAL.match(text):
        return coerce(text, "decimal")
    if text in ("true", "false"):
        return coerce(text, "boolean")
    return Literal(value)


# -- the library ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Parameter:
    """A declared parameter: the query variable ``?name``, bound to a value of ``type``."""

    name: str
    type: str
    description: str
    default: str | None = None
    optional: bool = False

    @property
    def required(self) -> bool:
        return self.default is None and not self.optional

    def bind(self, value: str) -> Identifier:
        try:
            return coerce(value, self.type)
        except InputError as exc:
            raise InputError(f"parameter {self.name!r} ({self.type}): {exc}") from None

    def __str__(self) -> str:
        how = "optional" if self.optional else "required"
        if self.default is not None:
            how = f"default {self.default}"
        return f"{self.name} ({self.type}, {how}): {self.description}"


@dataclass(frozen=True)
class NamedQuery:
    """One competency question: its header and its SPARQL text."""

    name: str
    path: Path
    text: str
    form: str
    title: str = ""
    description: str = ""
    reasoning: str = ""
    parameters: tuple[Parameter, ...] = ()
    examples: tuple[str, ...] = ()
    #: Parameters are declared (a library file); otherwise ``--param`` values have their type inferred.
    declared: bool = True
    projected: tuple[str, ...] = field(default=(), repr=False)

    @property
    def number(self) -> int | None:
        match = NAME_PATTERN.match(self.name)
        return int(match["number"]) if match else None

    @property
    def ordered(self) -> bool:
        """Whether the answer has a defined order (an ORDER BY outside comments)."""
        return bool(re.search(r"\bORDER\s+BY\b", strip_comments(self.text), re.IGNORECASE))

    def bindings(self, values: Mapping[str, str] | None = None) -> dict[str, Identifier]:
        """The terms to bind: ``values`` (name -> text from the command line) over the defaults.

        Refuses an unknown name, a missing required value and a value of the wrong type.
        """
        values = dict(values or {})
        if not self.declared:
            bound = {}
            for name, value in values.items():
                if not re.search(rf"[?$]{re.escape(name)}\b", strip_comments(self.text)):
                    raise InputError(f"parameter {name!r}: the query has no variable ?{name}")
                bound[name] = infer(value)
            return bound
        known = {p.name: p for p in self.parameters}
        unknown = sorted(set(values) - set(known))
        if unknown:
            offered = ", ".join(known) or "none"
            raise InputError(f"{self.name}: unknown parameter {', '.join(map(repr, unknown))}; "
                             f"its parameters are: {offered}")
        bound = {}
        for parameter in self.parameters:
            if parameter.name in values:
                bound[parameter.name] = parameter.bind(values[parameter.name])
            elif parameter.default is not None:
                bound[parameter.name] = parameter.bind(parameter.default)
            elif parameter.required:
                raise InputError(f"{self.name}: parameter {parameter.name!r} is required "
                                 f"(--param {parameter.name}=VALUE)")
        return bound

    def run(self, store, values: Mapping[str, str] | None = None) -> Result:
        """Run on a :class:`nmdkg.store.Store` with ``values`` for the parameters."""
        return store.query(self.text, self.bindings(values))


def load_query_file(path: Path | str, *, library: bool = True) -> NamedQuery:
    """Read and check one query file. A library file must have a complete header (else DataError); an ad
    hoc file (``library=False``) may have none, and then its ``--param`` values have inferred types."""
    from nmdkg.store import check_query

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read the query: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: the query is not UTF-8 text: {exc}") from exc
    fields, problems = parse_header(text, path, HEADER_KEYS)
    if not library and not fields:
        plain_query = check_query(text)
        return NamedQuery(path.stem, path, text, plain_query.form, declared=False,
                          projected=plain_query.projected)

    def first(key: str) -> str:
        return fields[key][0][1] if key in fields else ""

    for key in _REQUIRED_KEYS:
        if key not in fields or not all(value for _, value in fields[key]):
            problems.append(Problem(path, 1, None, f"the header lacks a {key!r} field"))
    for key in ("title", "description", "reasoning"):
        for line, _ in fields.get(key, [])[1:]:
            problems.append(Problem(path, line, None, f"the {key!r} field is given twice"))
    parameters: list[Parameter] = []
    for line, value in fields.get("param", []):
        parameter, problem = _parse_parameter(value)
        if problem:
            problems.append(Problem(path, line, None, problem))
            continue
        assert parameter is not None
        if parameter.name in {p.name for p in parameters}:
            problems.append(Problem(path, line, None, f"parameter {parameter.name!r} is declared twice"))
        parameters.append(parameter)
    checked = None
    try:
        checked = check_query(text)
    except InputError as exc:
        problems.append(Problem(path, 1, None, str(exc)))
    body = strip_comments(text)
    for parameter in parameters:
        line = next(line for line, value in fields["param"] if value.split()[0] == parameter.name)
        if not re.search(rf"[?$]{parameter.name}\b", body):
            problems.append(Problem(path, line, None, f"parameter {parameter.name!r} has no variable "
                                                      f"?{parameter.name} in the query"))
        elif checked and checked.form == "SELECT" and checked.projected \
                and parameter.name not in checked.projected:
            reason = f"parameter {parameter.name!r}: the SELECT must project ?{parameter.name} " \
                     "(a bound variable is a column)"
            problems.append(Problem(path, line, None, reason))
    if library:
        match = NAME_PATTERN.match(path.stem)
        if not match:
            problems.append(Problem(path, 1, None, "a library query is named NN-words-with-dashes.rq"))
        for line, example in fields.get("example", []):
            if not example.startswith(f"nmdkg query {path.stem}"):
                problems.append(Problem(path, line, None,
                                        f"an example starts with 'nmdkg query {path.stem}'"))
    if problems:
        raise DataError(problems)
    assert checked is not None
    query = NamedQuery(
        name=path.stem, path=path, text=text, form=checked.form, title=first("title"),
        description=first("description"), reasoning=first("reasoning"), parameters=tuple(parameters),
        examples=tuple(value for _, value in fields.get("example", [])), projected=checked.projected,
    )
    default_problems = []
    for parameter in parameters:
        if parameter.default is not None:
            try:
                parameter.bind(parameter.default)
            except InputError as exc:
                line = next(line for line, value in fields["param"] if value.split()[0] == parameter.name)
                default_problems.append(Problem(path, line, None, f"bad default: {exc}"))
    if default_problems:
        raise DataError(default_problems)
    return query


def _parse_parameter(value: str) -> tuple[Parameter | None, str | None]:
    match = _PARAM.match(value)
    if not match:
        return None, (f"cannot read the parameter {value!r}: expected "
                      "'NAME TYPE [default=VALUE | optional] — DESCRIPTION'")
    if match["type"] not in PARAMETER_TYPES:
        return None, f"unknown parameter type {match['type']!r}; choose one of: {', '.join(PARAMETER_TYPES)}"
    default = match["quoted"] if match["quoted"] is not None else match["default"]
    return Parameter(match["name"], match["type"], match["description"].strip(), default,
                     bool(match["optional"])), None


def library_files(folder: Path | str = QUERIES_DIR) -> list[Path]:
    """The ``*.rq`` files directly in ``folder`` (not in ``checks/``), in name order."""
    return sorted(p for p in Path(folder).glob("*.rq") if p.is_file())


def load_library(folder: Path | str = QUERIES_DIR) -> dict[str, NamedQuery]:
    """Every competency question of ``folder`` by name, in number order; all problems at once (DataError)."""
    queries: dict[str, NamedQuery] = {}
    problems: list[Problem] = []
    numbers: dict[int, str] = {}
    for path in library_files(folder):
        try:
            query = load_query_file(path)
        except DataError as exc:
            problems += exc.problems
            continue
        if query.number in numbers:
            problems.append(Problem(path, 1, None,
                                    f"number {query.number:02d} is also used by {numbers[query.number]}"))
        numbers[query.number or 0] = query.name
        queries[query.name] = query
    if problems:
        raise DataError(problems)
    return queries


def find(name: str, library: Mapping[str, NamedQuery]) -> NamedQuery:
    """A query of the library by its name (``05-symptoms-of-a-disorder``), its number (``05`` or ``5``) or
    a unique start of its name; else a query file (``my-query.rq``)."""
    if name in library:
        return library[name]
    if name.isdigit():
        for query in library.values():
            if query.number == int(name):
                return query
    starts = [query for key, query in library.items() if key.startswith(name) or key[3:].startswith(name)]
    if len(starts) == 1:
        return starts[0]
    path = Path(name)
    if path.suffix == ".rq" or path.is_file():
        if not path.is_file():
            raise InputError(f"{name}: query file not found")
        return load_query_file(path, library=False)
    if len(starts) > 1:
        raise InputError(f"{name!r} names several queries: {', '.join(q.name for q in starts)}")
    close = difflib.get_close_matches(name, list(library), n=3, cutoff=0.5)
    hint = f"; did you mean {' or '.join(close)}?" if close else "; `nmdkg query --list` shows the library"
    raise InputError(f"no query named {name!r}{hint}")


def adhoc(text: str) -> NamedQuery:
    """A query given on the command line (``--sparql``): checked, without a header."""
    from nmdkg.store import check_query

    checked = check_query(text)
    return NamedQuery("sparql", Path("<--sparql>"), text, checked.form, declared=False,
                      projected=checked.projected)


def parse_params(pairs: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``NAME=VALUE`` pairs from the command line as a dict; a pair without ``=`` or a repeated name is
    refused."""
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise InputError(f"--param {pair!r}: expected NAME=VALUE")
        if name in values:
            raise InputError(f"--param {name!r} is given twice")
        values[name] = value
    return values
