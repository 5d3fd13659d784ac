"""The canonical N-Triples strings: the line order equals the tuple order; strings and rdflib terms agree."""

from __future__ import annotations

import itertools
import random

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from nmdkg.core.ntriples import canonical, literal, ordered, term, to_graph, to_rdflib

SUBJECTS = ["<http://x/a>", "<http://x/ab>", "<http://x/a_b>", "<http://x/a-b>", "<http://x/a#b>", "<http://x/>",
            "_:a", "_:ab", "_:a1"]
PREDICATES = ["<http://x/p>", "<http://x/pq>", "<http://x/p/q>"]
OBJECTS = ['"a"', '"a"@en', '"a"@en-gb', '"a"^^<http://x/t>', '"a b"', '"a\tb"', '"a\\"b"', '"a\\nb"', '""',
           '"a" b"', '"ab"', "<http://x/a>", "<http://x/a/b>", "_:a", '"a"@e']


def test_line_order_is_tuple_order():
    triples = list(itertools.product(SUBJECTS, PREDICATES, OBJECTS))
    random.Random(7).shuffle(triples)
    assert ordered(triples + triples[:50]) == sorted(set(triples))


def test_literal_strings_match_rdflibs_terms():
    cases = [("weakness", "en", None), ('say "hi"\n\r\\', "en", None), ("3", None, str(XSD.integer)),
             ("x", None, str(XSD.string)), ("", None, None), ("été", "fr", None)]
    for lexical, language, datatype in cases:
        text = literal(lexical, language=language, datatype=datatype)
        rdflib_term = Literal(lexical, lang=language, datatype=URIRef(datatype) if datatype else None)
        assert text == term(rdflib_term)
        plain = Literal(lexical, lang=language) if datatype in (None, str(XSD.string)) else rdflib_term
        assert to_rdflib(text) == plain  # an xsd:string literal is read back plain, as rdflib parses it


def test_strings_to_graph_and_back():
    triples = [("<http://x/a>", "<http://x/p>", literal("a \"b\"", language="en")),
               ("<http://x/a>", "<http://x/p>", literal("7", datatype=str(XSD.integer))),
               ("_:n1", "<http://x/p>", "<http://x/b>")]
    graph = to_graph(triples)
    assert (BNode("n1"), URIRef("http://x/p"), URIRef("http://x/b")) in graph
    assert Literal(7) in set(graph.objects())
    assert canonical(t for t in graph if not isinstance(t[0], BNode)) == ordered(triples[:2])
