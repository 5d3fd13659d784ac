"""Knowledge graph -> NetworkX: the disorder-phenotype network, read by SPARQL.

:func:`read` runs a handful of SPARQL SELECT queries over the graph and returns a :class:`PhenotypeData`:

* ``bipartite``: a NetworkX graph of disorders and phenotypes (``kind`` ``disorder`` or ``phenotype``,
  NetworkX's ``bipartite`` 0 or 1, ``label``, ``identifier``, ``iri``; disorders also ``category``, their
  nmdkg class), one edge per positive ``nmdkg:hasPhenotype`` triple with ``frequency`` (0..1, the highest
  of its annotations, when one is given) and ``source`` (the documents that claim it). A disorder is any
  node with at least one such edge: the article's MONDO disorders and the OMIM and Orphanet diseases of the
  HPO annotations. **Negated annotations never become edges**: the build never writes their plain triple,
  and an edge whose only annotations are negated is dropped all the same.
* ``negated``: the negated (``NOT``) annotations, as (disorder, phenotype) pairs, which the diagnosis uses
  as evidence *against* a disorder;
* ``parents`` and ``term_labels``: the HPO hierarchy of the graph (``rdfs:subClassOf`` between HP terms);
* ``counterparts``: each annotated disease's article disorder(s) (``rdfs:subClassOf`` a MONDO seed).
  An annotated disease is one named by an OMIM, Orphanet or DECIPHER identifier.

Nodes are named by CURIE (``OMIM:310200``, ``ORPHA:589``, ``MONDO:0009688``, ``HP:0001324``).

The source can be an rdflib ``Graph`` (copied once into an in-memory Oxigraph store, whose SPARQL engine
is Rust: the edge query takes 0.2 s at the neuromuscular scope there and over 6 s in rdflib's engine), a
``pyoxigraph.Store``, an :class:`nmdkg.store.Store` or anything else with a ``query(text)`` method that
returns rows of RDF terms, the path of an RDF file (N-Triples, Turtle, ...), or the bytes of an N-Triples
document (what ``nmdkg.core.ntriples.lines(nmdkg.build.graph.build_canonical())`` gives: the fast path).

>>> from rdflib import Graph
>>> g = Graph().parse(format="turtle", data='''
... @prefix nmdkg: <https://w3id.org/nmdkg/ontology/> .
... @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
... @prefix OMIM: <http://purl.obolibrary.org/obo/OMIM_> .
... @prefix HP: <http://purl.obolibrary.org/obo/HP_> .
... OMIM:310200 rdfs:label "Duchenne muscular dystrophy" ; nmdkg:hasPhenotype HP:0003560 .
... HP:0003560 rdfs:label "Muscular dystrophy" ; rdfs:subClassOf HP:0003011 .
... ''')
>>> B = bipartite_graph(g)
>>> sorted(B.nodes(data="kind"))
[('HP:0003560', 'phenotype'), ('OMIM:310200', 'disorder')]
>>> B.nodes["OMIM:310200"]["label"]
'Duchenne muscular dystrophy'
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any, ClassVar

import networkx as nx
import numpy as np
import scipy.sparse as sp

from nmdkg.core.gcpause import paused

HP_NAMESPACE = "http://purl.obolibrary.org/obo/HP_"
NMDKG_NAMESPACE = "https://w3id.org/nmdkg/ontology/"

PREFIXES = """\
PREFIX nmdkg: <https://w3id.org/nmdkg/ontology/>
PREFIX biolink: <https://w3id.org/biolink/vocab/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""

#: Every plain has-phenotype triple: the edges.
EDGES_QUERY = PREFIXES + """
SELECT ?disorder ?phenotype WHERE { ?disorder nmdkg:hasPhenotype ?phenotype }"""

#: Every disorder-phenotype annotation (association node), negated or not, with frequency and source.
#: (A separate query rather than an OPTIONAL of the one above: Oxigraph plans that join far more slowly.)
ANNOTATIONS_QUERY = PREFIXES + """
SELECT ?disorder ?phenotype ?negated ?frequencyTerm ?count ?total ?percentage ?source WHERE {
  ?association biolink:predicate nmdkg:hasPhenotype ; biolink:subject ?disorder ; biolink:object ?phenotype .
  OPTIONAL { ?association biolink:negated ?negated }
  OPTIONAL { ?association biolink:frequency_qualifier ?frequencyTerm }
  OPTIONAL { ?association biolink:has_count ?count ; biolink:has_total ?total }
  OPTIONAL { ?association biolink:has_percentage ?percentage }
  OPTIONAL { ?association nmdkg:claimedBy ?source }
}"""

