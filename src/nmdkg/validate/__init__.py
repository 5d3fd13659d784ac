"""Graph -> validation report (stage 4): the SHACL shapes of ``shapes/`` and the SPARQL checks of
``queries/checks/``. ``shapes`` runs a validation (:func:`~nmdkg.validate.shapes.validate_graph`: pySHACL or the
compiled engine, beside the checks); ``engine`` is the compiled SHACL Core engine; ``checks`` reads and runs
the SPARQL checks; ``report`` holds the results and writes them as text, JSON and a SHACL report graph; ``data``
the term table and raw results they share. It may import the stages below it (``nmdkg.core`` ...
``nmdkg.build``).
"""
