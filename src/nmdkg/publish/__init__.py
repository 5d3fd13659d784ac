"""The graph for people and other machines (stage 10): the SPARQL endpoint (``serve``, the Oxigraph
server), the load into a remote triple store (``push``) and the static site (``site``). It may import the
stages below it (``nmdkg.core`` ... ``nmdkg.diagnose``).
"""