#: Every annotation (association node) of a disorder with a phenotype, with its qualifiers and each
#: publication it cites: what the diagnosis ranker reads (``nmdkg.diagnose.ranker.read_associations``).
ASSOCIATIONS_QUERY = PREFIXES + """
SELECT ?association ?disorder ?phenotype ?negated ?frequencyTerm ?count ?total ?percentage ?publication WHERE {
  ?association biolink:predicate nmdkg:hasPhenotype ; biolink:subject ?disorder ; biolink:object ?phenotype .
  OPTIONAL { ?association biolink:negated ?negated }
  OPTIONAL { ?association biolink:frequency_qualifier ?frequencyTerm }
  OPTIONAL { ?association biolink:has_count ?count ; biolink:has_total ?total }
  OPTIONAL { ?association biolink:has_percentage ?percentage }
  OPTIONAL { ?association biolink:publications ?publication }
}"""

#: Label, identifier and classes of every disorder (a node with a has-phenotype edge).
DISORDERS_QUERY = PREFIXES + """
SELECT DISTINCT ?disorder ?key ?value WHERE {
  ?disorder nmdkg:hasPhenotype ?phenotype .
  { ?disorder rdfs:label ?value BIND("label" AS ?key) }
  UNION { ?disorder dcterms:identifier ?value BIND("identifier" AS ?key) }
  UNION { ?disorder rdf:type ?value BIND("type" AS ?key) }
}"""

#: Every HPO term of the graph with its label, and its superclasses among HPO terms.
TERMS_QUERY = PREFIXES + """
SELECT ?term ?label ?parent WHERE {
  { ?term rdfs:label ?label } UNION { ?term rdfs:subClassOf ?parent }
  FILTER(STRSTARTS(STR(?term), "http://purl.obolibrary.org/obo/HP_"))
  FILTER(!BOUND(?parent) || STRSTARTS(STR(?parent), "http://purl.obolibrary.org/obo/HP_"))
}"""

#: Disorders with phenotypes that are subclasses of another disorder with phenotypes; those of an annotated
#: disease (OMIM, Orphanet) name its article disorder (its MONDO seed).
COUNTERPARTS_QUERY = PREFIXES + """
SELECT DISTINCT ?disorder ?seed WHERE {
  ?disorder rdfs:subClassOf ?seed ; nmdkg:hasPhenotype ?phenotype .
  ?seed nmdkg:hasPhenotype ?seedPhenotype .
}"""

#: Prefixes of the diseases of the HPO annotations (the ones the diagnosis ranks).
ANNOTATED_PREFIXES = ("OMIM:", "ORPHA:", "DECIPHER:")

#: The numeric frequency of each HPO frequency term: the middle of its range (as Exomiser and LIRICAL use).
FREQUENCY_OF_TERM = {
    "HP:0040280": 1.0,     # Obligate (100%)
    "HP:0040281": 0.895,   # Very frequent (80-99%)
    "HP:0040282": 0.545,   # Frequent (30-79%)
    "HP:0040283": 0.17,    # Occasional (5-29%)
    "HP:0040284": 0.025,   # Very rare (1-4%)
    "HP:0040285": 0.0,     # Excluded (0%)
}

Row = tuple[str | None, ...]


@dataclass
class PhenotypeData:
    """What the analysis and the diagnosis read from the graph (see the module docstring)."""

    bipartite: nx.Graph
    negated: tuple[tuple[str, str], ...] = ()
    parents: dict[str, tuple[str, ...]] = field(default_factory=dict)
    term_labels: dict[str, str] = field(default_factory=dict)
    counterparts: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def disorders(self) -> list[str]:
        """Disorder nodes, sorted."""
        return sorted(n for n, kind in self.bipartite.nodes(data="kind") if kind == "disorder")

    def phenotypes(self) -> list[str]:
        """Phenotype nodes, sorted."""
        return sorted(n for n, kind in self.bipartite.nodes(data="kind") if kind == "phenotype")

    def terms(self) -> list[str]:
        """Every HPO term of the graph (the phenotypes and their ancestors), sorted."""
        terms = set(self.term_labels) | set(self.parents) | set(self.phenotypes())
        terms |= {p for parents in self.parents.values() for p in parents}
        return sorted(terms)

    def label(self, node: str) -> str:
        if node in self.bipartite:
            return self.bipartite.nodes[node].get("label", node)
        return self.term_labels.get(node, node)


# -- the SPARQL source ----------------------------------------------------------------------------

