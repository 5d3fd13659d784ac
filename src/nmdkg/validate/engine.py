"""The fast SHACL engine: the SHACL Core subset the shapes use, compiled into lookups on per-predicate
indexes (:class:`CoreEngine`). It refuses shapes that use anything outside that subset
(:class:`UnsupportedShapes`), so it can never skip a constraint silently."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from nmdkg.core.errors import InputError
from nmdkg.core.ntriples import parse_object, to_rdflib
from nmdkg.validate.data import RawResult, Term, TermTable, english, term_text
from nmdkg.validate.report import curie, shape_name


class UnsupportedShapes(InputError):
    """Shapes use a SHACL feature the fast engine does not implement (use the pyshacl engine)."""


#: Predicates of a shape that carry no constraint.
_ANNOTATIONS = {RDF.type, RDFS.comment, RDFS.label, RDFS.subClassOf, SH.name, SH.description, SH.message,
                SH.severity, SH.order, SH.group, SH.deactivated}


#: The targets the fast engine implements (besides implicit class targets: a shape that is an rdfs:Class).
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


#: The constraint parameters the fast engine implements, each with its SHACL Core constraint component:
#: exactly the components of ``shapes/nmdkg-shapes.ttl`` (docs/decisions/0002-validation.md lists them).
COMPONENTS = {
    SH["class"]: SH.ClassConstraintComponent, SH.datatype: SH.DatatypeConstraintComponent,
    SH.nodeKind: SH.NodeKindConstraintComponent, SH.minCount: SH.MinCountConstraintComponent,
    SH.maxCount: SH.MaxCountConstraintComponent, SH.minInclusive: SH.MinInclusiveConstraintComponent,
    SH.maxInclusive: SH.MaxInclusiveConstraintComponent, SH.minExclusive: SH.MinExclusiveConstraintComponent,
    SH.maxExclusive: SH.MaxExclusiveConstraintComponent, SH.minLength: SH.MinLengthConstraintComponent,
    SH.maxLength: SH.MaxLengthConstraintComponent, SH.pattern: SH.PatternConstraintComponent,
    SH.languageIn: SH.LanguageInConstraintComponent,
    SH.lessThanOrEquals: SH.LessThanOrEqualsConstraintComponent, SH["not"]: SH.NotConstraintComponent,
    SH["and"]: SH.AndConstraintComponent, SH["or"]: SH.OrConstraintComponent,
    SH.node: SH.NodeConstraintComponent, SH.property: SH.PropertyConstraintComponent,
    SH.hasValue: SH.HasValueConstraintComponent, SH["in"]: SH.InConstraintComponent,
}


#: Parameters only a property shape (one with ``sh:path``) may have.
_PATH_ONLY = {SH.minCount, SH.maxCount, SH.lessThanOrEquals}


_SUPPORTED = {*TARGETS, *COMPONENTS, SH.path, SH.flags}


#: Parameters SHACL allows at most once per shape.
_SINGLE = {SH.datatype, SH.nodeKind, SH.minCount, SH.maxCount, SH.minInclusive, SH.maxInclusive,
           SH.minExclusive, SH.maxExclusive, SH.minLength, SH.maxLength, SH.languageIn, SH["in"], SH.flags,
           SH.severity, SH.deactivated}


#: The first characters of the N-Triples strings of each node kind: ``<`` an IRI, ``_`` a blank node,
#: ``"`` a literal.
_NODE_KINDS: dict[Node, str] = {
    SH.IRI: "<", SH.BlankNode: "_", SH.Literal: '"', SH.BlankNodeOrIRI: "_<", SH.BlankNodeOrLiteral: '_"',
    SH.IRIOrLiteral: '<"',
}


# Lexical spaces (XML Schema 1.1 part 2) of the datatypes the engine recognises: a literal of one of them
# whose lexical form is outside the space is ill-typed, and fails sh:datatype.
_X = str(XSD)


_INTEGER = r"[+-]?[0-9]+"


_DECIMAL = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"


_FLOAT = r"(?:[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?INF|NaN)"


_TZ = r"(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"


_DATE = r"-?(?:[1-9][0-9]{3,}|0[0-9]{3})-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"


_TIME = r"(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?|24:00:00(?:\.0+)?)"


_LEXICAL = {name: re.compile(pattern) for name, pattern in {
    f"{_X}boolean": "true|false|1|0", f"{_X}integer": _INTEGER, f"{_X}decimal": _DECIMAL,
    f"{_X}float": _FLOAT, f"{_X}double": _FLOAT, f"{_X}dateTime": f"{_DATE}T{_TIME}{_TZ}",
    f"{_X}date": f"{_DATE}{_TZ}", f"{_X}time": f"{_TIME}{_TZ}",
    f"{_X}gYear": f"-?(?:[1-9][0-9]{{3,}}|0[0-9]{{3}}){_TZ}",
    **{f"{_X}{n}": _INTEGER for n in ("nonNegativeInteger", "positiveInteger", "nonPositiveInteger",
                                        "negativeInteger", "long", "int", "short", "byte", "unsignedLong",
                                        "unsignedInt", "unsignedShort", "unsignedByte")},
}.items()}


#: Value bounds of the integer types derived from xsd:integer.
_INTEGER_BOUNDS = {
    "nonNegativeInteger": (0, None), "positiveInteger": (1, None), "nonPositiveInteger": (None, 0),
    "negativeInteger": (None, -1), "long": (-2**63, 2**63 - 1), "int": (-2**31, 2**31 - 1),
    "short": (-2**15, 2**15 - 1), "byte": (-128, 127), "unsignedLong": (0, 2**64 - 1),
    "unsignedInt": (0, 2**32 - 1), "unsignedShort": (0, 2**16 - 1), "unsignedByte": (0, 255),
}


#: Datatypes whose every lexical form is valid (strings; IRIs are not checked further).
_ANY_LEXICAL = {f"{_X}string", f"{_X}anyURI", f"{_X}normalizedString", f"{_X}token"}


_LANG_STRING = str(RDF.langString)


_XSD_STRING = str(XSD.string)


_NUMERIC = {f"{_X}integer", f"{_X}decimal", f"{_X}float", f"{_X}double",
            *(f"{_X}{n}" for n in _INTEGER_BOUNDS)}


@contextmanager
def keep_lexical_forms() -> Iterator[None]:
    """Parse RDF with rdflib keeping every literal's lexical form as written (rdflib normalises them by
    default: "01"^^xsd:integer reads "1", and "yes"^^xsd:boolean reads "false")."""
    import rdflib

    before = rdflib.NORMALIZE_LITERALS
    rdflib.NORMALIZE_LITERALS = False
    try:
        yield
    finally:
        rdflib.NORMALIZE_LITERALS = before


# A constraint: (context, focus, value nodes) -> failures, each (value node or None, component); the data
# nodes are N-Triples strings
Constraint = Callable[["_Context", Term, Sequence[Term]], Iterable[tuple[Term | None, URIRef]]]


#: A failure found by a constraint's ``batch`` (its run over many focus nodes at once, given as (focus,
#: value nodes) pairs): (focus node, value node or None, component).
_Failure = tuple[Term, Term | None, URIRef]


@dataclass
class _Shape:
    node: Node
    path: Node | None
    predicate: str | None  # the N-Triples string of the path when it is one IRI
    severity: URIRef
    message: str | None
    # (target predicate, N-Triples string); an implicit class target is (rdfs:Class, the shape itself)
    targets: tuple[tuple[URIRef, str], ...]
    constraints: list[Constraint]
    properties: list[_Shape]


class CoreEngine:
    """The shapes compiled once; :meth:`validate` runs them over any number of graphs.

    :meth:`compile` raises :class:`UnsupportedShapes`, naming the shape and the feature, for anything outside
    :data:`TARGETS` and :data:`COMPONENTS`: the engine either implements a shape completely or refuses it.
    """

    def __init__(self, shapes: Graph, roots: list[_Shape]):
        self.shapes = shapes
        self.roots = roots

    @classmethod
    def compile(cls, shapes: Graph) -> CoreEngine:
        """Compile the shapes with targets (and everything they refer to); raise if a feature is missing."""
        cached = _COMPILED.get(id(shapes))
        if cached is not None and cached.shapes is shapes:
            return cached
        compiler = _Compiler(shapes)
        if (None, SH.target, None) in shapes:
            node = next(shapes.subjects(SH.target))
            raise compiler.refuse(node, "uses sh:target (SPARQL-based targets)")
        rooted = {s for p in TARGETS for s in shapes.subjects(p)} | compiler.implicit
        roots = [compiler.shape(node) for node in sorted(rooted, key=str)]
        # Every other shape is compiled too, so that a feature outside the subset is refused even where no
        # target reaches it yet.
        for node in sorted(compiler.all_shapes() - rooted, key=str):
            compiler.shape(node)
        engine = cls(shapes, [r for r in roots if r is not None])
        _COMPILED[id(shapes)] = engine
        return engine

    def validate(self, data: Graph | TermTable) -> list[RawResult[Node]]:
        table = TermTable.from_graph(data) if isinstance(data, Graph) else data
        ctx = _Context(table, self.shapes)
        raws: list[RawResult[Term]] = []
        for shape in self.roots:
            focus = sorted(set().union(*(ctx.targets(kind, node) for kind, node in shape.targets)))
            raws.extend(ctx.evaluate(shape, focus))
        # the engine works on N-Triples strings; results carry rdflib terms
        return [RawResult(_as_written(raw.focus), raw.shape, None if raw.value is None else _as_written(raw.value),
                     raw.component, raw.severity, raw.message, raw.path, raw.check) for raw in raws]


def _as_written(text: str) -> Node:
    """The rdflib term of an N-Triples string; a literal keeps its lexical form (an ill-typed one too)."""
    if text[0] != '"':
        return to_rdflib(text)
    _, lexical, language, datatype = parse_object(text)
    return Literal(lexical, lang=language, datatype=URIRef(datatype) if datatype else None, normalize=False)


_COMPILED: dict[int, CoreEngine] = {}


_IN_PROGRESS = object()


class _Compiler:
    def __init__(self, shapes: Graph):
        self.g = shapes
        self.done: dict[Node, Any] = {}  # a _Shape, None (deactivated) or _IN_PROGRESS
        self.implicit = self.implicit_class_shapes()

    def implicit_class_shapes(self) -> set[Node]:
        """Shapes that are also classes (SHACL instances of rdfs:Class): each targets its own instances."""
        g = self.g
        classes: set[Node] = {RDFS.Class}
        todo: list[Node] = [RDFS.Class]
        while todo:
            for sub in g.subjects(RDFS.subClassOf, todo.pop()):
                if sub not in classes:
                    classes.add(sub)
                    todo.append(sub)
        shapes = self.all_shapes()
        return {node for c in classes for node in g.subjects(RDF.type, c) if node in shapes}

    def all_shapes(self) -> set[Node]:
        """Every node the shapes graph makes a shape: typed as one, with a target, constraint or path, or
        the value of a shape-expecting parameter."""
        g = self.g
        found = {s for t in (SH.NodeShape, SH.PropertyShape) for s in g.subjects(RDF.type, t)}
        for p in (*TARGETS, *COMPONENTS, SH.path, SH.target):
            found.update(s for s in g.subjects(p) if not isinstance(s, Literal))
        found.update(g.objects(predicate=SH.property))
        found.update(g.objects(predicate=SH.node))
        found.update(g.objects(predicate=SH["not"]))
        for p in (SH["and"], SH["or"]):
            for members in g.objects(predicate=p):
                found.update(g.items(members))
        # list cells of sh:in, sh:languageIn ... are not shapes
        return {s for s in found if (s, RDF.first, None) not in g or (s, SH.path, None) in g}

    def refuse(self, node: Node, what: str) -> UnsupportedShapes:
        return UnsupportedShapes(f"{shape_name(self.g, node)}: {what}, which the fast engine does not "
                                 "implement; validate with the pyshacl engine")

    def shape(self, node: Node) -> _Shape | None:
        if node in self.done:
            found = self.done[node]
            if found is _IN_PROGRESS:
                raise self.refuse(node, "a recursive shape (it refers to itself)")
            return found
        g = self.g
        if g.value(node, SH.deactivated) == Literal(True):
            self.done[node] = None
            return None
        self.done[node] = _IN_PROGRESS
        predicates = set(g.predicates(node)) - _ANNOTATIONS
        unknown = sorted(curie(p) for p in predicates - _SUPPORTED)
        if unknown:
            raise self.refuse(node, f"uses {', '.join(unknown)}")
        paths = list(g.objects(node, SH.path))
        if len(paths) > 1:
            raise self.refuse(node, "has more than one sh:path")
        path = paths[0] if paths else None
        if path is None and predicates & _PATH_ONLY:
            raise self.refuse(node, f"uses {', '.join(sorted(curie(p) for p in predicates & _PATH_ONLY))} "
                              "without sh:path")
        if path is not None:
            self.check_path(node, path)
        repeated = sorted(curie(p) for p in predicates & _SINGLE if len(list(g.objects(node, p))) > 1)
        if repeated:
            raise self.refuse(node, f"gives {', '.join(repeated)} more than once (SHACL allows one value)")
        severity = g.value(node, SH.severity) or SH.Violation
        if not isinstance(severity, URIRef) or severity not in (SH.Violation, SH.Warning, SH.Info):
            raise self.refuse(node, f"has the severity {curie(severity)}")
        constraints: list[Constraint] = []
        for predicate in sorted(predicates - {*TARGETS, SH.property, SH.path, SH.flags}, key=str):
            assert isinstance(predicate, URIRef)  # one of _SUPPORTED (the others are refused above)
            for value in g.objects(node, predicate):
                constraints.append(self.constraint(node, predicate, value))
        if SH.flags in predicates and SH.pattern not in predicates:
            raise self.refuse(node, "has sh:flags without sh:pattern")
        properties = []
        for child in sorted(g.objects(node, SH.property), key=str):
            if g.value(child, SH.path) is None:
                raise self.refuse(child, "is the value of sh:property but has no sh:path")
            compiled = self.shape(child)
            if compiled is not None:
                properties.append(compiled)
        targets = [(p, term_text(t)) for p in TARGETS for t in sorted(g.objects(node, p), key=str)]
        if node in self.implicit:
            targets.append((RDFS.Class, term_text(node)))
        compiled = _Shape(node, path, term_text(path) if isinstance(path, URIRef) else None, severity,
                          english(g, node, SH.message), tuple(targets), constraints, properties)
        self.done[node] = compiled
        return compiled

    def check_path(self, shape: Node, path: Node) -> None:
        """Refuse a path the engine cannot follow (an inverse of anything but an IRI, a malformed path)."""
        g = self.g
        if isinstance(path, URIRef):
            return
        if isinstance(path, Literal):
            raise self.refuse(shape, f"has the literal {path.n3()} as sh:path")
        kinds = [p for p in (SH.inversePath, SH.alternativePath, SH.zeroOrMorePath, SH.oneOrMorePath,
                             SH.zeroOrOnePath, RDF.first) if (path, p, None) in g]
        if len(kinds) != 1:
            raise self.refuse(shape, f"has a path node that is {len(kinds)} kinds of path at once")
        inverse = g.value(path, SH.inversePath)
        if inverse is not None:
            if not isinstance(inverse, URIRef):
                raise self.refuse(shape, "inverts a complex path (sh:inversePath of anything but an IRI)")
            return
        alternatives = g.value(path, SH.alternativePath)
        if alternatives is not None:
            members = self.members(shape, alternatives)
            if len(members) < 2:
                raise self.refuse(shape, "has an sh:alternativePath of fewer than two paths")
            for member in members:
                self.check_path(shape, member)
            return
        for closure in (SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath):
            inner = g.value(path, closure)
            if inner is not None:
                self.check_path(shape, inner)
                return
        if (path, RDF.first, None) in g:
            steps = self.members(shape, path)
            if len(steps) < 2:
                raise self.refuse(shape, "has a sequence path of fewer than two steps")
            for step in steps:
                self.check_path(shape, step)
            return
        raise self.refuse(shape, f"has an sh:path of a kind it does not know ({path.n3()})")

    def members(self, shape: Node, node: Node) -> list[Node]:
        """The members of an RDF list; refuse anything that is not one."""
        if node != RDF.nil and (node, RDF.first, None) not in self.g:
            raise self.refuse(shape, f"has {node.n3()} where an RDF list is expected")
        return list(self.g.items(node))

    def constraint(self, shape: Node, predicate: URIRef, value: Node) -> Constraint:
        refuse = self.refuse
        if predicate in (SH.minCount, SH.maxCount, SH.minLength, SH.maxLength):
            number = value.value if isinstance(value, Literal) else None
            if not (isinstance(number, int) and not isinstance(number, bool) and number >= 0):
                raise refuse(shape, f"has {curie(predicate)} {value.n3()}, not a non-negative integer")
        if predicate == SH.minCount:
            n = int(str(value))  # a Literal (checked above): its lexical form

            def min_count(ctx: _Context, f: str, vs: Sequence[str]) -> list[tuple[str | None, URIRef]]:
                return [(None, SH.MinCountConstraintComponent)] if len(vs) < n else []
            min_count.batch = lambda ctx, pairs: [  # type: ignore[attr-defined]
                (f, None, SH.MinCountConstraintComponent) for f, vs in pairs if len(vs) < n]
            return min_count
        if predicate == SH.maxCount:
            n = int(str(value))  # a Literal (checked above): its lexical form

            def max_count(ctx: _Context, f: str, vs: Sequence[str]) -> list[tuple[str | None, URIRef]]:
                return [(None, SH.MaxCountConstraintComponent)] if len(vs) > n else []
            max_count.without_values_holds = True  # type: ignore[attr-defined]
            max_count.batch = lambda ctx, pairs: [  # type: ignore[attr-defined]
                (f, None, SH.MaxCountConstraintComponent) for f, vs in pairs if len(vs) > n]
            return max_count
        if predicate == SH.datatype:
            if not isinstance(value, URIRef):
                raise refuse(shape, f"has sh:datatype {value.n3()}, not an IRI")
            datatype = str(value)
            if datatype == _RDFS_LITERAL_TEXT or (datatype.startswith(_X) and datatype not in _LEXICAL
                                               and datatype not in _ANY_LEXICAL):
                raise refuse(shape, f"has sh:datatype {curie(value)}, a datatype whose lexical space it does "
                             "not check")
            return _each(lambda ctx, v: ctx.has_datatype(v, datatype), SH.DatatypeConstraintComponent)
        # The two most frequent constraints test each value inline (no call per value).
        if predicate == SH.nodeKind:
            if value not in _NODE_KINDS:
                raise refuse(shape, f"has sh:nodeKind {value.n3()}, which is not a SHACL node kind")
            kinds = _NODE_KINDS[value]

            def node_kind(ctx: _Context, f: str, vs: Sequence[str]) -> list[tuple[str | None, URIRef]]:
                return [(v, SH.NodeKindConstraintComponent) for v in vs if v[0] not in kinds]
            node_kind.per_value = True  # type: ignore[attr-defined]
            node_kind.batch = lambda ctx, pairs: [  # type: ignore[attr-defined]
                (f, v, SH.NodeKindConstraintComponent) for f, vs in pairs for v in vs if v[0] not in kinds]
            return node_kind
        if predicate == SH["class"]:
            cls = term_text(value)

            def class_(ctx: _Context, f: str, vs: Sequence[str]) -> list[tuple[str | None, URIRef]]:
                members = ctx.instances(cls)
                return [(v, SH.ClassConstraintComponent) for v in vs if v not in members]
            class_.per_value = True  # type: ignore[attr-defined]

            def class_batch(ctx: _Context, pairs: Sequence[tuple[str, Sequence[str]]]) -> list[_Failure]:
                members = ctx.instances(cls)
                return [(f, v, SH.ClassConstraintComponent) for f, vs in pairs for v in vs if v not in members]
            class_.batch = class_batch  # type: ignore[attr-defined]
            return class_
        if predicate == SH.pattern:
            flag_values = list(self.g.objects(shape, SH.flags))
            flags = str(flag_values[0]) if flag_values else ""
            if len(flag_values) > 1 or set(flags) - set("ismx"):
                raise refuse(shape, f"has the regular expression flags {flags!r} (supported: i, s, m, x)")
            bits = {"i": re.IGNORECASE, "s": re.DOTALL, "m": re.MULTILINE, "x": re.VERBOSE}
            try:
                regex = re.compile(str(value), sum(bits[c] for c in set(flags)))
            except re.error as exc:
                raise refuse(shape, f"has a regular expression Python cannot read ({exc})") from None
            return _each(lambda ctx, v: v[0] != "_" and regex.search(ctx.lexical(v)) is not None,
                         SH.PatternConstraintComponent)
        if predicate == SH.languageIn:
            wanted = [str(x).lower() for x in self.members(shape, value)]
            return _each(lambda ctx, v: v[0] == '"' and _language_in(ctx.parts(v)[2], wanted),
                         SH.LanguageInConstraintComponent)
        if predicate in (SH.minLength, SH.maxLength):
            n = int(str(value))  # a Literal (checked above): its lexical form
            is_min = predicate == SH.minLength

            def length_ok(ctx: _Context, v: str) -> bool:
                if v[0] == "_":  # a blank node has no string form: it fails either constraint
                    return False
                size = len(ctx.lexical(v))
                return size >= n if is_min else size <= n
            return _each(length_ok, COMPONENTS[predicate])
        if predicate == SH["in"]:
            allowed = {term_text(member) for member in self.members(shape, value)}
            return _each(lambda ctx, v: v in allowed, SH.InConstraintComponent)
        if predicate == SH.hasValue:
            wanted_value = term_text(value)
            def has_value(ctx: _Context, f: str, vs: Sequence[str]) -> list[tuple[str | None, URIRef]]:
                return [] if wanted_value in vs else [(None, SH.HasValueConstraintComponent)]
            has_value.batch = lambda ctx, pairs: [  # type: ignore[attr-defined]
                (f, None, SH.HasValueConstraintComponent) for f, vs in pairs if wanted_value not in vs]
            return has_value
        if predicate in (SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive):
            limit = _comparable(term_text(value))
            if limit is None or limit[0] in _UNDEFINED or limit[0].startswith("other "):
                raise refuse(shape, f"has {curie(predicate)} {value.n3()}, a value it cannot compare")
            return self.range_constraint(shape, predicate, limit)
        if predicate in (SH["or"], SH["and"]):
            shapes = [self.shape(m) for m in self.members(shape, value)]
            if predicate == SH["or"]:
                return _each(lambda ctx, v: any(s is None or ctx.conforms(v, s) for s in shapes),
                             SH.OrConstraintComponent)
            return _each(lambda ctx, v: all(s is None or ctx.conforms(v, s) for s in shapes),
                         SH.AndConstraintComponent)
        if predicate == SH["not"]:
            negated = self.shape(value)
            return _each(lambda ctx, v: negated is None or not ctx.conforms(v, negated), SH.NotConstraintComponent)
        if predicate == SH.node:
            target = self.shape(value)
            return _each(lambda ctx, v: target is None or ctx.conforms(v, target), SH.NodeConstraintComponent)
        if predicate == SH.lessThanOrEquals:
            if not isinstance(value, URIRef):
                raise refuse(shape, f"has sh:lessThanOrEquals {value.n3()}, not an IRI")
            other = value

            def less_than_or_equals(ctx: _Context, f: str, vs: Sequence[str]) -> list:
                others = [ctx.comparable(o) for o in ctx.values(f, other)]
                with self.deciding(shape):
                    return [(v, SH.LessThanOrEqualsConstraintComponent) for v in vs
                            if not all(_compare(ctx.comparable(v), o, allow_equal=True) for o in others)]
            less_than_or_equals.without_values_holds = True  # type: ignore[attr-defined]
            return less_than_or_equals
        raise refuse(shape, f"uses {curie(predicate)}")  # pragma: no cover - _SUPPORTED lists what is handled

    def range_constraint(self, shape: Node, predicate: URIRef, limit: tuple[str, Any]) -> Constraint:
        component = COMPONENTS[predicate]
        allow_equal = predicate in (SH.minInclusive, SH.maxInclusive)
        low = predicate in (SH.minInclusive, SH.minExclusive)

        def in_range(ctx: _Context, v: str) -> bool:
            with self.deciding(shape):
                if low:
                    return _compare(limit, ctx.comparable(v), allow_equal=allow_equal)
                return _compare(ctx.comparable(v), limit, allow_equal=allow_equal)
        return _each(in_range, component)

    @contextmanager
    def deciding(self, shape: Node) -> Iterator[None]:
        """Turn a comparison SPARQL 1.1 leaves undefined into a refusal naming the shape."""
        try:
            yield
        except _Undefined as exc:
            raise self.refuse(shape, f"compares {exc}, which SPARQL 1.1 leaves undefined (engines "
                                     "differ)") from None


def _each(test: Callable[[_Context, str], bool], component: URIRef) -> Constraint:
    """A constraint that checks each value node on its own (so it has nothing to say without values).

    The test depends on the value node and the data alone, so a run over many focus nodes (``batch``)
    tests each distinct value once."""
    def check(ctx: _Context, f: str, vs: Sequence[str]) -> list[tuple[str | None, URIRef]]:
        return [(v, component) for v in vs if not test(ctx, v)]

    def batch(ctx: _Context, pairs: Sequence[tuple[str, Sequence[str]]]) -> list[_Failure]:
        verdicts = ctx.verdicts.setdefault(id(check), {})
        failures: list[_Failure] = []
        for f, vs in pairs:
            for v in vs:
                holds = verdicts.get(v)
                if holds is None:
                    holds = verdicts[v] = bool(test(ctx, v))
                if not holds:
                    failures.append((f, v, component))
        return failures
    check.per_value = True  # type: ignore[attr-defined]
    check.batch = batch  # type: ignore[attr-defined]
    return check


class _Context:
    """One validation run over one data graph: indexes and class extensions, computed on demand.

    Data nodes are N-Triples strings (:class:`TermTable`); shape nodes stay rdflib terms, and a path or
    class is turned into its string where it meets the data. A literal is read from its string as written
    (lexical form, language, datatype), never through an rdflib term, which would normalise the lexical form.
    """

    def __init__(self, data: TermTable, shapes: Graph):
        self.data = data
        self.shapes = shapes  # where complex (blank node) paths are described
        self.out: dict[str, dict[str, list[str]]] = {}
        self.inv: dict[str, dict[str, list[str]]] = {}
        self.extensions: dict[str, frozenset[str]] = {}
        self.split: dict[str, tuple[str, str, str | None, str | None]] = {}
        self.values_cache: dict[str, Any] = {}
        self.verdicts: dict[int, dict[str, bool]] = {}  # per value-by-value constraint: value node -> holds

    def parts(self, text: str) -> tuple[str, str, str | None, str | None]:
        """(kind, lexical form or IRI, language, datatype) of a data node, read once."""
        found = self.split.get(text)
        if found is None:
            found = ("bnode", text[2:], None, None) if text[0] == "_" else parse_object(text)
            self.split[text] = found
        return found

    def lexical(self, text: str) -> str:
        """An IRI's text, or a literal's lexical form (as written)."""
        return text[1:-1] if text[0] == "<" else self.parts(text)[1]

    def has_datatype(self, text: str, datatype: str) -> bool:
        """``text`` is a literal of ``datatype`` whose lexical form is in the datatype's lexical space."""
        if text[0] != '"':
            return False
        _, lexical, language, actual = self.parts(text)
        actual = _LANG_STRING if language else (actual or _XSD_STRING)
        return actual == datatype and _well_formed(lexical, actual) and text not in self.data.ill_typed

    def comparable(self, text: str) -> tuple[str, Any] | None:
        found = self.values_cache.get(text, self)
        if found is self:
            found = self.values_cache[text] = _comparable(text)
        return found

    def index(self, predicate: str, inverse: bool = False) -> dict[str, list[str]]:
        table = self.inv if inverse else self.out
        found = table.get(predicate)
        if found is None:
            found = {}
            for s, o in self.data.subject_objects(predicate):
                key, value = (o, s) if inverse else (s, o)
                bucket = found.get(key)
                if bucket is None:
                    found[key] = [value]
                else:
                    bucket.append(value)
            table[predicate] = found
        return found

    def instances(self, cls: str) -> frozenset[str]:
        """Nodes typed ``cls`` or a subclass of it (rdf:type/rdfs:subClassOf*), as SHACL defines it."""
        found = self.extensions.get(cls)
        if found is None:
            subclasses = {cls}
            todo = [cls]
            below = self.index(_SUBCLASS_OF, inverse=True)
            while todo:
                for sub in below.get(todo.pop(), ()):
                    if sub not in subclasses:
                        subclasses.add(sub)
                        todo.append(sub)
            typed = self.index(_TYPE, inverse=True)
            found = frozenset(x for c in subclasses for x in typed.get(c, ()))
            self.extensions[cls] = found
        return found

    def targets(self, kind: URIRef, node: str) -> Iterable[str]:
        """The focus nodes of one target of a shape."""
        if kind in (SH.targetClass, RDFS.Class):
            return self.instances(node)
        if kind == SH.targetNode:
            return (node,)
        return self.index(node, inverse=kind == SH.targetObjectsOf).keys()

    def values(self, focus: str, path: Node) -> Sequence[str]:
        """The value nodes of ``path`` from ``focus`` (predicate, inverse, alternative, sequence, * + ?)."""
        if isinstance(path, URIRef):
            return self.index(term_text(path)).get(focus, ())
        g = self.shapes
        inverse = g.value(path, SH.inversePath)
        if inverse is not None:  # an IRI (the compiler refuses any other)
            return self.index(term_text(inverse), inverse=True).get(focus, ())
        alternatives = g.value(path, SH.alternativePath)
        if alternatives is not None:
            return list(dict.fromkeys(v for p in g.items(alternatives) for v in self.values(focus, p)))
        for closure, with_self, repeat in ((SH.zeroOrMorePath, True, True), (SH.oneOrMorePath, False, True),
                                           (SH.zeroOrOnePath, True, False)):
            inner = g.value(path, closure)
            if inner is not None:
                seen: dict[str, None] = {focus: None} if with_self else {}
                frontier = [focus]
                while frontier:
                    step = [v for f in frontier for v in self.values(f, inner) if v not in seen]
                    seen.update(dict.fromkeys(step))
                    frontier = list(dict.fromkeys(step)) if repeat else []
                return list(seen)
        nodes = [focus]
        for part in g.items(path):
            nodes = list(dict.fromkeys(v for n in nodes for v in self.values(n, part)))
        return nodes

    def evaluate(self, shape: _Shape, focus_nodes: Iterable[str],
                 focus_set: set[str] | None = None) -> list[RawResult[Term]]:
        raws: list[RawResult[Term]] = []
        focus_nodes = list(focus_nodes)
        always = [c for c in shape.constraints if not getattr(c, "per_value", False)]
        every = always + [c for c in shape.constraints if getattr(c, "per_value", False)]
        # What a focus node without values still has to be checked for (sh:minCount, sh:hasValue ...)
        empty = [c for c in always if not getattr(c, "without_values_holds", False)]
        index = self.index(shape.predicate) if shape.predicate is not None else None
        if index is not None and not empty and len(index) < len(focus_nodes):
            # A sparse property (sh:maxCount, per-value constraints): only the focus nodes that have values.
            focus_set = set(focus_nodes) if focus_set is None else focus_set
            pairs: Iterable[tuple[str, Sequence[str]]] = ((f, vs) for f, vs in index.items() if f in focus_set)
        elif index is not None:
            pairs = ((f, index.get(f, ())) for f in focus_nodes)
        elif shape.path is None:
            pairs = ((f, (f,)) for f in focus_nodes)
        else:
            pairs = ((f, self.values(f, shape.path)) for f in focus_nodes)
        # One constraint at a time over every focus node (``batch``, where the constraint has one: a loop in
        # a comprehension instead of a call per focus node and constraint); the others per focus node.
        # A value-by-value constraint has nothing to say of a focus node without values.
        pairs = list(pairs)
        for constraint in every:
            batch = getattr(constraint, "batch", None)
            if batch is not None:
                failures: list[_Failure] = batch(self, pairs)
            else:
                run_empty = constraint in always
                failures = [(f, value, component) for f, values in pairs if values or run_empty
                            for value, component in constraint(self, f, values)]
            raws.extend(RawResult(f, shape.node, value, component, shape.severity, shape.message)
                        for f, value, component in failures)
        # sh:property under a property shape validates the parent's value nodes, each as a focus node.
        nested: dict[str, None] | None = {} if shape.path is not None and shape.properties else None
        if nested is not None:
            for _, values in pairs:
                nested.update(dict.fromkeys(values))
        if nested is not None:
            for child in shape.properties:
                raws.extend(self.evaluate(child, sorted(nested)))
            return raws
        if shape.properties and focus_set is None and len(shape.properties) > 1:
            focus_set = set(focus_nodes)
        for child in shape.properties:
            raws.extend(self.evaluate(child, focus_nodes, focus_set))
        return raws

    def conforms(self, node: str, shape: _Shape) -> bool:
        if shape.path is None:
            values: Sequence[str] = (node,)
        elif shape.predicate is not None:  # the common case, without the call to values()
            index = self.out.get(shape.predicate)
            values = (index if index is not None else self.index(shape.predicate)).get(node, ())
        else:
            values = self.values(node, shape.path)
        for constraint in shape.constraints:
            if constraint(self, node, values):
                return False
        for child in shape.properties:
            for value in values:
                if not self.conforms(value, child):
                    return False
        return True


