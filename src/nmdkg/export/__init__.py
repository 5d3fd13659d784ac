"""Graph -> files (stage 6): Turtle, JSON-LD, N-Triples and RDF/XML (``rdf``, ``jsonld``), Biolink KGX
(``kgx``), the identifier mappings (``sssom``), the dataset description (``void``) and the counts per node and
edge kind (``describe``). Every writer is deterministic and atomic. It may import the stages below it
(``nmdkg.core`` ... ``nmdkg.store``).
"""