@lru_cache(maxsize=65536)
def curie(iri: str) -> str:
    """The CURIE of an IRI by the project's prefix map (:func:`nmdkg.core.namespaces.compress`, kept per IRI:
    the network names hundreds of thousands of nodes and edges), or the IRI itself when no prefix covers it.

    >>> curie("http://purl.obolibrary.org/obo/HP_0001324"), curie("http://www.orpha.net/ORDO/Orphanet_589")
    ('HP:0001324', 'ORPHA:589')
    """
    from nmdkg.core.namespaces import compress

    return compress(iri) or iri


class SparqlSource:
    """Runs SELECT queries and returns rows of plain strings (IRIs, literal values) or None."""

    def __init__(self, source: Any):
        import pyoxigraph
        from rdflib import Graph

        self._ox = None
        self._generic = None
        if isinstance(source, bytes):  # an N-Triples document, e.g. ntriples.lines(build.build_canonical())
            self._ox = pyoxigraph.Store()
            self._ox.bulk_load(source, format=pyoxigraph.RdfFormat.N_TRIPLES)
        elif isinstance(source, str | Path):
            self._ox = _load_files([Path(source)])
        elif isinstance(source, list | tuple) and source and all(isinstance(p, str | Path) for p in source):
            self._ox = _load_files([Path(p) for p in source])
        elif isinstance(source, pyoxigraph.Store):
            self._ox = source
        elif isinstance(source, Graph):
            inner = getattr(source.store, "_inner", None)  # an oxrdflib-backed graph
            if isinstance(inner, pyoxigraph.Store):
                self._ox = inner
            else:
                self._ox = pyoxigraph.Store()
                data = source.serialize(format="nt", encoding="utf-8")
                self._ox.load(data, format=pyoxigraph.RdfFormat.N_TRIPLES)
        elif hasattr(source, "query"):
            self._generic = source
        else:
            raise TypeError(f"cannot query {type(source).__name__}: "
                            "expected an rdflib Graph, a store or a path")

    def select(self, query: str) -> list[Row]:
        if self._ox is not None:
            import pyoxigraph

            solutions = self._ox.query(query)
            assert isinstance(solutions, pyoxigraph.QuerySolutions)
            return [tuple(None if v is None else v.value for v in solution) for solution in solutions]
        assert self._generic is not None
        return [tuple(None if v is None else str(v) for v in row) for row in self._generic.query(query)]


