"""The curated source tables (stage 2): ``data/curated/*.tsv`` read into typed records and checked
(``tables``: file, line, column of every defect, identifiers checked against the upstream releases), and
``lint``, which rewrites them in canonical order. It may import ``nmdkg.core`` and ``nmdkg.sources``.
"""
