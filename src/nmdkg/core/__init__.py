"""The common layer below every stage: errors and exit codes, atomic file output and checksums, where the
project's resources live, namespaces (IRI <-> CURIE), identifier patterns, the RDF file formats and the one
RDF file reader, canonical N-Triples terms, Oxigraph <-> rdflib terms, the text of ``.rq`` files, the walk of
a class hierarchy, and parameter binding (``VALUES``). It may import only the standard library, third-party
packages and itself (``nmdkg.__version__`` aside).
"""