class TriplesSource:
    """The rows of :func:`read`'s five queries, computed in one pass over canonical N-Triples terms
    (``nmdkg.core.ntriples``: what ``nmdkg build`` holds in memory), for the build to save the network
    without querying its store (33 s on the on-disk store at ``--scope all``, about 5 s of CPU here). It answers
    those queries only, each with the rows the SPARQL engine gives (in another order);
    ``tests/test_network.py`` checks that :func:`read` gives the same network from both."""

    _PREDICATES: ClassVar[dict[str, str]] = {
        "has": f"<{NMDKG_NAMESPACE}hasPhenotype>", "claimed": f"<{NMDKG_NAMESPACE}claimedBy>",
        "publications": "<https://w3id.org/biolink/vocab/publications>",
        "predicate": "<https://w3id.org/biolink/vocab/predicate>",
        "subject": "<https://w3id.org/biolink/vocab/subject>",
        "object": "<https://w3id.org/biolink/vocab/object>",
        "negated": "<https://w3id.org/biolink/vocab/negated>",
        "frequency": "<https://w3id.org/biolink/vocab/frequency_qualifier>",
        "count": "<https://w3id.org/biolink/vocab/has_count>",
        "total": "<https://w3id.org/biolink/vocab/has_total>",
        "percentage": "<https://w3id.org/biolink/vocab/has_percentage>",
        "label": "<http://www.w3.org/2000/01/rdf-schema#label>",
        "subclass": "<http://www.w3.org/2000/01/rdf-schema#subClassOf>",
        "identifier": "<http://purl.org/dc/terms/identifier>",
        "type": "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>",
    }

    def __init__(self, triples: Iterable[tuple[str, str, str]]):
        by_term: dict[str, list[tuple[str, str]]] = {term: [] for term in self._PREDICATES.values()}
        for s, p, o in triples:
            if p in by_term:  # (faster than a dict.get per triple: 3 million of them at --scope all)
                by_term[p].append((s, o))
        self._found = {name: by_term[term] for name, term in self._PREDICATES.items()}
        self._memo: dict[str, str] = {}  # the same sources, frequency terms and disorders recur by the thousand
        self._records: list[tuple[Any, ...]] | None = None

    def _v(self, term: str) -> str:
        value = self._memo.get(term)
        if value is None:
            value = self._memo[term] = self._value(term)
        return value

    @staticmethod
    def _value(term: str) -> str:
        from nmdkg.core.ntriples import parse_object

        return term[1:-1] if term[0] == "<" else parse_object(term)[1]

    def _of(self, name: str) -> dict[str, list[str]]:
        values: dict[str, list[str]] = defaultdict(list)
        for s, o in self._found[name]:
            values[s].append(o)
        return values

    def _single_valued(self) -> list[tuple[Any, ...]] | None:
        """Every has-phenotype association as (association, disorder, phenotype, negated, frequency term,
        count, total, percentage), values or None, when each has at most one value of each of these
        properties (the builds' case: the rows of both annotation queries are then these, once per source or
        publication), else None (the general case multiplies the optional values, as SPARQL does). Computed
        once: the network and the ranker read both queries from the same source."""
        if self._records is not None:
            return self._records or None
        found, v = self._found, self._v
        optional = ("negated", "frequency", "count", "total", "percentage")
        negated, frequency, count, total, percentage = single = [dict(found[name]) for name in optional]
        if any(len(values) != len(found[name]) for values, name in zip(single, optional, strict=True)):
            self._records = []
            return None
        predicate = f"<{NMDKG_NAMESPACE}hasPhenotype>"
        triples = found["predicate"], found["subject"], found["object"]
        nodes = [a for a, _ in triples[0]]
        if nodes == [a for a, _ in triples[1]] == [a for a, _ in triples[2]] \
                and all(a < b for a, b in pairwise(nodes)):
            # each association has one predicate, subject and object, in the same (sorted) order: the
            # builds' canonical triples, read in step without a dictionary
            rows: Iterable[tuple[str, str, str | None, str | None]] = \
                ((a, p, d, ph) for (a, p), (_, d), (_, ph) in zip(*triples, strict=True))
        else:
            subject, obj = dict(triples[1]), dict(triples[2])
            if len(subject) != len(triples[1]) or len(obj) != len(triples[2]):
                self._records = []
                return None
            rows = ((a, p, subject.get(a), obj.get(a)) for a, p in triples[0])
        records: list[tuple[Any, ...]] = []
        for a, p, d, ph in rows:
            if p != predicate or d is None or ph is None:
                continue
            n, f, c, t, pc = negated.get(a), frequency.get(a), count.get(a), total.get(a), percentage.get(a)
            if c is None or t is None:
                c = t = None
            records.append((a, d[1:-1] if d[0] == "<" else v(d), ph[1:-1] if ph[0] == "<" else v(ph), n and v(n),
                            f and v(f), c and v(c), t and v(t), pc and v(pc)))
        self._records = records
        return records or None

    def _per_record(self, records: list[tuple[str, ...]], by_association: bool) -> list[Row]:
        """The rows of :data:`ANNOTATIONS_QUERY` (each source that claims an association) or of
        :data:`ASSOCIATIONS_QUERY` (the association node first, then each publication it cites) from the
        single-valued ``records``."""
        v = self._v
        last = self._of("publications" if by_association else "claimed")
        none: tuple[None] = (None,)
        rows: list[Row] = []
        for a, *record in records:
            head = (a[1:-1] if a[0] == "<" else v(a), *record) if by_association else tuple(record)
            for value in last.get(a, none):
                rows.append((*head, value and v(value)))
        return rows

    def associations(self) -> list[tuple[Any, ...]] | None:
        """The rows of :data:`ASSOCIATIONS_QUERY` grouped by association, without writing them out: for
        each, (disorder, phenotype, negated, frequency term, count, total, percentage, frozenset of
        publications); None unless each association has one value of each of these (then only the rows are
        exact)."""
        return self._grouped("publications")

    def annotations(self) -> list[tuple[Any, ...]] | None:
        """The rows of :data:`ANNOTATIONS_QUERY` grouped by association, as :meth:`associations` (the
        sources that claim it in place of the publications)."""
        return self._grouped("claimed")

    def _grouped(self, last: str) -> list[tuple[Any, ...]] | None:
        records = self._single_valued()
        if records is None:
            return None
        v = self._v
        values = self._of(last)
        distinct: dict[tuple[str, ...], frozenset[str]] = {(): frozenset()}  # one object per distinct list
        out = []
        for a, *record in records:
            raw = tuple(values.get(a, ()))
            found = distinct.get(raw)
            if found is None:
                found = distinct[raw] = frozenset(map(v, raw))
            out.append((*record, found))
        return out

    def _combinations(self, by_association: bool, v: Callable[[str], str]) -> list[Row]:
        """The rows of :data:`ANNOTATIONS_QUERY` (each source that claims an association), or of
        :data:`ASSOCIATIONS_QUERY` (the association node first, then each publication it cites): one row per
        combination of the optional values, as the SPARQL engine gives them."""
        predicate = f"<{NMDKG_NAMESPACE}hasPhenotype>"
        subject, obj = self._of("subject"), self._of("object")
        negated, frequency, percentage = self._of("negated"), self._of("frequency"), self._of("percentage")
        count, total = self._of("count"), self._of("total")
        last = self._of("publications" if by_association else "claimed")
        rows: list[Row] = []
        none: tuple[None] = (None,)
        for a, p in self._found["predicate"]:
            if p != predicate:
                continue
            head: tuple[str, ...] = (v(a),) if by_association else ()
            counts: list[tuple[str | None, str | None]] = \
                [(v(c), v(t)) for c in count.get(a, ()) for t in total.get(a, ())] or [(None, None)]
            for d in subject.get(a, ()):
                for ph in obj.get(a, ()):
                    for n in negated.get(a, none):
                        for f in frequency.get(a, none):
                            for c, t in counts:
                                for pc in percentage.get(a, none):
                                    for src in last.get(a, none):
                                        rows.append((*head, v(d), v(ph), n and v(n), f and v(f), c, t,
                                                     pc and v(pc), src and v(src)))
        return rows

    def select(self, query: str) -> list[Row]:
        found, v = self._found, self._v
        has = found["has"]
        if query == EDGES_QUERY:
            return [(s[1:-1], o[1:-1] if o[0] == "<" else v(o)) for s, o in has]
        if query in (ANNOTATIONS_QUERY, ASSOCIATIONS_QUERY):
            records = self._single_valued()
            if records is not None:  # one value of each property but the sources and publications: the builds'
                return self._per_record(records, query == ASSOCIATIONS_QUERY)
            return self._combinations(query == ASSOCIATIONS_QUERY, v)  # the general case
        if query == DISORDERS_QUERY:
            subjects = {s for s, _ in has}
            return sorted({(v(s), key, v(o)) for key in ("label", "identifier", "type")
                           for s, o in found[key] if s in subjects})
        if query == TERMS_QUERY:
            hp = f"<{HP_NAMESPACE}"
            return ([(v(s), v(o), None) for s, o in found["label"] if s.startswith(hp)]
                    + [(v(s), None, v(o)) for s, o in found["subclass"] if s.startswith(hp) and o.startswith(hp)])
        if query == COUNTERPARTS_QUERY:
            subjects = {s for s, _ in has}
            return sorted({(v(s), v(o)) for s, o in found["subclass"] if s in subjects and o in subjects})
        raise ValueError("a TriplesSource answers only the queries of nmdkg.analysis.network.read and "
                         "ASSOCIATIONS_QUERY")


