"""RDF terms across the two libraries: an Oxigraph term as the rdflib term users see, and back.

A plain literal stays plain: an ``xsd:string`` from Oxigraph comes back without a datatype, as rdflib
parses it.
"""

from __future__ import annotations

from typing import Any

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier, Node

from nmdkg.core.errors import InputError

_XSD_STRING = str(XSD.string)


def from_oxigraph(term: Any) -> Identifier:
    """An Oxigraph term as an rdflib term."""
    import pyoxigraph

    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return BNode(term.value)
    if isinstance(term, pyoxigraph.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    raise InputError(f"unsupported term in a result: {term!r} (RDF-star triples are not supported)")


def to_oxigraph(term: Node) -> Any:
    """An rdflib term (IRI, blank node with its id, literal) as an Oxigraph term."""
    import pyoxigraph as ox

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    assert isinstance(term, Literal)  # a data graph's terms are IRIs, blank nodes and literals
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))
