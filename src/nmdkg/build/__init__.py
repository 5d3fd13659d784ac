"""Records -> RDF (stage 3): the knowledge graph as canonical N-Triples terms. ``graph`` assembles the
ontology, the curated facts, the HPO, MONDO and MAxO parts of the scope; ``selection`` decides which diseases
of the HPO annotations are in scope; ``hpo`` and ``treatments`` add their triples. It may import the stages
below it: ``nmdkg.core``, ``nmdkg.sources``, ``nmdkg.curated``.
"""