def _load_files(paths: Sequence[Path]):
    import pyoxigraph

    from nmdkg.core.rdf_read import load_oxigraph

    store = pyoxigraph.Store()
    for path in paths:
        load_oxigraph(store, path, datasets=True, bulk=True)
    return store


# -- reading --------------------------------------------------------------------------------------

def frequency_value(term: str | None = None, count: str | None = None, total: str | None = None,
                    percentage: str | None = None) -> float | None:
    """The frequency of an annotation as a number in [0, 1], from whichever form it is given in.

    >>> frequency_value("HP:0040284"), frequency_value(count="3", total="4")
    (0.025, 0.75)
    >>> frequency_value(percentage="12.5")
    0.125
    >>> frequency_value() is None
    True
    """
    if term is not None and term in FREQUENCY_OF_TERM:
        return FREQUENCY_OF_TERM[term]
    if count is not None and total is not None and float(total) > 0:
        return min(float(count) / float(total), 1.0)
    if percentage is not None:
        return min(float(percentage) / 100.0, 1.0)
    return None


@paused()  # hundreds of thousands of small dicts and tuples: the collector would double the time
def read(source: Any, progress: Callable[[str], None] | None = None) -> PhenotypeData:
    """Read the disorder-phenotype network, the negated annotations and the HPO hierarchy from a graph."""
    say = progress or (lambda message: None)
    store = source if isinstance(source, SparqlSource | TriplesSource) else SparqlSource(source)
    edges: dict[tuple[str, str], dict[str, Any]] = {
        (curie(d), curie(p)): {"frequency": None, "source": set(), "annotated": False, "positive": False}
        for d, p in store.select(EDGES_QUERY) if d is not None and p is not None
    }
    negated_pairs: set[tuple[str, str]] = set()
    values: dict[tuple, float | None] = {}  # the frequency of each form given (a few thousand distinct ones)
    sources: dict[frozenset[str], list[str]] = {}  # the CURIEs of each set of sources
    grouped = store.annotations() if isinstance(store, TriplesSource) else None  # the build's triples
    annotations: Iterable[tuple[Any, ...]] = grouped if grouped is not None else \
        ((*row[:-1], frozenset() if row[-1] is None else frozenset((row[-1],)))
         for row in store.select(ANNOTATIONS_QUERY))
    for d, p, negated, term, count, total, percentage, claimed in annotations:
        assert d is not None and p is not None
        key = (curie(d), curie(p))
        if negated is not None and negated.lower() in ("true", "1"):
            negated_pairs.add(key)
            if key in edges:
                edges[key]["annotated"] = True
            continue
        edge = edges.get(key)
        if edge is None:  # an association without its plain triple: a claim the graph rejects
            continue
        edge["annotated"] = edge["positive"] = True
        given = (term, count, total, percentage)
        value = values.get(given, values)
        if value is values:
            value = values[given] = frequency_value(curie(term) if term else None, count, total, percentage)
        if value is not None and (edge["frequency"] is None or value > edge["frequency"]):
            edge["frequency"] = value
        if claimed:
            found = sources.get(claimed)
            if found is None:
                found = sources[claimed] = [curie(src) for src in claimed]
            edge["source"].update(found)
    dropped = [key for key, edge in edges.items() if edge["annotated"] and not edge["positive"]]
    for key in dropped:  # a plain triple whose only annotations are negated: never an edge
        del edges[key]
    say(f"{len(edges)} disorder-phenotype edges"
        + (f" ({len(dropped)} negated-only dropped)" if dropped else ""))

    disorders: dict[str, dict[str, Any]] = {}
    for d, _ in edges:
        disorders.setdefault(d, {"iri": None, "labels": set(), "identifier": None, "types": set()})
    for d, what, text in store.select(DISORDERS_QUERY):
        assert d is not None and text is not None
        node = disorders.get(curie(d))
        if node is None:
            continue
        node["iri"] = d
        if what == "label":
            node["labels"].add(text)
        elif what == "identifier":
            node["identifier"] = text
        elif text.startswith(NMDKG_NAMESPACE):
            node["types"].add(text[len(NMDKG_NAMESPACE):])

    labels: dict[str, set[str]] = defaultdict(set)
    parents: dict[str, set[str]] = defaultdict(set)
    for hpo_term, label, parent in store.select(TERMS_QUERY):
        assert hpo_term is not None
        if label is not None:
            labels[curie(hpo_term)].add(label)
        if parent is not None:
            parents[curie(hpo_term)].add(curie(parent))
    term_labels = {term: min(values) for term, values in labels.items()}

    B = nx.Graph()
    for name, info in sorted(disorders.items()):
        B.add_node(name, kind="disorder", bipartite=0, label=min(info["labels"]) if info["labels"] else name,
                   identifier=info["identifier"] or name, iri=info["iri"] or name,
                   category=_category(info["types"]))
    added = []  # the edges in order, each phenotype node added before its first edge
    for (d, p), edge in sorted(edges.items()):
        if p not in B:
            B.add_node(p, kind="phenotype", bipartite=1, label=term_labels.get(p, p), identifier=p,
                       iri=_iri_of_term(p))
        attributes: dict[str, Any] = {"source": "|".join(sorted(edge["source"]))}
        if edge["frequency"] is not None:
            attributes["frequency"] = edge["frequency"]
        added.append((d, p, attributes))
    B.add_edges_from(added)

    negated_list = tuple(sorted(negated_pairs))
    counterparts: dict[str, set[str]] = defaultdict(set)
    for d, seed in store.select(COUNTERPARTS_QUERY):
        if d and seed and curie(d).startswith(ANNOTATED_PREFIXES) and curie(d) != curie(seed):
            counterparts[curie(d)].add(curie(seed))
    for name, seeds in counterparts.items():
        if name in B:
            B.nodes[name]["counterpart_of"] = "|".join(sorted(seeds))
    say(f"{len(disorders)} disorders, {B.number_of_nodes() - len(disorders)} phenotypes, "
        f"{len(term_labels)} HPO terms, {len(negated_list)} negated annotations")
    return PhenotypeData(
        bipartite=B,
        negated=negated_list,
        parents={term: tuple(sorted(values)) for term, values in sorted(parents.items())},
        term_labels=term_labels,
        counterparts={node: tuple(sorted(seeds)) for node, seeds in sorted(counterparts.items())},
    )


