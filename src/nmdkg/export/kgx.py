"""Graph -> KGX: ``nodes.tsv`` and ``edges.tsv`` in the Biolink Model, and a ``graph-info.json`` summary.

KGX (the Knowledge Graph Exchange format of the Biolink community, as Monarch and KG-Hub publish it) has one
row per node and one row per edge, list values joined by ``|``. Everything here is read from the graph
itself, so new classes and properties flow through without a code change:

* a node's ``category`` is the nearest Biolink class its nmdkg class reaches by ``rdfs:subClassOf`` in the
  ontology (ancestors of another listed category dropped, by the Biolink Model's own class hierarchy);
  a node whose classes reach none is a ``biolink:NamedThing``;
* an edge's ``predicate`` is the nearest Biolink slot its nmdkg property reaches by
  ``rdfs:subPropertyOf`` (``original_predicate`` keeps the nmdkg property); ``rdfs:subClassOf`` and the
  classification facts (``rdf:type`` of a disorder group) are ``biolink:subclass_of``;
* an edge's ``category`` is the nearest Biolink association class of its association node's class that
  the Biolink Model accepts for the edge's predicate (its Pydantic model is the judge), else a more
  general one up to ``biolink:Association``.

Edges come from the association nodes (every fact with its provenance: ``primary_knowledge_source``,
``publications``, ``negated``, qualifiers) and from the plain triples between two nodes that no association
states (the HPO and disorder hierarchies, cause -> gene, symptom group -> member). A fact that a correction
rejects has no direct triple in the graph and is not exported; a negated annotation is exported with
``negated`` true. Curated facts' knowledge source is ``infores:nmdkg`` (this project; see
``docs/decisions/0010-interoperability.md``).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from functools import cache, lru_cache
from pathlib import Path

from nmdkg.core.namespaces import BIOLINK, NMDKG, compress
from nmdkg.core.ntriples import NTriple, parse_object, term

#: The knowledge source of the curated facts: this project (not yet in the Information Resource Registry).
NMDKG_INFORES = "infores:nmdkg"
#: The infores of each upstream source document node the graph names (``nmdkg.build.hpo``).
INFORES_OF_SOURCE = {
    "NMDKG:source-hp-obo": "infores:hp",
    "NMDKG:source-phenotype-hpoa": "infores:hpo-annotations",
    "NMDKG:source-genes-to-phenotype": "infores:hpo-annotations",
}
NODE_COLUMNS = ("id", "category", "name", "description", "xref", "synonym", "provided_by", "has_attribute_type",
                "publication_type")
EDGE_COLUMNS = ("id", "subject", "predicate", "object", "category", "negated", "primary_knowledge_source",
                "aggregator_knowledge_source", "knowledge_level", "agent_type", "publications",
                "original_predicate", "onset_qualifier", "frequency_qualifier", "has_count", "has_total",
                "has_percentage")
FILES = ("nodes.tsv", "edges.tsv", "graph-info.json")

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_TYPE, _SUBCLASS, _SUBPROPERTY = f"<{_RDF}type>", f"<{_RDFS}subClassOf>", f"<{_RDFS}subPropertyOf>"
_LABEL, _DEFINITION = f"<{_RDFS}label>", f"<{_SKOS}definition>"
_ALT_LABEL, _EXACT = f"<{_SKOS}altLabel>", f"<{_SKOS}exactMatch>"
_OWL_CLASS = "<http://www.w3.org/2002/07/owl#Class>"
_BIOLINK = f"<{BIOLINK}"
_NMDKG = f"<{NMDKG}"
_ASSOCIATION = term(BIOLINK.Association)
_SUBCLASS_OF = "biolink:subclass_of"
_FIELDS = {term(BIOLINK[name]): name for name in (
    "subject", "predicate", "object", "primary_knowledge_source", "publications", "negated",
    "onset_qualifier", "frequency_qualifier", "has_count", "has_total", "has_percentage")}
_CLAIMED_BY, _MENTIONED_IN, _EVIDENCE = term(NMDKG.claimedBy), term(NMDKG.mentionedIn), term(NMDKG.evidenceCode)


def _curie(node: str) -> str:
    """The CURIE of an N-Triples IRI (the IRI itself where no prefix covers it)."""
    iri = node[1:-1]
    return compress(iri) or iri


def _value(node: str) -> str:
    kind, value, _, _ = parse_object(node)
    return _curie(node) if kind == "iri" else value


@cache
def _biolink_class(curie: str):
    """The Pydantic class of a Biolink class CURIE (``biolink:Disease``), or None."""
    from biolink_model.datamodel import pydanticmodel_v2 as model

    return getattr(model, curie.split(":", 1)[1], None) if curie.startswith("biolink:") else None


def _most_specific(categories: set[str]) -> list[str]:
    """Drop every category that is a Biolink ancestor of another one."""
    classes = {c: _biolink_class(c) for c in categories}
    return sorted(c for c in categories
                  if not any(o != c and classes[o] is not None and classes[c] is not None
                             and issubclass(classes[o], classes[c]) for o in categories))


@cache
def _accepts(category: str, predicate: str) -> bool:
    """Whether the Biolink Model's class ``category`` accepts an edge with ``predicate``."""
    from pydantic import ValidationError

    cls = _biolink_class(category)
    if cls is None:
        return False
    try:
        cls(id="x:1", subject="x:1", predicate=predicate, object="x:2", knowledge_level="knowledge_assertion",
            agent_type="manual_agent")
    except ValidationError as exc:
        return not any(error["loc"][:1] == ("predicate",) for error in exc.errors())
    return True


