"""The embedded SPARQL store: one read-only graph behind a query engine, with rdflib as the API users see.

Two engines answer the same queries:

* ``oxigraph`` (the default): pyoxigraph's in-memory store, a SPARQL engine written in Rust. An rdflib
  graph is handed over as N-Triples bytes; RDF files are loaded by Oxigraph's own parsers.
* ``rdflib``: rdflib's own SPARQL engine over the rdflib graph itself.

The default was chosen by measurement on the built graph (``benchmarks/bench_queries.py``); see
``docs/decisions/0003-query-engine.md``. Whatever the engine, :meth:`Store.query` returns an
``rdflib.query.Result`` whose terms are rdflib terms (a plain literal stays plain: an ``xsd:string`` from
Oxigraph comes back without a datatype, as rdflib parses it), and CONSTRUCT / DESCRIBE return an rdflib
``Graph``.

The store is read-only: every query is parsed before it runs, and updates (``INSERT``, ``DELETE``,
``LOAD``, ``CLEAR``, ``DROP`` ...), ``SERVICE`` calls and ``FROM`` clauses are refused with an
:class:`~nmdkg.core.errors.InputError`. Values enter a query only as bound RDF terms, written as a ``VALUES``
block by :func:`nmdkg.core.bind.with_values`, never as the caller's text.

>>> from rdflib import Graph, URIRef
>>> graph = Graph()
>>> _ = graph.add((URIRef("urn:ex:mg"), URIRef("urn:ex:p"), URIRef("urn:ex:weakness")))
>>> store = Store.from_graph(graph)
>>> result = store.query("SELECT ?s ?o WHERE { ?s <urn:ex:p> ?o }", {"s": URIRef("urn:ex:mg")})
>>> [(str(row.s), str(row.o)) for row in result]
[('urn:ex:mg', 'urn:ex:weakness')]
>>> store.query("DROP ALL")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
nmdkg.core.errors.InputError: updates are refused: the store is read-only ...
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.namespace import XSD
from rdflib.query import Result
from rdflib.term import Identifier

from nmdkg.core.errors import InputError
from nmdkg.core.terms import from_oxigraph

ENGINES = ("oxigraph", "rdflib")
#: The engine chosen by measurement (docs/decisions/0003-query-engine.md).
DEFAULT_ENGINE = "oxigraph"

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
_FORM_OF_RULE = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT",
                 "DescribeQuery": "DESCRIBE"}


#: Prefixes every query may use without declaring them (a query's own PREFIX lines win).
DEFAULT_PREFIX_NAMES = ("nmdkg", "NMDKG", "biolink", "rdf", "rdfs", "owl", "xsd", "skos", "dcterms", "MONDO",
                        "HP", "OMIM", "ORPHA", "UMLS", "HGNC", "NCBIGene", "CHEBI", "DRUGBANK", "MAXO",
                        "NCBITaxon", "PMID", "RO", "infores")


@lru_cache(maxsize=1)
def default_prefixes() -> dict[str, str]:
    """The prefixes of :data:`DEFAULT_PREFIX_NAMES`, as the project's CURIE converter expands them."""
    from nmdkg.core.namespaces import expand_iri, is_known_prefix

    return {name: expand_iri(f"{name}:") for name in DEFAULT_PREFIX_NAMES if is_known_prefix(name)}


@dataclass(frozen=True)
class CheckedQuery:
    """A query that parsed as one of the read-only forms."""

    text: str
    form: str
    #: The variables a SELECT projects (empty for ``SELECT *`` and the other forms).
    projected: tuple[str, ...]


def check_query(text: str) -> CheckedQuery:
    """Parse ``text`` and refuse anything but a read-only, local query.

    Raises :class:`InputError` for a syntax error, an update, a ``SERVICE`` call (it would reach over the
    network) or a ``FROM`` / ``FROM NAMED`` clause (it would load other graphs).
    """
    if _REMEMBERED:
        import hashlib

        known = _REMEMBERED.get(hashlib.sha256(text.encode("utf-8")).hexdigest())
        if known is not None:
            return CheckedQuery(text, known[0], known[1])
    return _check_query(text)


#: Queries already checked by this rdflib version (SHA-256 of the text -> form, projected variables),
#: from the cache a build writes (``nmdkg.release.cache``): parsing the library takes seconds.
_REMEMBERED: dict[str, tuple[str, tuple[str, ...]]] = {}


def remember_checked(entries: Mapping[str, tuple[str, tuple[str, ...]]]) -> None:
    """Add queries known to pass :func:`check_query` (by the SHA-256 of their text)."""
    _REMEMBERED.update(entries)