# -- the saved form (nmdkg.release.cache writes it beside a build) ---------------------------------

#: The version of :func:`to_tables`' form: a change to what :func:`read` returns, or to the form, bumps it.
TABLES_FORMAT = "nmdkg-network/1"


def to_tables(data: PhenotypeData) -> tuple[dict[str, Any], dict[str, Any]]:
    """The whole of ``data`` as a JSON-able document (names, labels) and integer and float arrays (the
    disorder-by-phenotype incidence as CSR, the HPO hierarchy, the negated pairs, the counterparts), from
    which :func:`from_tables` rebuilds it exactly. Node indices: disorders first, then ``terms``, then
    ``other`` (names only a negated annotation or a counterpart mentions)."""
    B = data.bipartite
    disorders = data.disorders()
    terms = data.terms()
    index = {name: i for i, name in enumerate(disorders)}
    term_index = {term: j for j, term in enumerate(terms)}
    mentioned = [n for pair in data.negated for n in pair]
    mentioned += [n for node, seeds in data.counterparts.items() for n in (node, *seeds)]
    other = sorted({n for n in mentioned if n not in index and n not in term_index})
    name_index = {**index, **{t: len(disorders) + j for j, t in enumerate(terms)},
                  **{n: len(disorders) + len(terms) + k for k, n in enumerate(other)}}
    sources: dict[str, int] = {}
    indptr, columns, frequency, source = [0], [], [], []
    for d in disorders:
        for p in sorted(B.adj[d]):
            edge = B.adj[d][p]
            columns.append(term_index[p])
            frequency.append(edge.get("frequency", np.nan))
            source.append(sources.setdefault(edge.get("source", ""), len(sources)))
        indptr.append(len(columns))
    keys = ("label", "identifier", "iri", "category", "counterpart_of")
    document: dict[str, Any] = {
        "format": TABLES_FORMAT,
        "disorders": [[d, *(B.nodes[d].get(key) for key in keys)] for d in disorders],
        "terms": terms,
        "term_labels": [data.term_labels.get(t) for t in terms],
        "other": other,
        "sources": list(sources),
    }
    children = [term_index[t] for t, ps in data.parents.items() for _ in ps]
    parents = [term_index[p] for ps in data.parents.values() for p in ps]
    arrays = {
        "incidence_indptr": np.array(indptr, dtype=np.int64),
        "incidence_indices": np.array(columns, dtype=np.int32),
        "incidence_frequency": np.array(frequency, dtype=np.float64),
        "incidence_source": np.array(source, dtype=np.int32),
        "hierarchy": np.array([children, parents], dtype=np.int32).reshape(2, -1),
        "negated": np.array([[name_index[d], name_index[p]] for d, p in data.negated],
                            dtype=np.int32).reshape(-1, 2),
        "counterparts": np.array([[name_index[node], name_index[seed]] for node, seeds in
                                  data.counterparts.items() for seed in seeds], dtype=np.int32).reshape(-1, 2),
    }
    return document, arrays


