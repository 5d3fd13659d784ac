"""Questions to the graph (stage 7): the library of competency questions (``library``: ``queries/*.rq`` and
their headers, typed parameters), the results formats (``results``) and the SPARQL 1.1 Protocol client of a
remote endpoint (``remote``). Queries run on ``nmdkg.store``. It may import the stages below it
(``nmdkg.core`` ... ``nmdkg.export``).
"""