def _edge_category(candidates: list[str], predicate: str) -> str:
    """The first candidate association class, or a Biolink ancestor of it, that accepts ``predicate``."""
    from biolink_model.datamodel.pydanticmodel_v2 import Association

    for candidate in candidates:
        cls = _biolink_class(candidate)
        for ancestor in (cls.__mro__ if cls is not None else ()):
            name = f"biolink:{ancestor.__name__}"  # mixins are no edge categories: Association's subclasses only
            if isinstance(ancestor, type) and issubclass(ancestor, Association) and _accepts(name, predicate):
                return name
    return "biolink:Association"


class _Graph:
    """The triples indexed for the export: types, hierarchies, literals and the association nodes."""

    def __init__(self, triples: Iterable[NTriple]):
        self.types: dict[str, set[str]] = defaultdict(set)
        self.superclasses: dict[str, set[str]] = defaultdict(set)
        self.superproperties: dict[str, set[str]] = defaultdict(set)
        self.values: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        self.edges: list[NTriple] = []  # IRI-valued triples: direct edge candidates
        for s, p, o in triples:
            if p == _TYPE:
                self.types[s].add(o)
            elif p == _SUBPROPERTY:
                self.superproperties[s].add(o)
            if p == _SUBCLASS:
                self.superclasses[s].add(o)
            if p in (_LABEL, _DEFINITION, _ALT_LABEL, _EXACT, _MENTIONED_IN, _CLAIMED_BY, _EVIDENCE) \
                    or p in _FIELDS:
                self.values[s][p].append(o)
            if o.startswith("<") and p != _TYPE:
                self.edges.append((s, p, o))
        self._nearest_class: dict[str, set[str]] = {}
        self._nearest_property: dict[str, set[str]] = {}

    def nearest(self, start: str, up: dict[str, set[str]], cache: dict[str, set[str]]) -> set[str]:
        """The Biolink terms first reached from ``start`` walking ``up`` (breadth first, every path)."""
        if start not in cache:
            found: set[str] = set()
            seen, frontier = {start}, [start]
            while frontier:
                following = []
                for node in frontier:
                    if node.startswith(_BIOLINK):
                        found.add(node)
                        continue
                    for parent in up.get(node, ()):
                        if parent not in seen:
                            seen.add(parent)
                            following.append(parent)
                frontier = following
            cache[start] = found
        return cache[start]

    def biolink_classes(self, cls: str) -> set[str]:
        return self.nearest(cls, self.superclasses, self._nearest_class)

    def biolink_slots(self, prop: str) -> set[str]:
        return self.nearest(prop, self.superproperties, self._nearest_property)

    def is_association(self, node: str) -> bool:
        return any(_ASSOCIATION in self.biolink_classes(t) or t == _ASSOCIATION for t in self.types.get(node, ()))

    def first(self, node: str, prop: str) -> str | None:
        found = self.values.get(node, {}).get(prop)
        return _value(min(found)) if found else None