def from_tables(document: dict[str, Any], arrays: Any) -> PhenotypeData:
    """The :class:`PhenotypeData` of :func:`to_tables`' document and arrays, the same as :func:`read`
    gives: same nodes, attributes and edges, added in the same order."""
    if document.get("format") != TABLES_FORMAT:
        raise ValueError(f"not a {TABLES_FORMAT} document: {document.get('format')!r}")
    rows = document["disorders"]
    terms: list[str] = document["terms"]
    names = [row[0] for row in rows] + terms + list(document["other"])
    term_labels = {t: label for t, label in zip(terms, document["term_labels"], strict=True)
                   if label is not None}
    sources: list[str] = document["sources"]
    indptr = arrays["incidence_indptr"].tolist()
    columns = arrays["incidence_indices"].tolist()
    frequency = arrays["incidence_frequency"].tolist()
    source = arrays["incidence_source"].tolist()
    B = nx.Graph()
    for name, label, identifier, iri, category, counterpart_of in rows:
        attributes = {"kind": "disorder", "bipartite": 0, "label": label, "identifier": identifier, "iri": iri,
                      "category": category}
        if counterpart_of is not None:
            attributes["counterpart_of"] = counterpart_of
        B.add_node(name, **attributes)
    for i, (name, *_) in enumerate(rows):
        for e in range(indptr[i], indptr[i + 1]):
            p = terms[columns[e]]
            if p not in B:
                B.add_node(p, kind="phenotype", bipartite=1, label=term_labels.get(p, p), identifier=p,
                           iri=_iri_of_term(p))
            edge: dict[str, Any] = {"source": sources[source[e]]}
            if frequency[e] == frequency[e]:  # not NaN
                edge["frequency"] = frequency[e]
            B.add_edge(name, p, **edge)
    parents: dict[str, list[str]] = defaultdict(list)
    for child, parent in arrays["hierarchy"].T.tolist():
        parents[terms[child]].append(terms[parent])
    counterparts: dict[str, list[str]] = defaultdict(list)
    for node, seed in arrays["counterparts"].tolist():
        counterparts[names[node]].append(names[seed])
    return PhenotypeData(
        bipartite=B,
        negated=tuple((names[d], names[p]) for d, p in arrays["negated"].tolist()),
        parents={term: tuple(values) for term, values in parents.items()},
        term_labels=term_labels,
        counterparts={node: tuple(seeds) for node, seeds in counterparts.items()},
    )


