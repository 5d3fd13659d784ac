"""The RDF file formats nmdkg reads and writes, in one table.

Every command that takes an RDF file (``--data``, ``validate FILES``, ``serve``, ``push``) tells its format by
the suffix from this table, and every command that writes one names it from here, so a file one command
writes, every other command reads. Datasets (N-Quads, TriG) are read only where the graph goes into an
Oxigraph store whole (``analyze``, ``diagnose``, ``serve``); the rest read triples.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nmdkg.core.errors import InputError


@dataclass(frozen=True)
class RdfFormat:
    name: str  # what ``--format`` takes
    label: str  # for people: "Turtle"
    extension: str  # the suffix nmdkg writes, without the dot
    suffixes: tuple[str, ...]  # the suffixes it is read from
    media_type: str
    rdflib_name: str  # the name rdflib parses (and serializes) it by
    oxigraph_name: str  # the member of ``pyoxigraph.RdfFormat``
    dataset: bool = False  # quads: named graphs beside the default graph

    def oxigraph(self):
        """The ``pyoxigraph.RdfFormat`` of this format (pyoxigraph imported on first use)."""
        import pyoxigraph

        return getattr(pyoxigraph.RdfFormat, self.oxigraph_name)


RDF_FORMATS: tuple[RdfFormat, ...] = (
    RdfFormat("turtle", "Turtle", "ttl", (".ttl", ".turtle"), "text/turtle", "turtle", "TURTLE"),
    RdfFormat("json-ld", "JSON-LD", "jsonld", (".jsonld", ".json"), "application/ld+json", "json-ld", "JSON_LD"),
    RdfFormat("nt", "N-Triples", "nt", (".nt",), "application/n-triples", "nt", "N_TRIPLES"),
    RdfFormat("xml", "RDF/XML", "rdf", (".rdf", ".owl", ".xml"), "application/rdf+xml", "xml", "RDF_XML"),
    RdfFormat("n3", "N3", "n3", (".n3",), "text/n3", "n3", "N3"),
    RdfFormat("nquads", "N-Quads", "nq", (".nq",), "application/n-quads", "nquads", "N_QUADS", dataset=True),
    RdfFormat("trig", "TriG", "trig", (".trig",), "application/trig", "trig", "TRIG", dataset=True),
)
BY_NAME = {f.name: f for f in RDF_FORMATS}


def suffixes(*, datasets: bool = False) -> tuple[str, ...]:
    """The file suffixes read as RDF (with the dot, sorted); ``datasets``: N-Quads and TriG too."""
    return tuple(sorted(s for f in RDF_FORMATS if datasets or not f.dataset for s in f.suffixes))


def of_path(path: Path | str, *, datasets: bool = False) -> RdfFormat | None:
    """The format a file is read as, told by its suffix; None for a suffix this table does not know."""
    suffix = Path(path).suffix.lower()
    for fmt in RDF_FORMATS:
        if suffix in fmt.suffixes and (datasets or not fmt.dataset):
            return fmt
    return None


def format_of(path: Path | str, *, datasets: bool = False) -> RdfFormat:
    """The format a file is read as; ``InputError`` naming the file and the suffixes read, for any other."""
    fmt = of_path(path, datasets=datasets)
    if fmt is None:
        path = Path(path)
        raise InputError(f"{path}: unknown RDF file suffix {path.suffix or '(none)'!r}; expected one of: "
                         f"{', '.join(suffixes(datasets=datasets))}")
    return fmt