@lru_cache(maxsize=512)
def _check_query(text: str) -> CheckedQuery:
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        parsed = parseQuery(text)
    except ParseException as exc:
        try:
            parseUpdate(text)
        except ParseException:
            raise InputError(f"the query does not parse: {_one_line(exc)}") from None
        raise InputError("updates are refused: the store is read-only "
                         "(a query must be SELECT, ASK, CONSTRUCT or DESCRIBE)") from None
    except Exception as exc:  # noqa: BLE001 - rdflib raises other types for some malformed input (bad IRIs, prefixes)
        raise InputError(f"the query does not parse: {_one_line(exc)}") from None
    body = parsed[1]
    form = _FORM_OF_RULE.get(body.name)
    if form is None:  # pragma: no cover - the grammar has no other query forms
        raise InputError(f"unsupported query form {body.name}")
    if "datasetClause" in body:
        raise InputError("FROM and FROM NAMED are refused: a query reads only the loaded graph")
    if _contains(body, "ServiceGraphPattern"):
        raise InputError("SERVICE is refused: a query reads only the loaded graph, never the network")
    projected: tuple[str, ...] = ()
    if form == "SELECT" and "projection" in body:  # absent for SELECT *
        projected = tuple(str(item["var"] if "var" in item else item["evar"]) for item in body["projection"])
    return CheckedQuery(text, form, projected)


def check_bindings(checked: CheckedQuery, bindings: Mapping[str, Identifier] | None) -> dict[str, Identifier]:
    """The bindings of a query, checked: each value an RDF term, each variable one a SELECT projects."""
    bindings = dict(bindings or {})
    for name, term in bindings.items():
        if isinstance(term, BNode):
            raise InputError(f"cannot bind ?{name} to a blank node: a bound value is an IRI or a literal")
        if not isinstance(term, URIRef | Literal):
            raise InputError(f"the value bound to ?{name} is not an RDF term: {term!r}")
    if checked.form == "SELECT" and checked.projected:
        missing = sorted(set(bindings) - set(checked.projected))
        if missing:
            names = ", ".join("?" + m for m in missing)
            raise InputError(f"cannot bind {names}: a bound variable must be one of the variables "
                             "the SELECT projects")
    return bindings


def _contains(node: Any, name: str) -> bool:
    if getattr(node, "name", None) == name:
        return True
    if isinstance(node, Mapping):
        return any(_contains(value, name) for value in node.values())
    if isinstance(node, list | tuple) or type(node).__name__ == "ParseResults":
        return any(_contains(item, name) for item in node)
    return False


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def plain(term: Any) -> Any:
    """An ``xsd:string`` literal as the plain literal rdflib parses it to; every other term unchanged."""
    if isinstance(term, Literal) and term.datatype == XSD.string and term.language is None:
        return Literal(str(term))
    return term