def tables(triples: Iterable[NTriple]) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The KGX node and edge rows of a graph given as N-Triples term strings, each sorted by ``id``."""
    g = _Graph(triples)
    associations = {node for node in g.types if g.is_association(node)}
    entities = {node for node, types in g.types.items()
                if node not in associations and _OWL_CLASS not in types
                and any(g.biolink_classes(t) for t in types)}
    edges: dict[str, dict[str, str]] = {}
    stated: set[NTriple] = set()
    direct = set(g.edges)
    for node in sorted(associations):
        fields = {name: g.values[node].get(prop, []) for prop, name in _FIELDS.items()}
        if not (fields["subject"] and fields["predicate"] and fields["object"]):
            continue
        s, p, o = fields["subject"][0], fields["predicate"][0], fields["object"][0]
        stated.add((s, p, o))
        negated = bool(fields["negated"]) and parse_object(fields["negated"][0])[1] == "true"
        if not negated and (s, p, o) not in direct:
            continue  # a claim the graph does not assert (a correction rejects it)
        predicate = _predicate(g, p)
        if predicate is None:
            continue
        classes = _most_specific({_curie(c) for t in g.types[node] for c in g.biolink_classes(t)})
        source = g.first(node, term(BIOLINK.primary_knowledge_source))
        # a curated fact names its source document; an upstream one its references (the document is the source)
        claimed = [] if source else [_curie(c) for c in g.values[node].get(_CLAIMED_BY, [])]
        publications = sorted({_value(v) for v in fields["publications"]} | set(claimed))
        evidence = g.first(node, _EVIDENCE)
        edges[_curie(node)] = _edge(
            _curie(node), _curie(s), predicate, _curie(o), _edge_category(classes, predicate), negated,
            source or NMDKG_INFORES, "automated_agent" if evidence == "IEA" else "manual_agent", publications,
            _curie(p) if p.startswith(_NMDKG) else "", {name: sorted(_value(v) for v in fields[name])
                                                        for name in ("onset_qualifier", "frequency_qualifier",
                                                                     "has_count", "has_total", "has_percentage")})
        entities.update((s, o))
    for s, p, o in sorted(direct - stated):
        if s not in entities or o not in entities or (p != _SUBCLASS and not p.startswith(_NMDKG)):
            continue
        predicate = _predicate(g, p)
        if predicate is None:
            continue
        key = "NMDKG:edge-" + hashlib.sha1(f"{s} {p} {o}".encode()).hexdigest()[:16]
        edges[key] = _edge(key, _curie(s), predicate, _curie(o), _edge_category([], predicate), False,
                           _source_of(g, s), "manual_agent", [], _curie(p) if p.startswith(_NMDKG) else "", {})
    nodes = {}
    for node in entities:
        types = g.types.get(node, set()) or ({node} if node in g.superclasses else set())
        if node.startswith(_NMDKG) and _OWL_CLASS in types:
            types = {node}  # a disorder group, object of a classification edge: the class's own category
        categories = _most_specific({_curie(c) for t in types for c in g.biolink_classes(t)}) \
            or ["biolink:NamedThing"]
        values = g.values.get(node, {})
        nodes[_curie(node)] = {
            "id": _curie(node), "category": "|".join(categories),
            "name": _cell(g.first(node, _LABEL) or ""), "description": _cell(g.first(node, _DEFINITION) or ""),
            "xref": "|".join(sorted({_value(v) for v in values.get(_EXACT, [])})),
            "synonym": "|".join(sorted({_cell(_value(v)) for v in values.get(_ALT_LABEL, [])})),
            "provided_by": "|".join(sorted({INFORES_OF_SOURCE.get(_curie(v), NMDKG_INFORES)
                                            for v in values.get(_MENTIONED_IN, [])}) or [NMDKG_INFORES]),
            # Biolink attributes (inheritance modes, clinical modifiers) name the class that describes them:
            # for an ontology term, the term itself
            "has_attribute_type": _curie(node) if any(_is_attribute(c) for c in categories) else "",
            # Biolink requires a publication's type: a plain word, as the graph types no document further
            "publication_type": "document" if "biolink:Publication" in categories else "",
        }
    return [nodes[k] for k in sorted(nodes)], [edges[k] for k in sorted(edges)]


def _is_attribute(category: str) -> bool:
    from biolink_model.datamodel.pydanticmodel_v2 import Attribute

    cls = _biolink_class(category)
    return cls is not None and issubclass(cls, Attribute)


@lru_cache(maxsize=1)
def _biolink_slots() -> dict:
    """The slots of the Biolink Model's own schema (the YAML its package ships)."""
    from importlib.resources import files

    import yaml

    text = (files("biolink_model") / "schema" / "biolink_model.yaml").read_text(encoding="utf-8")
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))["slots"]


@cache
def biolink_predicate(curie: str) -> str:
    """The slot itself where the Biolink schema makes it a predicate (its ``is_a`` chain reaches
    ``related to``), else its nearest ancestor that is one, else ``biolink:related_to``.

    >>> biolink_predicate("biolink:has_phenotype"), biolink_predicate("biolink:has_attribute")
    ('biolink:has_phenotype', 'biolink:related_to')
    """
    slots, name = _biolink_slots(), curie.removeprefix("biolink:").replace("_", " ")
    chain = []
    while name in slots:
        chain.append(name)
        if name == "related to":
            return "biolink:" + chain[0].replace(" ", "_")
        name = slots[name].get("is_a")
    return "biolink:related_to"


