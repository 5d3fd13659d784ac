"""nmdkg: an open knowledge graph and ontology of neuromuscular disorders.

The graph is for research and education; it is not a tool for clinical decisions.

The Python API mirrors the command line::

    import nmdkg
    graph = nmdkg.build_graph()           # curated tables + ontology -> rdflib.Graph
    nmdkg.write_release(graph, "output")  # validated, then the files of `nmdkg build`, all or nothing
    nmdkg.build_release("output")         # `nmdkg build` itself: also the query store and the manifest
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("nmdkg")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

_API = {
    "build_graph": "nmdkg.build.graph",
    "load_curated": "nmdkg.curated.tables",
    "FORMATS": "nmdkg.export.rdf",
    "serialize": "nmdkg.export.rdf",
    "build_release": "nmdkg.release.pipeline",
    "write_release": "nmdkg.release.pipeline",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str):  # lazy, so that `nmdkg --help` does not import rdflib
    if name in _API:
        import importlib

        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(f"module 'nmdkg' has no attribute {name!r}")
