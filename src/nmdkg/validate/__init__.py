"""Graph -> validation report (stage 4): the SHACL shapes of ``shapes/`` (run by pySHACL or by the compiled
SHACL Core engine) and the SPARQL checks of ``queries/checks/``, with the report as text, JSON and RDF. It may
import the stages below it (``nmdkg.core`` ... ``nmdkg.build``).
"""