_TYPE, _SUBCLASS_OF = f"<{RDF.type}>", f"<{RDFS.subClassOf}>"


_RDFS_LITERAL_TEXT, _XSD_STRING_TEXT = str(RDFS.Literal), f"{_X}string"


def _well_formed(lexical: str, datatype: str | None) -> bool:
    """``lexical`` is in the lexical space of ``datatype`` (any form is, of a datatype the engine does not
    know)."""
    if datatype is None:
        return True
    pattern = _LEXICAL.get(datatype)
    if pattern is None:
        return True
    if pattern.fullmatch(lexical) is None:
        return False
    name = datatype[len(_X):]
    bounds = _INTEGER_BOUNDS.get(name)
    if bounds is not None:
        low, high = bounds
        n = int(lexical)
        return (low is None or n >= low) and (high is None or n <= high)
    if name in ("date", "dateTime"):
        return _comparable_time(lexical, name) is not None or not lexical[:4].isdigit() or lexical[0] == "0" \
            or len(lexical.split("-")[0]) > 4  # a valid day of a year Python cannot represent
    return True


def _language_in(language: str | None, wanted: list[str]) -> bool:
    """SPARQL langMatches of ``language`` against any of the ranges ``wanted`` (lower case)."""
    if not language:
        return False
    tag = language.lower()
    return any(r == "*" or tag == r or tag.startswith(r + "-") for r in wanted)


