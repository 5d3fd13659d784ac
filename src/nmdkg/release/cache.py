"""Structures derived from a build that are slow to recompute, kept beside the graph and loaded fast.

Everything here lives in the build folder and is valid only for the build it was made from (the
manifest of ``nmdkg.release.manifest``); a stale entry is never read, and deleting any of it is always safe.

``OUT/store/`` (written by ``nmdkg build``)
    The graph loaded into an on-disk Oxigraph database (``store/oxigraph``), with ``store/source.json``
    recording the SHA-256 of the N-Triples file it holds: the store ``nmdkg serve`` serves, and the one
    ``nmdkg query`` and ``nmdkg analyze`` open read-only (in about 0.1 s, instead of parsing 38 MB).
``OUT/cache/checked-queries.json`` (written by ``nmdkg build``)
    ``{"format": "nmdkg-checked-queries/1", "rdflib": VERSION, "queries": {SHA256: [FORM, [VARS]]}}``:
    the form and projected variables of every query of the library and of the checks, as
    ``nmdkg.store.check_query`` found them with that rdflib version (parsing them takes seconds).
``OUT/cache/ranker.pickle`` (written by the first ``nmdkg diagnose`` of a build)
    The diagnosis ranker (``nmdkg.diagnose.ranker.Ranker``: the HPO release, its matrices) as a Python pickle,
    preceded by a JSON header line ``{"format": "nmdkg-ranker/1", "build": KEY, "code": DIGEST, "python":
    ..., "numpy": ...}``; ``KEY`` is the digest of the manifest, ``DIGEST`` that of the source of the modules
    whose objects it holds (:data:`RANKER_MODULES`), so that a changed ranker class never meets an old file.
    It is a local cache of one's own build: a pickle runs code when loaded, so never load one from a
    folder you did not build yourself.
``OUT/cache/network.json`` and ``OUT/cache/network.npz`` (written by ``nmdkg build``)
    The disorder-phenotype network that ``nmdkg analyze`` reads (``nmdkg.analysis.network.read``), so that
    it need not query the graph again. ``network.json`` is UTF-8 JSON: ``{"format": "nmdkg-network/1",
    "graph_sha256": SHA256, "arrays_sha256": SHA256, "disorders": [[CURIE, label, identifier, IRI, category,
    counterpart_of or null], ...], "terms": [CURIE, ...], "term_labels": [label or null, ...], "other":
    [CURIE, ...], "sources": [TEXT, ...]}``: ``graph_sha256`` is the SHA-256 of the ``nmdkg.nt`` it was read
    from, ``arrays_sha256`` that of ``network.npz``. Nodes are numbered disorders first (sorted), then
    ``terms`` (every HPO term of the graph, sorted), then ``other`` (names only a negated annotation or a
    counterpart mentions). ``network.npz`` is a NumPy ``.npz`` of plain arrays (loaded with
    ``allow_pickle=False``): ``incidence_indptr`` (int64), ``incidence_indices`` (int32, term numbers),
    ``incidence_frequency`` (float64, NaN when unknown) and ``incidence_source`` (int32, into ``sources``)
    form the disorder-by-term matrix in compressed sparse rows (``scipy.sparse.csr_array((frequency,
    indices, indptr))``; one entry per has-phenotype edge); ``hierarchy`` (int32, 2 x n: child term, parent
    term) the ``rdfs:subClassOf`` links between HPO terms; ``negated`` (int32, n x 2: disorder, phenotype,
    node numbers) the negated annotations; ``counterparts`` (int32, n x 2: annotated disease, its article
    disorder). Both files are listed in the manifest; a file of another format version, or one whose
    checksums do not match the build's, is not read (the network is then read from the graph by SPARQL).
"""

from __future__ import annotations

import hashlib
import json
import pickle
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nmdkg.release.manifest import Status

CHECKED_FORMAT = "nmdkg-checked-queries/1"
RANKER_FORMAT = "nmdkg-ranker/1"
STORE_DIR = "store"

