"""Shared-symptom network analysis: weights, the thresholded disorder network, communities, centralities,
top pairs; the files and pictures ``nmdkg analyze`` writes are ``nmdkg.analysis.report`` and
``nmdkg.analysis.pictures``.

The steps (:func:`analyze` runs them in order and times each):

1. **read** the disorder-phenotype network and the HPO hierarchy from the graph by SPARQL
   (:func:`nmdkg.analysis.network.read`);
2. **weigh** every pair of disorders with sparse matrices (:func:`similarity_matrices`): shared count,
   Jaccard and TF-IDF cosine over the full projection, Resnik best-match average for all pairs when it is
   the network's metric, else only for the network's edges;
3. **backbone**: each disorder keeps its ``k`` most similar disorders under the chosen metric
   (:func:`nearest_neighbours`); each such edge gets an empirical p-value against a degree-preserving
   permutation null (:func:`nmdkg.analysis.similarity.permutation_pvalues`) and a Benjamini-Hochberg q-value, and
   the network keeps the edges with ``q <= alpha`` (:func:`disorder_network`);
4. **communities** (Louvain), **centralities** (degree, strength, betweenness, participation
   coefficient) and **symptom hubs** on the NetworkX network;
5. **write** edge tables (CSV), GraphML, a summary (Markdown and JSON) and pictures (PNG)
   (``nmdkg.analysis.report``).

Reading the weights: *shared* counts phenotypes in common; *jaccard* divides by the union; *cosine*
down-weights common phenotypes (Zhou et al. 2014); *resnik* also credits related findings through their
most informative common ancestor in HPO.
"""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse as sp

from nmdkg.analysis import similarity as sim
from nmdkg.analysis.network import ANNOTATED_PREFIXES, PhenotypeData, incidence, read

METRICS = ("shared", "jaccard", "cosine", "resnik")
DEFAULT_METRIC = "cosine"
#: Above this many disorders, betweenness is estimated from a sample of source nodes.
EXACT_BETWEENNESS_LIMIT = 5000
#: Betweenness multiplies only a breadth-first level's rows when they hold this many entries fewer than the
#: whole adjacency matrix (:func:`betweenness`).
SPREAD_BY_ROWS_FROM = 40_000
#: Above this many disorders, the network picture shows the best-connected part only.
PICTURE_LIMIT = 1500

Progress = Callable[[str], None]


def quiet(message: str) -> None:
    """The default progress callback: says nothing."""


# -- weights --------------------------------------------------------------------------------------

