"""A static, browsable site of the built graph, for people who do not write SPARQL (``nmdkg site``).

Owns: reading the built graph through the query library (``queries/*.rq`` run on :class:`nmdkg.store.Store`,
each query once for all disorders), the shared-symptom network of :mod:`nmdkg.analyze`, and rendering plain
HTML pages with Jinja2 (autoescaped), a stylesheet, a search script and the network explorer. The network
library (vis-network) is copied at build time from the installed ``pyvis`` package: nothing is fetched from a
network and every file the pages reference is in the output folder.

May import: nmdkg.queries, nmdkg.store, nmdkg.network, nmdkg.analyze, nmdkg.io, nmdkg.errors.
"""

from nmdkg.site.builder import SiteReport, build_site

__all__ = ["SiteReport", "build_site"]