def _predicate(g: _Graph, prop: str) -> str | None:
    if prop in (_SUBCLASS, _TYPE):
        return _SUBCLASS_OF
    slots = sorted(_curie(s) for s in g.biolink_slots(prop))
    return biolink_predicate(slots[0]) if slots else None


def _source_of(g: _Graph, node: str) -> str:
    sources = sorted(INFORES_OF_SOURCE.get(_curie(v), NMDKG_INFORES) for v in g.values[node].get(_MENTIONED_IN, []))
    return sources[0] if sources else NMDKG_INFORES


def _cell(text: str) -> str:
    """A TSV cell: tabs, line breaks and the list separator ``|`` become spaces."""
    return " ".join(text.replace("|", " ").split())


def _edge(identifier: str, subject: str, predicate: str, obj: str, category: str, negated: bool, source: str,
          agent: str, publications: list[str], original: str, qualifiers: dict[str, list[str]]) -> dict[str, str]:
    row = {"id": identifier, "subject": subject, "predicate": predicate, "object": obj, "category": category,
           "negated": "True" if negated else "", "primary_knowledge_source": source,
           "aggregator_knowledge_source": NMDKG_INFORES if source != NMDKG_INFORES else "",
           "knowledge_level": "knowledge_assertion", "agent_type": agent,
           "publications": "|".join(publications), "original_predicate": original}
    fields = _biolink_class(category).model_fields  # a qualifier the category has no slot for is left out
    for column in EDGE_COLUMNS[12:]:
        row[column] = "|".join(qualifiers.get(column, [])) if column in fields else ""
    return row


def as_tsv(rows: list[dict[str, str]], columns: tuple[str, ...]) -> bytes:
    lines = ["\t".join(columns)] + ["\t".join(row.get(column, "") for column in columns) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def graph_info(nodes: list[dict[str, str]], edges: list[dict[str, str]], version: str) -> dict:
    """A summary in the manner of KGX's meta-knowledge-graph report: node counts per category (with their
    identifier prefixes and sources), edge counts per (subject category, predicate, object category)."""
    category_of = {row["id"]: row["category"].split("|")[0] for row in nodes}
    per_category: dict[str, dict] = {}
    for row in nodes:
        for category in row["category"].split("|"):
            entry = per_category.setdefault(category, {"count": 0, "id_prefixes": set(), "provided_by": Counter()})
            entry["count"] += 1
            entry["id_prefixes"].add(row["id"].split(":", 1)[0])
            entry["provided_by"].update(row["provided_by"].split("|"))
    meta: Counter = Counter()
    by_source: dict[tuple, Counter] = defaultdict(Counter)
    for row in edges:
        key = (category_of.get(row["subject"], ""), row["predicate"], category_of.get(row["object"], ""))
        meta[key] += 1
        by_source[key][row["primary_knowledge_source"]] += 1
    return {
        "name": "nmdkg", "version": version, "format": "KGX TSV (Biolink Model)",
        "biolink_version": _biolink_version(),
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "knowledge_sources": sorted({row["primary_knowledge_source"] for row in edges} | {NMDKG_INFORES}),
        "node_count": len(nodes), "edge_count": len(edges),
        "negated_edge_count": sum(1 for row in edges if row["negated"]),
        "nodes": {category: {"count": e["count"], "id_prefixes": sorted(e["id_prefixes"]),
                             "count_by_source": dict(sorted(e["provided_by"].items()))}
                  for category, e in sorted(per_category.items())},
        "edges": [{"subject": s, "predicate": p, "object": o, "count": count,
                   "count_by_source": dict(sorted(by_source[(s, p, o)].items()))}
                  for (s, p, o), count in sorted(meta.items())],
    }


def _biolink_version() -> str:
    from importlib.metadata import version

    return version("biolink-model")


def write(triples: Iterable[NTriple], out_dir: Path, version: str, staged=None) -> list[Path]:
    """Write ``nodes.tsv``, ``edges.tsv`` and ``graph-info.json`` into ``out_dir``, atomically (or staged in a
    ``nmdkg.core.io.StagedFiles``)."""
    from nmdkg.core.io import write_bytes_atomic

    nodes, edges = tables(triples)
    info = json.dumps(graph_info(nodes, edges, version), indent=2, ensure_ascii=False) + "\n"
    payloads = {out_dir / "nodes.tsv": as_tsv(nodes, NODE_COLUMNS), out_dir / "edges.tsv": as_tsv(edges, EDGE_COLUMNS),
                out_dir / "graph-info.json": info.encode("utf-8")}
    for path, data in payloads.items():
        if staged is not None:
            staged.write(path, data)
        else:
            write_bytes_atomic(path, data)
    return list(payloads)