@dataclass
class Similarities:
    """Disorder-by-disorder weights of one graph, with what they were computed from.

    The full matrix of a metric, the shared counts included, is computed when :meth:`matrix` first asks for
    it; :meth:`pair_values` gives any metric for chosen pairs without it, and :meth:`projection_edges` counts
    the pairs that share a phenotype from whichever sparse matrix is already there.
    """

    disorders: list[str]
    terms: list[str]
    X: sp.csr_array                 # disorders x terms (every HPO term of the graph)
    ancestors: sp.csr_array         # terms x terms
    ic: np.ndarray                  # per term
    full: dict[str, Any] = field(default_factory=dict)

    @property
    def shared(self) -> sp.csr_array:
        """The shared counts of every pair (:func:`nmdkg.analysis.similarity.shared_counts`)."""
        return self.matrix("shared")

    def projection_edges(self) -> int:
        """How many pairs of disorders share at least one phenotype (the edges of the full projection).

        From the cosine matrix when it is there and the shared counts are not (they are then never built,
        which saves 36 million entries at ``--scope all``): a pair shares a phenotype exactly when it has a
        positive cosine, unless some phenotype has every disorder (idf 0), in which case every pair shares it.
        """
        if "shared" not in self.full and "cosine" in self.full:
            n = self.X.shape[0]
            per_phenotype = np.bincount(sim._csr(self.X).indices, minlength=self.X.shape[1])
            if n > 1 and bool((per_phenotype == n).any()):
                return n * (n - 1) // 2
            return int(self.full["cosine"].nnz // 2)
        return int(self.shared.nnz // 2)

    def matrix(self, metric: str):
        """The full weight matrix of ``metric`` (sparse, or dense for Resnik), computed once."""
        if metric not in self.full:
            if metric == "shared":
                self.full[metric] = sim.shared_counts(self.X)
            elif metric == "jaccard":
                self.full[metric] = sim.jaccard(self.X, self.shared)
            elif metric == "cosine":
                self.full[metric] = sim.tfidf_cosine(self.X)
            elif metric == "resnik":
                self.full[metric] = sim.resnik_bma(self.X, self.ancestors, self.ic)
            else:
                raise ValueError(f"unknown metric {metric!r}; choose one of: {', '.join(METRICS)}")
        return self.full[metric]

    def pair_values(self, metric: str, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """The weight of each pair ``(rows[i], cols[i])``."""
        rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
        if metric == "resnik" and "resnik" in self.full:
            return np.asarray(self.full["resnik"][rows, cols], dtype=np.float64)
        return sim.pair_similarity(self.X, (rows, cols), metric, ancestors=self.ancestors, ic=self.ic)


def similarity_matrices(data: PhenotypeData, metrics: Iterable[str] = ("resnik",),
                        progress: Progress = quiet) -> Similarities:
    """The full matrix of each metric of ``metrics`` (and the count of pairs sharing a phenotype)."""
    disorders = data.disorders()
    terms = data.terms()
    X = incidence(data.bipartite, disorders, terms)
    A = sim.ancestor_matrix(terms, data.parents)
    ic = sim.information_content(X, A)
    out = Similarities(disorders, terms, X, A, ic)
    for metric in metrics:
        out.matrix(metric)
        progress(f"{metric} for every pair")
    progress(f"{out.projection_edges():,} pairs of {len(disorders):,} disorders share a phenotype")
    return out


def nearest_neighbours(W, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k-nearest-neighbour backbone of a weight matrix: pairs ``(i, j)``, ``i < j``, such that ``j`` is
    among the ``k`` heaviest neighbours of ``i`` or ``i`` among those of ``j`` (positive weights only; ties
    broken by index).

    .. math:: E_k = \\{\\{i, j\\} : j \\in N_k(i) \\ \\lor\\ i \\in N_k(j)\\}, \\quad w_{ij} > 0

    Examples
    --------
    >>> W = np.array([[0, 3, 1, 0], [3, 0, 2, 0], [1, 2, 0, 1], [0, 0, 1, 0]], dtype=float)
    >>> rows, cols = nearest_neighbours(W, 1)
    >>> sorted(zip(rows.tolist(), cols.tolist()))
    [(0, 1), (1, 2), (2, 3)]

    Node 0's nearest is 1, 1's is 0, 2's is 1 and 3's is 2.

    Notes
    -----
    Keeps every disorder connected to its closest relatives whatever the scale of its weights (a disorder
    with few annotations has low similarities to all), and bounds the edges by ``k`` times the disorders.

    References
    ----------
    Maier M, von Luxburg U, Hein M. Influence of graph construction on graph-based clustering measures.
    NIPS 2008.
    """
    sparse = sp.issparse(W)
    C: Any = sp.csr_array(W) if sparse else np.asarray(W)
    n = C.shape[0]
    kk = min(k, n - 1)
    picked_rows: Any = []
    picked_cols: Any = []
    row_by_row = sparse and 0 < kk < n - 1
    if row_by_row:
        picked_rows, picked_cols = _sparse_nearest(C, kk)
    for start in range(0, n if kk > 0 and not row_by_row else 0, 1024):  # by blocks of rows, densified
        block = C[start:start + 1024]
        block = block.toarray().astype(np.float64) if sparse else np.array(block, dtype=np.float64)
        block[np.arange(len(block)), np.arange(start, start + len(block))] = -np.inf
        if kk < n - 1:
            chosen = np.argpartition(-block, kk - 1, axis=1)[:, :kk]
        else:
            chosen = np.argsort(-block, axis=1, kind="stable")[:, :kk]
        values = np.take_along_axis(block, chosen, axis=1)
        ok = values.ravel() > 0
        picked_rows.append(np.repeat(np.arange(start, start + len(block)), kk)[ok])
        picked_cols.append(chosen.ravel()[ok])
    rows = np.concatenate(picked_rows) if picked_rows else np.zeros(0, dtype=np.int64)
    cols = np.concatenate(picked_cols) if picked_cols else np.zeros(0, dtype=np.int64)
    lo, hi = np.minimum(rows, cols), np.maximum(rows, cols)
    pairs = np.unique(np.stack([lo, hi], axis=1), axis=0) if len(lo) else np.zeros((0, 2), dtype=np.int64)
    return pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64)


def _sparse_nearest(C: sp.csr_array, kk: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The neighbours :func:`nearest_neighbours` picks in each row of a sparse matrix, row by row over the
    stored entries only, as (rows, columns) per row.

    The picks are those of a partial sort of the densified row (diagonal at minus infinity, the ``kk`` largest,
    positive ones kept): every positive entry when there are at most ``kk``, else the ``kk`` largest, a unique
    set unless the ``kk``-th and the next are equal. Such a row, or one with a column stored twice, is
    densified and partially sorted exactly as the dense path does, so that ties fall the same way.
    """
    n = C.shape[0]
    indptr, indices, data = C.indptr, C.indices, C.data
    stamp = np.full(n, -1, dtype=np.int64)
    picked_rows, picked_cols = [], []
    for i in range(n):
        values, columns = data[indptr[i]:indptr[i + 1]], indices[indptr[i]:indptr[i + 1]]
        stamp[columns] = np.arange(len(columns))
        twice = bool((stamp[columns] != np.arange(len(columns))).any())
        ok = (values > 0) & (columns != i)
        chosen = columns[ok]
        if twice or len(chosen) > kk:
            kept = values[ok]
            part = np.argpartition(-kept, kk) if not twice else None
            if part is not None and kept[part[:kk]].min() > kept[part[kk]]:
                chosen = chosen[part[:kk]]
            else:  # a tie across the kk-th place: as the dense path
                row = np.zeros(n, dtype=C.dtype)
                np.add.at(row, columns, values)
                row = row.astype(np.float64)
                row[i] = -np.inf
                chosen = np.argpartition(-row[None, :], kk - 1, axis=1)[0, :kk]
                chosen = chosen[row[chosen] > 0]
        picked_rows.append(np.full(len(chosen), i, dtype=np.int64))
        picked_cols.append(chosen.astype(np.int64))
    return picked_rows, picked_cols


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """False-discovery-rate q-values of p-values (Benjamini-Hochberg step-up).

    .. math:: q_{(i)} = \\min_{j \\ge i} \\min\\Big(1, \\frac{m\\, p_{(j)}}{j}\\Big)

    for the p-values sorted in increasing order, :math:`m` of them.

    >>> benjamini_hochberg(np.array([0.01, 0.04, 0.03, 0.5])).round(3)
    array([0.04 , 0.053, 0.053, 0.5  ])

    References
    ----------
    Benjamini Y, Hochberg Y. Controlling the false discovery rate. J R Stat Soc B 1995;57:289-300.
    """
    p = np.asarray(p, dtype=np.float64)
    m = len(p)
    if m == 0:
        return p
    order = np.argsort(p, kind="stable")
    scaled = p[order] * m / np.arange(1, m + 1)
    q = np.minimum.accumulate(scaled[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(q, 1.0)
    return out


def disorder_network(data: PhenotypeData, weights: Similarities, metric: str = DEFAULT_METRIC, *, k: int = 10,
                     alpha: float = 0.05, n_permutations: int = 100, seed: int = 0,
                     progress: Progress = quiet) -> nx.Graph:
    """The thresholded shared-symptom network of disorders.

    Candidate edges are the ``k``-nearest-neighbour backbone under ``metric``
    (:func:`nearest_neighbours`). Each gets an empirical p-value of its ``metric`` against a
    degree-preserving permutation null (``n_permutations`` random incidence matrices, seeded) and a
    Benjamini-Hochberg q-value over the candidates; the network keeps those with ``q <= alpha``. With
    ``n_permutations = 0`` every candidate is kept (p and q are then 1).

    Every disorder is a node (``label``, ``category``, ``counterpart_of``, ``n_phenotypes``); every edge
    carries ``weight`` (the chosen metric), ``shared``, ``jaccard``, ``cosine``, ``resnik``, ``p_value`` and
    ``q_value``. ``G.graph`` records the parameters.

    References
    ----------
    Zhou X et al. Human symptoms-disease network. Nat Commun 2014;5:4212.
    """
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; choose one of: {', '.join(METRICS)}")
    nodes = weights.disorders
    rows, cols = nearest_neighbours(weights.matrix(metric), k)
    progress(f"{len(rows):,} candidate edges ({k} nearest neighbours by {metric})")
    if n_permutations > 0 and len(rows):
        p = sim.permutation_pvalues(weights.X, (rows, cols), statistic=metric, n_permutations=n_permutations,
                                    seed=seed, ancestors=weights.ancestors, ic=weights.ic)
    else:
        p = np.ones(len(rows))
    q = benjamini_hochberg(p)
    keep = q <= alpha if n_permutations > 0 else np.ones(len(rows), dtype=bool)
    rows, cols, p, q = rows[keep], cols[keep], p[keep], q[keep]
    values = {m: weights.pair_values(m, rows, cols) for m in METRICS}
    G = nx.Graph(metric=metric, k=k, alpha=alpha, permutations=n_permutations, seed=seed)
    B = data.bipartite
    for node in nodes:
        attributes = {key: B.nodes[node][key] for key in ("label", "category", "counterpart_of")
                      if key in B.nodes[node]}
        G.add_node(node, n_phenotypes=B.degree(node), **attributes)
    for i in range(len(rows)):
        a, b = nodes[rows[i]], nodes[cols[i]]
        G.add_edge(a, b, weight=float(values[metric][i]), shared=int(values["shared"][i]),
                   jaccard=float(values["jaccard"][i]), cosine=float(values["cosine"][i]),
                   resnik=float(values["resnik"][i]), p_value=float(p[i]), q_value=float(q[i]))
    progress(f"network: {G.number_of_edges():,} edges with q <= {alpha} "
             f"({n_permutations} permutations, seed {seed})")
    return G


# -- communities and centralities -----------------------------------------------------------------

def louvain(G: nx.Graph, *, seed: int = 0, resolution: float = 1.0) -> list[list[str]]:
    """Communities by Louvain modularity optimisation, largest first (ties by first member), members sorted.

    Maximises :math:`Q = \\frac{1}{2m}\\sum_{ij}\\big(w_{ij} - \\gamma\\frac{s_i s_j}{2m}\\big)
    \\delta(c_i, c_j)` (``weight``, resolution :math:`\\gamma`); the seed makes it reproducible. A node
    without edges is a community of its own.

    >>> G = nx.Graph([("a", "b"), ("b", "c"), ("a", "c"), ("d", "e"), ("e", "f"), ("d", "f"), ("c", "d")])
    >>> louvain(G)
    [['a', 'b', 'c'], ['d', 'e', 'f']]

    References
    ----------
    Blondel VD et al. Fast unfolding of communities in large networks. J Stat Mech 2008:P10008.
    """
    found = nx.community.louvain_communities(G, weight="weight", resolution=resolution, seed=seed)
    return sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))


def participation_coefficient(G: nx.Graph, membership: dict[str, int], weight: str | None = "weight") -> dict:
    """How evenly each node's links spread over communities: high for bridging nodes.

    .. math:: P_i = 1 - \\sum_c \\Big(\\frac{s_{ic}}{s_i}\\Big)^2

    with :math:`s_{ic}` the (weighted) degree of node :math:`i` into community :math:`c` and :math:`s_i`
    its total; 0 when all links stay in one community (or there are none).

    >>> G = nx.Graph([("a", "b"), ("a", "c"), ("b", "c")])
    >>> participation_coefficient(G, {"a": 0, "b": 0, "c": 1}, weight=None)
    {'a': 0.5, 'b': 0.5, 'c': 0.0}

    References
    ----------
    Guimerà R, Amaral LAN. Functional cartography of complex metabolic networks. Nature 2005;433:895-900.
    """
    out = {}
    for node in G:
        by_community: dict[int, float] = defaultdict(float)
        for neighbour, attributes in G.adj[node].items():
            by_community[membership[neighbour]] += attributes.get(weight, 1.0) if weight else 1.0
        total = sum(by_community.values())
        out[node] = 1.0 - sum((v / total) ** 2 for v in by_community.values()) if total > 0 else 0.0
    return out


def betweenness(G: nx.Graph, *, seed: int = 0, samples: int | None = None) -> dict:
    r"""Shortest-path betweenness of each node (hop distances), normalised as NetworkX does.

    .. math:: b_v = \frac{1}{(n-1)(n-2)} \sum_{s \ne v \ne t} \frac{\sigma_{st}(v)}{\sigma_{st}}

    over ordered pairs, :math:`\sigma_{st}` the number of shortest paths from ``s`` to ``t`` and
    :math:`\sigma_{st}(v)` those through ``v``. Brandes' algorithm, each breadth-first level a sparse
    product of that level's rows of the adjacency matrix (NetworkX's pure-Python loop takes half a minute on
    the 12,686-disorder network).
    Exact up to :data:`EXACT_BETWEENNESS_LIMIT` nodes; above, estimated from ``samples`` (default 1000)
    source nodes drawn with ``seed`` and scaled by :math:`n / k` (Brandes-Pich).

    >>> betweenness(nx.path_graph(3))
    {0: 0.0, 1: 1.0, 2: 0.0}

    References
    ----------
    Brandes U. A faster algorithm for betweenness centrality. J Math Sociol 2001;25:163-177.
    Brandes U, Pich C. Centrality estimation in large networks. Int J Bifurc Chaos 2007;17:2303-2318.
    """
    nodes = list(G)
    n = len(nodes)
    if n < 3:
        return dict.fromkeys(nodes, 0.0)
    if samples is None:
        samples = n if n <= EXACT_BETWEENNESS_LIMIT else 1000
    A = sp.csr_array(nx.to_scipy_sparse_array(G, nodelist=nodes, weight=None, format="csr"))
    A.data = np.ones_like(A.data, dtype=np.float64)
    A.sort_indices()
    sources = np.arange(n) if samples >= n else np.sort(np.random.default_rng(seed).choice(n, samples,
                                                                                            replace=False))
    total = np.zeros(n)

    degree = np.diff(A.indptr)

    def spread(level: np.ndarray, values: np.ndarray) -> np.ndarray:
        """``A @ x`` for ``x`` zero outside ``level`` (sorted) and ``values`` on it: from the level's rows alone
        when they hold a small part of the matrix (each node's sum then runs over its neighbours in the level
        in increasing order, as the full product's does, without its zeros); else the full product (picking
        rows costs about as much as 40,000 entries of a product)."""
        if A.nnz > SPREAD_BY_ROWS_FROM and int(degree[level].sum()) + SPREAD_BY_ROWS_FROM < A.nnz:
            return A[level].T @ values
        x = np.zeros(n)
        x[level] = values
        return A @ x

    for source in sources:
        sigma = np.zeros(n)
        sigma[source] = 1.0
        seen = np.zeros(n, dtype=bool)
        seen[source] = True
        levels = [np.array([source])]
        while True:
            reached = spread(levels[-1], sigma[levels[-1]])
            new = np.flatnonzero((reached > 0) & ~seen)
            if not len(new):
                break
            sigma[new] = reached[new]
            seen[new] = True
            levels.append(new)
        delta = np.zeros(n)
        for depth in range(len(levels) - 1, 0, -1):
            below = levels[depth]
            above = levels[depth - 1]
            delta[above] += sigma[above] * spread(below, (1.0 + delta[below]) / sigma[below])[above]
        delta[source] = 0.0
        total += delta
    scale = 1.0 / ((n - 1) * (n - 2)) * (n / len(sources))
    return {node: float(value * scale) for node, value in zip(nodes, total, strict=True)}


def phenotype_participation(counts: dict[int, int]) -> float:
    """How evenly a phenotype's disorders spread over communities: :math:`1 - \\sum_c (n_c / n)^2`.

    >>> phenotype_participation({1: 5, 2: 5}), phenotype_participation({1: 10})
    (0.5, 0.0)
    """
    total = sum(counts.values())
    return 1.0 - sum((v / total) ** 2 for v in counts.values()) if total else 0.0


def enrichment(in_community: int, size: int, overall: int, total: int) -> float:
    """How characteristic a phenotype is of a community: its share there times the log of its lift.

    .. math:: e = f_c \\ln\\frac{f_c}{f}, \\quad f_c = \\frac{n_c}{|c|}, \\ f = \\frac{n}{N}

    (one term of the Kullback-Leibler divergence of the community's phenotype profile from the whole).

    >>> round(enrichment(8, 10, 20, 100), 3)
    1.109
    """
    if in_community == 0 or size == 0 or overall == 0:
        return 0.0
    share = in_community / size
    return share * math.log(share / (overall / total))


# -- the whole analysis ---------------------------------------------------------------------------

@dataclass
class Analysis:
    """Everything :func:`analyze` computed; :func:`write_outputs` turns it into files."""

    data: PhenotypeData
    weights: Similarities
    network: nx.Graph
    communities: list[list[str]]
    membership: dict[str, int]
    metric: str
    seed: int
    timings: dict[str, float] = field(default_factory=dict)
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    symptoms: list[dict[str, Any]] = field(default_factory=list)
    community_table: list[dict[str, Any]] = field(default_factory=list)
    top: list[dict[str, Any]] = field(default_factory=list)


def analyze(source: Any, *, metric: str = DEFAULT_METRIC, k: int = 10, alpha: float = 0.05,
            n_permutations: int = 100, seed: int = 0, resolution: float = 1.0, top: int = 100,
            progress: Progress = quiet) -> Analysis:
    """Run the whole analysis on a graph (anything :func:`nmdkg.analysis.network.read` takes) or on
    :class:`~nmdkg.analysis.network.PhenotypeData` already read."""
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; choose one of: {', '.join(METRICS)}")
    with _without_huge_pages():
        return _analyze(source, metric=metric, k=k, alpha=alpha, n_permutations=n_permutations, seed=seed,
                        resolution=resolution, top=top, progress=progress)


@contextmanager
def _without_huge_pages():
    """NumPy's advice to the kernel to back large arrays with transparent huge pages, off for the block.

    Where the kernel answers that advice by compacting memory at the first touch of each page (transparent
    huge pages with ``defrag`` set to ``madvise``, as on the reference machine), a fresh array of 290 MB took
    0.5 s instead of 0.1 s to fill, and the analysis at scope all spent 2 s of system time so (the cosine
    matrix, the partial sort of the top pairs). The results are the same either way. A no-op where NumPy has no
    such switch.
    """
    core = getattr(np, "_core", None) or getattr(np, "core", None)
    switch = getattr(getattr(core, "multiarray", None), "_set_madvise_hugepage", None)
    if switch is None:
        yield
        return
    before = switch(False)
    try:
        yield
    finally:
        switch(before)


def _analyze(source: Any, *, metric: str, k: int, alpha: float, n_permutations: int, seed: int,
             resolution: float, top: int, progress: Progress) -> Analysis:
    timings: dict[str, float] = {}
    steps = 6

    def step(number: int, name: str, message: str):
        progress(f"[{number}/{steps}] {message}")
        return _Timer(timings, name, progress)

    with step(1, "read", "the disorder-phenotype network saved by the build" if isinstance(source, PhenotypeData)
              else "reading the disorder-phenotype network by SPARQL"):
        data = source if isinstance(source, PhenotypeData) else read(source, progress=_indent(progress))
    with step(2, "weights", f"weighing every pair of disorders ({metric})"):
        weights = similarity_matrices(data, (metric,), progress=_indent(progress))
    with step(3, "network", f"thresholding the {metric} network against a permutation null"):
        G = disorder_network(data, weights, metric, k=k, alpha=alpha, n_permutations=n_permutations,
                             seed=seed, progress=_indent(progress))
    with step(4, "communities", "finding communities (Louvain)"):
        communities = louvain(G, seed=seed, resolution=resolution)
        membership = {node: i + 1 for i, members in enumerate(communities) for node in members}
        G.graph["modularity"] = nx.community.modularity(G, [set(c) for c in communities], weight="weight") \
            if G.number_of_edges() else 0.0
        _indent(progress)(f"{sum(1 for c in communities if len(c) > 1)} communities of 2 or more disorders, "
                          f"modularity {G.graph['modularity']:.3f}")
    with step(5, "centralities", "centralities, bridging disorders and symptom hubs"):
        analysis = Analysis(data, weights, G, communities, membership, metric, seed, timings)
        _node_table(analysis)
        _symptom_table(analysis)
        _community_table(analysis)
    with step(6, "top pairs", f"top {top} pairs by {metric}"):
        analysis.top = top_pairs(weights, metric, top, data)
    return analysis


class _Timer:
    def __init__(self, timings: dict[str, float], name: str, progress: Progress):
        self.timings, self.name, self.progress = timings, name, progress

    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        elapsed = time.perf_counter() - self.start
        self.timings[self.name] = elapsed
        if exc[0] is None:
            self.progress(f"      done in {elapsed:.1f} s")
        return False


def _indent(progress: Progress) -> Progress:
    return lambda message: progress(f"      {message}")


def _node_table(a: Analysis) -> None:
    G = a.network
    participation = participation_coefficient(G, a.membership)
    between = betweenness(G, seed=a.seed)
    for node in a.weights.disorders:
        a.nodes[node] = {
            "id": node,
            "label": G.nodes[node].get("label", node),
            "category": G.nodes[node].get("category", ""),
            "counterpart_of": G.nodes[node].get("counterpart_of", ""),
            "n_phenotypes": G.nodes[node]["n_phenotypes"],
            "community": a.membership[node],
            "degree": G.degree(node),
            "strength": G.degree(node, weight="weight"),
            "betweenness": between[node],
            "participation": participation[node],
        }
    for node, row in a.nodes.items():
        G.nodes[node].update(community=row["community"], degree=row["degree"], strength=row["strength"],
                             betweenness=row["betweenness"], participation=row["participation"])


def _symptom_table(a: Analysis) -> None:
    B = a.data.bipartite
    n_disorders = len(a.weights.disorders)
    column = {term: j for j, term in enumerate(a.weights.terms)}
    idf = sim.idf_weights(a.weights.X)
    rows = []
    for phenotype in a.data.phenotypes():
        disorders = list(B.adj[phenotype])
        by_community = Counter(a.membership[d] for d in disorders)
        rows.append({
            "id": phenotype,
            "label": B.nodes[phenotype].get("label", phenotype),
            "n_disorders": len(disorders),
            "share": len(disorders) / n_disorders,
            "idf": float(idf[column[phenotype]]),
            "ic": float(a.weights.ic[column[phenotype]]),
            "n_communities": len(by_community),
            "participation": phenotype_participation(by_community),
        })
    rows.sort(key=lambda r: (-r["n_disorders"], r["id"]))
    a.symptoms = rows


def _community_table(a: Analysis) -> None:
    B = a.data.bipartite
    total = len(a.weights.disorders)
    overall = {p: B.degree(p) for p in a.data.phenotypes()}
    table = []
    for number, members in enumerate(a.communities, start=1):
        counts: Counter[str] = Counter(p for d in members for p in B.adj[d])
        scored = sorted(((enrichment(n, len(members), overall[p], total), p) for p, n in counts.items()),
                        key=lambda x: (-x[0], x[1]))
        categories = Counter(B.nodes[d].get("category", "Disorder") for d in members)
        category, count = min(categories.items(), key=lambda x: (-x[1], x[0]))
        hubs = sorted(members, key=lambda d: (-a.nodes[d]["strength"], d))
        table.append({
            "community": number,
            "size": len(members),
            "main_category": category,
            "category_share": count / len(members),
            "top_phenotypes": [p for _, p in scored[:5]],
            "top_phenotype_labels": [B.nodes[p]["label"] for _, p in scored[:5]],
            "central_disorders": hubs[:5],
            "central_disorder_labels": [B.nodes[d]["label"] for d in hubs[:5]],
            "article_disorders": sorted(d for d in members if not d.startswith(ANNOTATED_PREFIXES)),
        })
    a.community_table = table


def shared_phenotypes(data: PhenotypeData, a: str, b: str) -> list[str]:
    """The phenotypes two disorders share, sorted."""
    B = data.bipartite
    return sorted(set(B.adj[a]) & set(B.adj[b]))


def top_pairs(weights: Similarities, metric: str, n: int, data: PhenotypeData | None = None) -> list[dict]:
    """The ``n`` most similar pairs of disorders under ``metric`` over the full projection, heaviest first
    (ties by identifiers), with all four weights.

    .. math:: \\mathrm{top}_n = \\operatorname{arg\\,max}^{(n)}_{a < b} w_{ab}
    """
    W = weights.matrix(metric)
    if sp.issparse(W):
        C = sp.csr_array(W)
        take = min(4 * n, C.nnz)
        if 0 < take < C.nnz:
            # the partial sort of the negated weights, negated in place and back (exactly): a copy of 36
            # million weights costs half a second at scope all
            np.negative(C.data, out=C.data)
            try:
                best = np.argpartition(C.data, take - 1)[:take]
            finally:
                np.negative(C.data, out=C.data)
        else:
            best = np.arange(C.nnz)
        rows = np.searchsorted(C.indptr, best, side="right") - 1
        cols, values = C.indices[best], C.data[best]
        upper = rows < cols
        rows, cols, values = rows[upper], cols[upper], values[upper]
    else:
        D = np.asarray(W)
        rows, cols = nearest_neighbours(D, max(1, min(n, D.shape[0] - 1)))
        values = D[rows, cols]
    if len(values) == 0:
        return []
    take = np.argsort(-values, kind="stable")[: max(n * 4, n)]
    names = weights.disorders
    chosen = sorted((-float(values[i]), names[rows[i]], names[cols[i]], int(rows[i]), int(cols[i]))
                     for i in take)[:n]
    r = np.array([c[3] for c in chosen], dtype=np.int64)
    c = np.array([c[4] for c in chosen], dtype=np.int64)
    extra = {m: weights.pair_values(m, r, c) for m in METRICS}
    out = []
    for i, (_, a, b, _, _) in enumerate(chosen):
        row = {"rank": i + 1, "source": a, "target": b}
        row.update({m: float(extra[m][i]) for m in METRICS})
        if data is not None:
            row["source_label"] = data.label(a)
            row["target_label"] = data.label(b)
            row["shared_phenotypes"] = shared_phenotypes(data, a, b)
        out.append(row)
    return out