Progress = Callable[[str], None]


def _quiet(message: str) -> None:
    """The default progress callback: says nothing."""


def cache_dir(out: Path) -> Path:
    return out / "cache"


# -- the query store ---------------------------------------------------------------------------------

def write_query_store(out: Path, progress: Progress = _quiet) -> None:
    """Load the build's ``nmdkg.nt`` into ``out/store`` (the on-disk store of ``nmdkg serve``)."""
    from nmdkg.publish.serve import prepare_store

    prepare_store(out / "nmdkg.nt", out / STORE_DIR, progress)


def open_query_store(status: Status) -> Any | None:
    """The build's on-disk Oxigraph store opened read-only, or None when it does not hold this build."""
    import pyoxigraph

    from nmdkg.publish.serve import DATABASE, STAMP

    folder = status.folder / STORE_DIR
    try:
        stamp = json.loads((folder / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    written = (status.manifest or {}).get("outputs", {}).get("nmdkg.nt", {})
    if not isinstance(stamp, dict) or stamp.get("sha256") != written.get("sha256") \
            or stamp.get("pyoxigraph") != pyoxigraph.__version__:
        return None
    try:
        return pyoxigraph.Store.read_only(str(folder / DATABASE))
    except OSError:
        return None


# -- checked queries ---------------------------------------------------------------------------------

def write_checked_queries(out: Path) -> Path:
    """Check every query of the library and of the checks and record the results (see the module
    docstring). A query that does not pass is left out: it is refused when it is run."""
    import rdflib

    from nmdkg.core.errors import InputError
    from nmdkg.core.io import write_bytes_atomic
    from nmdkg.core.paths import QUERIES_DIR
    from nmdkg.store import check_query

    queries: dict[str, list] = {}
    for path in sorted(QUERIES_DIR.rglob("*.rq")):
        text = path.read_text(encoding="utf-8")
        try:
            checked = check_query(text)
        except InputError:
            continue
        queries[hashlib.sha256(text.encode("utf-8")).hexdigest()] = [checked.form, list(checked.projected)]
    document = {"format": CHECKED_FORMAT, "rdflib": rdflib.__version__, "queries": queries}
    target = cache_dir(out) / "checked-queries.json"
    write_bytes_atomic(target, (json.dumps(document, indent=1, sort_keys=True) + "\n").encode("utf-8"))
    return target


def load_checked_queries(out: Path) -> int:
    """Tell ``nmdkg.store`` the queries a build found to pass its check; returns how many (0 when the
    file is missing or was written by another rdflib version)."""
    import rdflib

    from nmdkg.store import remember_checked

    try:
        document = json.loads((cache_dir(out) / "checked-queries.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0
    if not isinstance(document, dict) or document.get("format") != CHECKED_FORMAT \
            or document.get("rdflib") != rdflib.__version__:
        return 0
    entries = {digest: (form, tuple(projected)) for digest, (form, projected) in document["queries"].items()}
    remember_checked(entries)
    return len(entries)


# -- the diagnosis ranker ------------------------------------------------------------------------------

#: The modules whose classes and code a saved ranker holds: a change to any of them makes it stale.
RANKER_MODULES = ("nmdkg.diagnose.ranker", "nmdkg.analysis.network", "nmdkg.analysis.similarity",
                  "nmdkg.sources.hpo_obo")


def _code_digest() -> str:
    """The SHA-256 of the source of :data:`RANKER_MODULES` (found without importing them)."""
    from importlib.util import find_spec

    digest = hashlib.sha256()
    for name in RANKER_MODULES:
        spec = find_spec(name)
        if spec is not None and spec.origin:
            digest.update(Path(spec.origin).read_bytes())
    return digest.hexdigest()[:16]


def _ranker_header(status: Status) -> dict[str, str]:
    import numpy

    return {"format": RANKER_FORMAT, "build": status.key, "code": _code_digest(),
            "python": sys.version.split()[0], "numpy": numpy.__version__}


def save_ranker(status: Status, ranker: Any) -> Path:
    """Write the ranker of the build ``status`` to ``OUT/cache/ranker.pickle`` (atomically)."""
    from nmdkg.core.io import write_bytes_atomic

    header = json.dumps(_ranker_header(status), sort_keys=True).encode("utf-8")
    target = cache_dir(status.folder) / "ranker.pickle"
    write_bytes_atomic(target, header + b"\n" + pickle.dumps(ranker, protocol=pickle.HIGHEST_PROTOCOL))
    return target


def load_ranker(status: Status) -> Any | None:
    """The ranker saved for the build ``status``, or None when there is none for it (another build,
    another Python or numpy, or an unreadable file)."""
    path = cache_dir(status.folder) / "ranker.pickle"
    try:
        with path.open("rb") as handle:
            header = json.loads(handle.readline())
            if header != _ranker_header(status):
                return None
            import gc

            gc.disable()  # unpickling tens of thousands of small objects: the collector would triple the time
            try:
                return pickle.load(handle)  # our own build's cache, checked by its header
            finally:
                gc.enable()
    except (OSError, ValueError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
        return None


# -- the disorder-phenotype network --------------------------------------------------------------------

NETWORK_JSON = "network.json"
NETWORK_ARRAYS = "network.npz"


def write_network(out: Path, triples: list[tuple[str, str, str]], progress: Progress = _quiet) -> list[Path]:
    """Read the network of the build in ``out`` from its canonical ``triples`` (those of its ``nmdkg.nt``,
    :class:`nmdkg.analysis.network.TriplesSource`) and save it as ``OUT/cache/network.json`` and
    ``network.npz`` (see the module docstring); returns the two paths. The graph's SHA-256 is the one
    :func:`write_query_store` recorded (hashing the file again would take a second at ``--scope all``)."""
    import io

    import numpy as np

    from nmdkg.analysis.network import TriplesSource, read, to_tables
    from nmdkg.core.io import write_bytes_atomic
    from nmdkg.publish.serve import STAMP

    digest = json.loads((out / STORE_DIR / STAMP).read_text(encoding="utf-8"))["sha256"]
    document, arrays = to_tables(read(TriplesSource(triples)))
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    payload = buffer.getvalue()
    document = {"format": document.pop("format"), "graph_sha256": digest,
                "arrays_sha256": hashlib.sha256(payload).hexdigest(), **document}
    folder = cache_dir(out)
    write_bytes_atomic(folder / NETWORK_ARRAYS, payload)
    write_bytes_atomic(folder / NETWORK_JSON, json.dumps(document, ensure_ascii=False).encode("utf-8"))
    progress(f"the network saved for analyze: {len(document['disorders']):,} disorders, "
             f"{len(arrays['incidence_indices']):,} edges")
    return [folder / NETWORK_JSON, folder / NETWORK_ARRAYS]


def load_network(status: Status) -> Any | None:
    """The network (``nmdkg.analysis.network.PhenotypeData``) saved by the build ``status``, or None when
    its files are missing, of another format version, or not this build's."""
    import io

    import numpy as np

    from nmdkg.analysis.network import TABLES_FORMAT, from_tables

    folder = cache_dir(status.folder)
    outputs = (status.manifest or {}).get("outputs", {})
    try:
        document = json.loads((folder / NETWORK_JSON).read_bytes())
        payload = (folder / NETWORK_ARRAYS).read_bytes()
    except (OSError, ValueError):
        return None
    if not isinstance(document, dict) or document.get("format") != TABLES_FORMAT \
            or document.get("graph_sha256") != outputs.get("nmdkg.nt", {}).get("sha256") \
            or document.get("arrays_sha256") != hashlib.sha256(payload).hexdigest():
        return None
    try:
        with np.load(io.BytesIO(payload), allow_pickle=False) as arrays:
            return from_tables(document, {name: arrays[name] for name in arrays.files})
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return None