def _iri_of_term(term: str) -> str:
    return HP_NAMESPACE + term[3:] if term.startswith("HP:") else term


#: The most specific nmdkg disorder class wins (a muscular dystrophy is also a neuromuscular disorder).
_CATEGORY_ORDER = ("MuscularDystrophy", "MotorNeuronDisease", "NeuromuscularJunctionDisorder",
                   "Polyradiculoneuropathy", "PeripheralNeuropathy", "NeuromuscularDisorder",
                   "CentralNervousSystemDisorder", "Disorder")


def _category(types: Iterable[str]) -> str:
    present = set(types)
    return next((c for c in _CATEGORY_ORDER if c in present), "Disorder")


def bipartite_graph(source: Any) -> nx.Graph:
    """The disorder-phenotype bipartite graph of a knowledge graph (see :func:`read`).

    Disorders have ``bipartite=0``, phenotypes ``bipartite=1``; edges are the positive
    ``nmdkg:hasPhenotype`` triples with their ``frequency`` (when known) and ``source``.
    """
    return read(source).bipartite


def incidence(B: nx.Graph, disorders: Sequence[str] | None = None,
              columns: Sequence[str] | None = None) -> sp.csr_array:
    """The 0/1 disorder-by-phenotype matrix of a bipartite graph, rows and columns in the given order.

    ``columns`` may hold more terms than the phenotypes of ``B`` (e.g. every HPO term of the hierarchy,
    for :mod:`nmdkg.analysis.similarity`); phenotypes missing from ``columns`` are left out.

    >>> B = nx.Graph([("d1", "p1"), ("d1", "p2"), ("d2", "p2")])
    >>> incidence(B, ["d1", "d2"], ["p1", "p2", "p3"]).toarray().astype(int)
    array([[1, 1, 0],
           [0, 1, 0]])
    """
    if disorders is None:
        disorders = sorted(n for n, kind in B.nodes(data="kind") if kind == "disorder")
    if columns is None:
        columns = sorted(n for n, kind in B.nodes(data="kind") if kind == "phenotype")
    row_of = {node: i for i, node in enumerate(disorders)}
    col_of = {node: j for j, node in enumerate(columns)}
    rows, cols = [], []
    for d in disorders:
        for p in B.adj[d]:
            j = col_of.get(p)
            if j is not None:
                rows.append(row_of[d])
                cols.append(j)
    data = np.ones(len(rows))
    return sp.csr_array((data, (np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64))),
                        shape=(len(disorders), len(columns)))


def projection(weights: sp.csr_array, nodes: Sequence[str], name: str = "weight",
               B: nx.Graph | None = None) -> nx.Graph:
    """The disorder network of a sparse weight matrix: one edge per nonzero upper-triangle entry.

    Node attributes are copied from ``B`` when given. Meant for thresholded weights: the full projection
    at ``--scope all`` (18.6 million edges) is too large for NetworkX.

    >>> W = sp.csr_array([[0, 2, 0], [2, 0, 1], [0, 1, 0]])
    >>> sorted(projection(W, ["a", "b", "c"]).edges(data="weight"))
    [('a', 'b', 2), ('b', 'c', 1)]
    """
    upper = sp.triu(sp.csr_array(weights), k=1).tocoo()
    G = nx.Graph()
    for node in nodes:
        G.add_node(node, **(dict(B.nodes[node]) if B is not None and node in B else {}))
    G.add_edges_from((nodes[i], nodes[j], {name: w.item()})
                     for i, j, w in zip(upper.row, upper.col, upper.data, strict=True))
    return G


__all__ = ["ANNOTATED_PREFIXES", "ANNOTATIONS_QUERY", "EDGES_QUERY", "FREQUENCY_OF_TERM", "TABLES_FORMAT",
           "PhenotypeData", "bipartite_graph", "curie", "frequency_value", "from_tables", "incidence",
           "projection", "read", "to_tables"]
