"""Structures derived from a build that are slow to recompute, kept beside the graph and loaded fast.

Everything here lives in the build folder and is valid only for the build it was made from (the
manifest of ``nmdkg.release.manifest``); a stale entry is never read, and deleting any of it is always safe.

``OUT/store/`` (written by ``nmdkg build``, loaded while the graph is validated: :class:`QueryStoreLoad`)
    The graph loaded into an on-disk Oxigraph database (``store/oxigraph``), with ``store/source.json``
    recording the SHA-256 of the N-Triples file it holds: the store ``nmdkg serve`` serves, and the one
    ``nmdkg query`` and ``nmdkg analyze`` open read-only (in about 0.1 s, instead of parsing 38 MB).
``OUT/cache/checked-queries.json`` (written by ``nmdkg build``)
    ``{"format": "nmdkg-checked-queries/1", "rdflib": VERSION, "queries": {SHA256: [FORM, [VARS]]}}``:
    the form and projected variables of every query of the library and of the checks, as
    ``nmdkg.store.check_query`` found them with that rdflib version (parsing them takes seconds).
``OUT/cache/ranker/`` (written by ``nmdkg build``, or by the first ``nmdkg diagnose`` of a build that lacks it)
    The diagnosis ranker (``nmdkg.diagnose.ranker.Ranker``) as data files, never code: NumPy ``.npy``
    arrays (read memory-mapped, ``allow_pickle=False``), an ``annotations.json`` read only when it is needed,
    ``hpo.json`` (what the ranking needs of the HPO release: ``{"version", "sha256", "alt_ids", "terms": [[ID,
    NAME, [PARENT], [ALT_ID], OBSOLETE, REPLACED_BY, [CONSIDER]]]}``, read in place of parsing hp.obo),
    and the header ``ranker.json``, written last::

        {"format": "nmdkg-ranker/2", "build": KEY or null, "code": DIGEST, "hpo": HPO_VERSION,
         "arrays": {NAME: [DTYPE, SHAPE]}, "bytes": {FILE: SIZE},
         "scoring": {...}, "diseases": [CURIE], "disease_labels": [...], "terms": [CURIE],
         "term_labels": {CURIE: LABEL}, "counterparts": {CURIE: [MONDO]}, "seed_labels": {CURIE: LABEL}}

    The arrays (``NAME.npy``; D diseases and H HPO terms in the order of ``diseases`` and ``terms``):
    ``ic`` (H, float64) the information content; ``anc_ptr``, ``anc_idx`` the ancestors of each term (CSR
    rows of the reflexive-transitive closure); ``closure_indptr`` (H + 1), ``closure_indices`` (int32
    disease columns) the (term, disease) pairs where the disease has an annotation at or below the term,
    and over them ``W`` (best match weight), ``F`` (highest frequency), ``M`` (smallest information
    content of those annotations), float32: every other entry is 0 (W, F) or infinity (M);
    ``background`` (D, float64) each disease's mean score for a random finding; ``annotated_terms``
    the terms annotated to a ranked disease; ``ann_ptr``, ``ann_terms``, ``ann_freq`` each disease's
    annotations (term column, frequency, NaN when none is given); ``not_terms``, ``not_diseases`` the
    negated annotations. ``annotations.json``: ``{"associations": [[[TERM, [[NEGATED, COUNT, TOTAL, VALUE,
    [PUBLICATION]]]]]], "parent_edges": [[CHILD], [PARENT]]}`` per disease (a negated one under column
    ``-1 - TERM``), for leave-publication-out and other scoring parameters. ``KEY`` is null when the build
    wrote the files (they are then listed in its manifest, and the header must have the checksum recorded
    there), else the digest of the manifest of the build they were made from; ``DIGEST`` is that of the
    source of the modules that compute them (:data:`RANKER_MODULES`). A file of another size than the
    header says, or an array of another type or shape, and the whole ranker is recomputed.
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
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nmdkg.release.manifest import Status

CHECKED_FORMAT = "nmdkg-checked-queries/1"
RANKER_FORMAT = "nmdkg-ranker/2"
STORE_DIR = "store"

Progress = Callable[[str], None]


def _quiet(message: str) -> None:
    """The default progress callback: says nothing."""


def cache_dir(out: Path) -> Path:
    return out / "cache"


# -- the query store ---------------------------------------------------------------------------------

class QueryStoreLoad:
    """``nmdkg build``'s query store, loaded from the graph's N-Triples text by a thread while the graph is
    validated and its files written (Oxigraph's bulk loader releases the GIL), into a temporary folder of
    ``OUT/store/``: :meth:`commit` moves it into place once the build's files are; leaving the ``with`` block
    without a commit (the graph does not conform, a step failed) removes it."""

    def __init__(self, out: Path, document: bytes, triples: int | None = None):
        import threading

        from nmdkg.publish.serve import StagedStore

        self.out = out
        self.document = document
        self.triples = triples  # the number of lines of ``document``, when the caller knows it
        self.staged = StagedStore(out / STORE_DIR)
        self.failure: Exception | None = None
        self.thread = threading.Thread(target=self._fill, name="nmdkg-store", daemon=True)
        self.thread.start()

    def _fill(self) -> None:
        try:
            self.staged.load_ntriples(self.document)
        except Exception as exc:  # noqa: BLE001  (any failure of the load is re-raised by commit, in the building thread)
            self.failure = exc

    def __enter__(self) -> QueryStoreLoad:
        return self

    def __exit__(self, *exc_info) -> None:
        self.thread.join()  # the database cannot be removed while the loader writes into it
        self.staged.discard()

    def commit(self, progress: Progress = _quiet) -> None:
        """Wait for the load, add the dataset description, and move the store into ``OUT/store/``."""
        from nmdkg.core.io import sha256_of

        if self.thread.is_alive():
            progress("finishing the query store (loaded while the graph was validated)")
        self.thread.join()
        if self.failure is not None:
            raise self.failure
        digest = sha256_of(self.out / "nmdkg.nt")  # the file of this document, hashed once per build
        description = self.out / "void.ttl"
        prepared = self.staged.commit(self.out / "nmdkg.nt", digest, description if description.is_file() else None,
                                      self.triples)
        progress(f"query store: {prepared.triples} triples in {self.out / STORE_DIR}/")


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

#: The modules whose code computes a saved ranker: a change to any of them makes it stale.
RANKER_MODULES = ("nmdkg.diagnose.ranker", "nmdkg.analysis.network", "nmdkg.analysis.similarity",
                  "nmdkg.sources.hpo_obo")
RANKER_DIR = "ranker"
RANKER_HEADER = "ranker.json"
RANKER_ANNOTATIONS = "annotations.json"
RANKER_HPO = "hpo.json"


def _code_digest() -> str:
    """The SHA-256 of the source of :data:`RANKER_MODULES` (found without importing them)."""
    from importlib.util import find_spec

    digest = hashlib.sha256()
    for name in RANKER_MODULES:
        spec = find_spec(name)
        if spec is not None and spec.origin:
            digest.update(Path(spec.origin).read_bytes())
    return digest.hexdigest()[:16]


def ranker_folder(out: Path) -> Path:
    return cache_dir(out) / RANKER_DIR


def _npy(array: Any) -> bytes:
    import io

    import numpy

    buffer = io.BytesIO()
    numpy.save(buffer, numpy.ascontiguousarray(array), allow_pickle=False)
    return buffer.getvalue()


def _write_ranker_files(folder: Path, ranker: Any, build: str | None) -> list[Path]:
    """Write ``ranker`` into ``folder`` (see the module docstring): the arrays and the annotations first,
    the header last, with every file's size; returns the files written."""
    from nmdkg.core.io import write_bytes_atomic
    from nmdkg.diagnose.ranker import SAVED_ARRAYS, hpo_document, ranker_arrays, ranker_documents

    (folder.parent / "ranker.pickle").unlink(missing_ok=True)  # the form before version 2
    arrays = ranker_arrays(ranker)
    names, annotations = ranker_documents(ranker)
    written: dict[str, Path] = {}
    for name in SAVED_ARRAYS:
        written[f"{name}.npy"] = folder / f"{name}.npy"
        write_bytes_atomic(written[f"{name}.npy"], _npy(arrays[name]))
    written[RANKER_HPO] = folder / RANKER_HPO
    write_bytes_atomic(written[RANKER_HPO], json.dumps(hpo_document(ranker.hpo), separators=(",", ":")).encode("utf-8"))
    written[RANKER_ANNOTATIONS] = folder / RANKER_ANNOTATIONS
    write_bytes_atomic(written[RANKER_ANNOTATIONS],  # (rows shared between annotations: no cycle to look for)
                       json.dumps(annotations, separators=(",", ":"), check_circular=False).encode("utf-8"))
    header = {"format": RANKER_FORMAT, "build": build, "code": _code_digest(), "hpo": ranker.hpo.version,
              "arrays": {name: [str(arrays[name].dtype), list(arrays[name].shape)] for name in SAVED_ARRAYS},
              "bytes": {file: path.stat().st_size for file, path in written.items()}, **names}
    target = folder / RANKER_HEADER
    write_bytes_atomic(target, json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    return [*written.values(), target]


def write_ranker(out: Path, progress: Progress = _quiet, data: Any = None, source: Any = None) -> list[Path]:
    """``nmdkg build``: compute the diagnosis ranker of the build in ``out`` and write it to
    ``out/cache/ranker/``; returns the files written, for the manifest (none when the graph holds no
    annotated disease to rank). It reads the graph from ``source`` (the build's triples as a
    ``nmdkg.analysis.network.TriplesSource``) or else by SPARQL from the build's query store; ``data``:
    the ``nmdkg.analysis.network.read`` of that graph when another step has already made it."""
    import pyoxigraph

    from nmdkg.analysis.network import SparqlSource
    from nmdkg.core.errors import InputError
    from nmdkg.diagnose.ranker import Ranker
    from nmdkg.publish.serve import DATABASE

    folder = ranker_folder(out)
    try:
        store = source if source is not None else \
            SparqlSource(pyoxigraph.Store.read_only(str(out / STORE_DIR / DATABASE)))
        ranker = Ranker.from_graph(store, data=data)
    except InputError as exc:  # no annotated disease in this scope: nothing to rank
        progress(f"no diagnosis ranker: {exc}")
        return []
    files = _write_ranker_files(folder, ranker, build=None)
    progress(f"the diagnosis ranker ({len(ranker.diseases):,} diseases) written to {folder}/")
    return files


def save_ranker(status: Status, ranker: Any) -> Path:
    """Write the ranker of the build ``status`` to ``OUT/cache/ranker/`` (when the build did not: made
    by an older version, or the ranker's code has changed since); returns the folder."""
    folder = ranker_folder(status.folder)
    _write_ranker_files(folder, ranker, build=status.key)
    return folder


def load_ranker(status: Status, hpo: Any = None) -> Any | None:
    """The ranker saved for the build ``status`` (its arrays memory-mapped), or None when there is none
    for it: another build, other code of :data:`RANKER_MODULES`, another format, or a file missing, of
    the wrong size or unreadable."""
    import numpy

    from nmdkg.core.io import sha256_of
    from nmdkg.diagnose.ranker import SAVED_ARRAYS, hpo_of_document, ranker_from_saved

    folder = ranker_folder(status.folder)
    try:
        header = json.loads((folder / RANKER_HEADER).read_bytes())
        if not isinstance(header, dict) or header.get("format") != RANKER_FORMAT \
                or header.get("code") != _code_digest():
            return None
        if header.get("build") is None:  # written by the build: listed in its manifest
            listed = (status.manifest or {}).get("outputs", {}).get(f"cache/{RANKER_DIR}/{RANKER_HEADER}", {})
            if listed.get("sha256") != sha256_of(folder / RANKER_HEADER):
                return None
        elif header["build"] != status.key:
            return None
        if any((folder / file).stat().st_size != size for file, size in header["bytes"].items()):
            return None
        arrays = {}
        for name in SAVED_ARRAYS:
            arrays[name] = numpy.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False)
            if [str(arrays[name].dtype), list(arrays[name].shape)] != header["arrays"][name]:
                return None
        if hpo is None:
            hpo = hpo_of_document(json.loads((folder / RANKER_HPO).read_bytes()))
            if hpo.version != header.get("hpo"):
                return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError):
        return None

    def annotations() -> dict:
        return json.loads((folder / RANKER_ANNOTATIONS).read_bytes())

    return ranker_from_saved(header, arrays, annotations, hpo)