#: Kinds of term that SPARQL 1.1's ``<`` does not order, but which engines compare with strings and with each
#: other in their own ways: the fast engine refuses such a comparison rather than pick one answer.
_UNDEFINED = {"iri", "lang"}


class _Undefined(Exception):
    """A comparison of kinds in :data:`_UNDEFINED` with each other or with a string."""


def _comparable(text: str) -> tuple[str, Any] | None:
    """(kind, value) of a data node for SPARQL's ``<``: numbers, strings, booleans, dates and date-times;
    ``iri`` and ``lang`` for IRIs and language-tagged strings, ``other <datatype>`` for literals of other
    datatypes (two of them of one datatype are not compared: refused); None for what ``<`` never compares
    (blank nodes, ill-typed literals)."""
    if text[0] == "<":
        return "iri", text
    if text[0] != '"':
        return None
    _, lexical, language, datatype = parse_object(text)
    if language:
        return "lang", (lexical, language.lower())
    if datatype is None or datatype == _XSD_STRING_TEXT:
        return "string", lexical
    if not _well_formed(lexical, datatype):
        return None
    if datatype in _NUMERIC:
        if datatype in (f"{_X}float", f"{_X}double"):
            return "number", float(lexical.replace("INF", "inf"))
        return "number", Decimal(lexical)
    if datatype == f"{_X}boolean":
        return "boolean", lexical in ("true", "1")
    if datatype in (f"{_X}dateTime", f"{_X}date"):
        found = _comparable_time(lexical, datatype[len(_X):])
        return None if found is None else (datatype[len(_X):], found)
    return f"other {datatype}", lexical  # xsd:time, xsd:gYear, a datatype of its own ...


