"""A static, browsable site of the built graph, for people who do not write SPARQL (``nmdkg site``).

Owns: reading the built graph through the query library (``queries/*.rq`` run on :class:`nmdkg.store.Store`,
each query once for all disorders), the shared-symptom network of :mod:`nmdkg.analysis.compute`, and rendering plain
HTML pages with Jinja2 (autoescaped), a stylesheet, a search script and the network explorer. The network
library (vis-network) is copied at build time from the installed ``pyvis`` package: nothing is fetched from a
network and every file the pages reference is in the output folder.

May import: nmdkg.query.library, nmdkg.store, nmdkg.analysis.network, nmdkg.analysis.compute, nmdkg.core.io,
nmdkg.core.errors.
"""

from nmdkg.publish.site.builder import SiteReport, build_site

__all__ = ["SiteReport", "build_site"]
