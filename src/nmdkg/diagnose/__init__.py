"""Phenotype-driven differential diagnosis (stage 9): the ranker (``ranker``) over the network of
``nmdkg.analysis``, and the patients it reads (``phenopackets``: GA4GH Phenopackets and JSON Lines). It may
import the stages below it (``nmdkg.core`` ... ``nmdkg.analysis``).
"""