def _comparable_time(lexical: str, name: str) -> Any:
    """A date-time as (naive UTC datetime, has timezone), or None when Python cannot represent it."""
    import datetime as dt

    match = re.fullmatch(r"(.*?)(Z|[+-]\d\d:\d\d)?", lexical)
    body, zone = match.group(1), match.group(2)  # type: ignore[union-attr]
    try:
        if name == "date":
            moment = dt.datetime.combine(dt.date.fromisoformat(body), dt.time())
        else:
            day, time = body.split("T")
            extra = dt.timedelta(0)
            if time.startswith("24:"):
                time, extra = "00:00:00", dt.timedelta(days=1)
            seconds = time.split(".")
            fraction = seconds[1][:6].ljust(6, "0") if len(seconds) > 1 else "000000"
            moment = dt.datetime.fromisoformat(f"{day}T{seconds[0]}.{fraction}") + extra
    except ValueError:
        return None
    if zone:
        offset = dt.timedelta(0) if zone == "Z" else (1 if zone[0] == "+" else -1) * dt.timedelta(
            hours=int(zone[1:3]), minutes=int(zone[4:6]))
        moment -= offset
    return moment, bool(zone)


def _compare(low: tuple[str, Any] | None, high: tuple[str, Any] | None, *, allow_equal: bool) -> bool:
    """``low <= high`` (or ``<``) as SPARQL evaluates it; False where it is an error (incomparable values)."""
    import datetime as dt

    if low is None or high is None:
        return False
    if (low[0] in _UNDEFINED and high[0] in _UNDEFINED | {"string"}) or (
            high[0] in _UNDEFINED and low[0] in _UNDEFINED | {"string"}):
        raise _Undefined(f"{low[0]} {low[1]!r} with {high[0]} {high[1]!r}")
    if low[0] != high[0]:
        return False
    if low[0].startswith("other "):  # two values of a datatype the engine does not order (xsd:time ...)
        raise _Undefined(f"{low[1]!r} with {high[1]!r} ({low[0][6:]})")
    a, b = low[1], high[1]
    if low[0] in ("dateTime", "date"):
        (a, a_zoned), (b, b_zoned) = a, b
        if a_zoned != b_zoned:  # XSD: compare the local time at +14:00 and at -14:00; both must agree
            shift = dt.timedelta(hours=14)
            pairs = [(a - shift, b), (a + shift, b)] if not a_zoned else [(a, b - shift), (a, b + shift)]
            answers = {(x <= y if allow_equal else x < y) for x, y in pairs}
            return answers == {True}
    return a <= b if allow_equal else a < b