# -- the disorder-phenotype network --------------------------------------------------------------------

NETWORK_JSON = "network.json"
NETWORK_ARRAYS = "network.npz"


def write_network(out: Path, triples: Any, progress: Progress = _quiet,
                  graph_sha256: str | None = None) -> tuple[list[Path], Any]:
    """Read the network of the build in ``out`` from its canonical ``triples`` (those of its ``nmdkg.nt``,
    :class:`nmdkg.analysis.network.TriplesSource`) and save it as ``OUT/cache/network.json`` and
    ``network.npz`` (see the module docstring); returns the two paths and the network read (the ranker
    the build writes next starts from it). ``graph_sha256`` is the SHA-256 of the build's ``nmdkg.nt``;
    without it, the one :class:`QueryStoreLoad` recorded."""
    import io

    import numpy as np

    from nmdkg.analysis.network import TriplesSource, read, to_tables
    from nmdkg.core.io import write_bytes_atomic
    from nmdkg.publish.serve import STAMP

    digest = graph_sha256 or json.loads((out / STORE_DIR / STAMP).read_text(encoding="utf-8"))["sha256"]
    data = read(triples if isinstance(triples, TriplesSource) else TriplesSource(triples))
    document, arrays = to_tables(data)
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
    return [folder / NETWORK_JSON, folder / NETWORK_ARRAYS], data


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