class Store:
    """A read-only SPARQL store over one graph.

    Build it with :meth:`from_graph` (an rdflib graph, e.g. ``nmdkg.build_graph()``) or :meth:`from_files`
    (RDF files, e.g. ``output/nmdkg.nt``), then call :meth:`query`.
    """

    def __init__(self, engine: str = DEFAULT_ENGINE):
        if engine not in ENGINES:
            raise InputError(f"unknown engine {engine!r}; choose one of: {', '.join(ENGINES)}")
        self.engine = engine
        self._graph: Graph | None = None
        self._ox: Any = None
        if engine == "oxigraph":
            import pyoxigraph

            self._ox = pyoxigraph.Store()
        else:
            self._graph = Graph(bind_namespaces="none")

    @property
    def oxigraph(self) -> Any:
        """The ``pyoxigraph.Store`` that holds the graph (engine ``oxigraph``), else None."""
        return self._ox

    # -- loading ----------------------------------------------------------------------------------

    @classmethod
    def from_graph(cls, graph: Graph, engine: str = DEFAULT_ENGINE) -> Store:
        """A store over ``graph``. The rdflib engine queries ``graph`` itself; Oxigraph gets a copy."""
        store = cls(engine)
        if store._ox is not None:
            import pyoxigraph

            data = graph.serialize(format="nt", encoding="utf-8")
            store._ox.load(data, format=pyoxigraph.RdfFormat.N_TRIPLES)
        else:
            store._graph = graph
        return store

    @classmethod
    def from_oxigraph(cls, store: Any) -> Store:
        """A store over an open ``pyoxigraph.Store`` (such as the on-disk store of a build, opened read-only)."""
        wrapped = cls.__new__(cls)
        wrapped.engine, wrapped._graph, wrapped._ox = "oxigraph", None, store
        return wrapped

    @classmethod
    def from_ntriples(cls, data: bytes, engine: str = DEFAULT_ENGINE) -> Store:
        """A store over N-Triples bytes (such as ``nmdkg.core.ntriples.lines(nmdkg.build.graph.build_canonical())``)."""
        store = cls(engine)
        try:
            if store._ox is not None:
                import pyoxigraph

                store._ox.load(data, format=pyoxigraph.RdfFormat.N_TRIPLES)
            else:
                assert store._graph is not None
                store._graph.parse(data=data, format="nt")
        except Exception as exc:
            raise InputError(f"cannot parse the N-Triples: {_one_line(exc)}") from exc
        return store

    @classmethod
    def from_files(cls, paths: Iterable[Path | str], engine: str = DEFAULT_ENGINE) -> Store:
        """A store over the union of RDF files; the format is told by the suffix (``nmdkg.core.rdf_formats``).

        Raises :class:`InputError` for a missing file, an unknown suffix or a syntax error.
        """
        store = cls(engine)
        paths = [Path(p) for p in paths]
        if not paths:
            raise InputError("no RDF file given")
        for path in paths:
            store.load_file(path)
        if len(store) == 0:
            files = ", ".join(map(str, paths))
            raise InputError(f"{files}: holds no triples (an empty RDF file); give a built graph such as "
                             "output/nmdkg.nt")
        return store

    def load_file(self, path: Path | str) -> None:
        """Add the triples of one RDF file (``nmdkg.core.rdf_read``)."""
        from nmdkg.core.rdf_read import load_oxigraph, parse_file

        if self._ox is not None:
            load_oxigraph(self._ox, path)
        else:
            assert self._graph is not None
            parse_file(path, self._graph)

    def __len__(self) -> int:
        if self._ox is not None:
            return len(self._ox)
        assert self._graph is not None
        return len(self._graph)

    def triples(self) -> set[tuple[Any, Any, Any]]:
        """Every triple of the default graph (the graph itself; a served store keeps the build's VoID
        description in a named graph beside it), as rdflib terms (for tests that the store is unchanged)."""
        if self._ox is not None:
            import pyoxigraph

            quads = self._ox.quads_for_pattern(None, None, None, pyoxigraph.DefaultGraph())
            return {(from_oxigraph(q.subject), from_oxigraph(q.predicate), from_oxigraph(q.object)) for q in quads}
        assert self._graph is not None
        return {(s, p, plain(o)) for s, p, o in self._graph}

    # -- querying ---------------------------------------------------------------------------------

    def query(self, text: str, bindings: Mapping[str, Identifier] | None = None) -> Result:
        """Run a read-only query with variables bound to rdflib terms; return an rdflib ``Result``.

        ``bindings`` maps variable names (without ``?``) to terms; they are written into the query as a
        ``VALUES`` block (:func:`nmdkg.core.bind.with_values`), the same on every engine and on remote endpoints.
        For a SELECT every bound variable must be projected: a query of the library shows its parameters
        as columns. The default prefixes (:func:`default_prefixes`) are declared.
        """
        from nmdkg.core.bind import with_values

        checked = check_query(text)
        bound = with_values(checked.text, check_bindings(checked, bindings))
        if self._ox is not None:
            return self._query_oxigraph(checked, bound)
        return self._query_rdflib(checked, bound)

    def _query_rdflib(self, checked: CheckedQuery, text: str) -> Result:
        assert self._graph is not None
        prepared = _prepared(text)
        try:
            raw = self._graph.query(prepared)
        except Exception as exc:  # evaluation errors of rdflib's engine
            raise InputError(f"the query failed: {_one_line(exc)}") from exc
        if checked.form == "ASK":
            result = Result("ASK")
            result.askAnswer = bool(raw.askAnswer)
            return result
        if checked.form in ("CONSTRUCT", "DESCRIBE"):
            result = Result(checked.form)
            result.graph = _copy(raw.graph or ())
            return result
        result = Result("SELECT")
        result.vars = list(raw.vars or [])
        result.bindings = [{var: plain(value) for var, value in row.items() if value is not None}
                           for row in raw.bindings]
        return result

    def _query_oxigraph(self, checked: CheckedQuery, text: str) -> Result:
        import pyoxigraph

        try:
            raw = self._ox.query(text, prefixes=default_prefixes())
        except SyntaxError as exc:
            raise InputError(f"the query does not parse: {_one_line(exc)}") from exc
        except (RuntimeError, ValueError, OSError) as exc:
            raise InputError(f"the query failed: {_one_line(exc)}") from exc
        if isinstance(raw, pyoxigraph.QueryBoolean):
            result = Result("ASK")
            result.askAnswer = bool(raw)
            return result
        if isinstance(raw, pyoxigraph.QueryTriples):
            result = Result(checked.form)
            result.graph = _copy((from_oxigraph(t.subject), from_oxigraph(t.predicate), from_oxigraph(t.object))
                                 for t in raw)
            return result
        variables = [Variable(v.value) for v in raw.variables]
        result = Result("SELECT")
        result.vars = variables
        rows: list[Mapping[Variable, Identifier]] = []
        # Each distinct term is converted once per result: long answers repeat their labels and classes,
        # and the conversion (a language-tagged literal most of all) is what costs in such an answer.
        converted: dict[Any, Identifier] = {}
        for solution in raw:
            row = {}
            for var, value in zip(variables, solution, strict=True):
                if value is not None:
                    term = converted.get(value)
                    if term is None:
                        term = converted[value] = from_oxigraph(value)
                    row[var] = term
            rows.append(row)
        result.bindings = rows
        return result


@lru_cache(maxsize=512)
def _prepared(text: str):
    """rdflib's prepared (parsed and translated) form of a query, kept per query text."""
    from rdflib.plugins.sparql import prepareQuery

    try:
        return prepareQuery(text, initNs=default_prefixes())
    except Exception as exc:
        raise InputError(f"the query does not parse: {_one_line(exc)}") from exc


def _copy(triples: Iterable[tuple[Any, Any, Any]]) -> Graph:
    graph = Graph(bind_namespaces="none")
    for s, p, o in triples:
        graph.add((s, p, plain(o)))
    return graph
