"""Similarity of disorders by their phenotypes: one function per measure, on sparse matrices.

Every measure takes the **incidence matrix** ``X`` of disorders (rows) by phenotypes (columns), a SciPy
sparse matrix with ``X[i, j] = 1`` when disorder ``i`` is annotated with phenotype ``j`` (a positive
annotation: negated ones never enter ``X``). :func:`nmdkg.analysis.network.incidence` builds it from the network.

* :func:`shared_counts`, :func:`jaccard` and :func:`tfidf_cosine` weigh the one-mode projection onto
  disorders by the phenotypes two disorders share *exactly*.
* :func:`ancestor_matrix`, :func:`annotation_closure`, :func:`information_content` and :func:`resnik_bma`
  measure how close two phenotype profiles are over the HPO hierarchy, so that related but not identical
  findings count (Resnik's information content, best-match average).
* :func:`curveball` and :func:`permutation_pvalues` give each edge an empirical p-value against a null
  model that keeps every disorder's and every phenotype's number of annotations.

Sparse products are used throughout, not NetworkX's projections: at ``--scope all`` (12,680 diseases) the
projection has about 18.6 million edges, which NetworkX builds in minutes and gigabytes, and
``X @ X.T`` in seconds. NetworkX takes over once the network is thresholded (:mod:`nmdkg.analysis.compute`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import scipy.sparse as sp

STATISTICS = ("shared", "jaccard", "cosine", "resnik")


def _check_statistic(statistic: str, ancestors, ic) -> None:
    if statistic not in STATISTICS:
        raise ValueError(f"unknown statistic {statistic!r}; choose one of: {', '.join(STATISTICS)}")
    if statistic == "resnik" and (ancestors is None or ic is None):
        raise ValueError("the resnik statistic needs ancestors and ic")


def _csr(X) -> sp.csr_array:
    """``X`` as a binary CSR array of float64 (duplicates summed, then clipped to 1)."""
    X = sp.csr_array(X, dtype=np.float64)
    X.sum_duplicates()
    X.data = np.minimum(X.data, 1.0)
    X.eliminate_zeros()
    return X


def _narrow(S: sp.csr_array) -> sp.csr_array:
    """``S`` with 32-bit row pointers and column indices when they fit, so that a product of it is built
    with them too (a quarter less memory and time for the 36 million entries of the projection)."""
    if S.indices.dtype == np.int32 or max(S.nnz, *S.shape) >= np.iinfo(np.int32).max:
        return S
    return sp.csr_array((S.data, S.indices.astype(np.int32), S.indptr.astype(np.int32)), shape=S.shape)


def _rows_of(S: sp.csr_array) -> np.ndarray:
    return np.repeat(np.arange(S.shape[0], dtype=S.indices.dtype), np.diff(S.indptr))


def _offdiagonal(S, block: int = 4096) -> sp.csr_array:
    """``S`` without its diagonal and explicit zeros (in place, with CSR arrays: ``setdiag`` is slow at
    tens of millions of entries), the diagonal found ``block`` rows at a time (the row of each of 36 million
    entries at once costs a second)."""
    S = sp.csr_array(S)
    for start in range(0, S.shape[0], block):
        stop = min(start + block, S.shape[0])
        first, last = S.indptr[start], S.indptr[stop]
        rows = np.repeat(np.arange(start, stop, dtype=S.indices.dtype), np.diff(S.indptr[start:stop + 1]))
        S.data[first:last][S.indices[first:last] == rows] = 0
    S.eliminate_zeros()
    return S


def shared_counts(X) -> sp.csr_array:
    """Number of phenotypes each pair of disorders shares: the one-mode projection onto disorders.

    .. math:: S_{ab} = |P_a \\cap P_b| = (X X^\\top)_{ab}, \\qquad a \\neq b

    where :math:`P_a` is the set of phenotypes of disorder :math:`a`. The diagonal (a disorder with itself)
    is left out, so ``S.nnz / 2`` is the number of edges of the projection.

    Examples
    --------
    Three disorders over three phenotypes: ``a`` = {0, 1}, ``b`` = {1, 2}, ``c`` = {0, 1, 2}.

    >>> X = sp.csr_array([[1, 1, 0], [0, 1, 1], [1, 1, 1]])
    >>> shared_counts(X).toarray().astype(int)
    array([[0, 1, 2],
           [1, 0, 2],
           [2, 2, 0]])

    Notes
    -----
    The weighted projection of NetworkX's ``bipartite.weighted_projected_graph``, computed as one sparse
    product (seconds instead of minutes at 18.6 million edges). Counts favour disorders with many
    annotations; :func:`jaccard` and :func:`tfidf_cosine` correct for that.

    References
    ----------
    Goh K-I et al. The human disease network. PNAS 2007;104:8685-8690.
    """
    X = _narrow(_csr(X))
    return _offdiagonal(X @ X.T)


def jaccard(X, shared: sp.csr_array | None = None) -> sp.csr_array:
    """Jaccard index of the phenotype sets of each pair of disorders.

    .. math:: J_{ab} = \\frac{|P_a \\cap P_b|}{|P_a \\cup P_b|}
              = \\frac{S_{ab}}{k_a + k_b - S_{ab}}

    with :math:`k_a = |P_a|` the number of phenotypes of :math:`a` and :math:`S` the shared counts.
    Pass ``shared`` (from :func:`shared_counts`) to reuse it.

    Examples
    --------
    >>> X = sp.csr_array([[1, 1, 0], [0, 1, 1], [1, 1, 1]])
    >>> jaccard(X).toarray().round(3)
    array([[0.   , 0.333, 0.667],
           [0.333, 0.   , 0.667],
           [0.667, 0.667, 0.   ]])

    ``a`` and ``b`` share one phenotype out of three in their union: 1/3.

    Notes
    -----
    Same sparsity as the shared counts. Given both degrees, ``J`` is an increasing function of ``S``, so
    under a degree-preserving null both have the same p-values.

    References
    ----------
    Jaccard P. Étude comparative de la distribution florale dans une portion des Alpes et du Jura.
    Bull Soc Vaudoise Sci Nat 1901;37:547-579.
    """
    X = _csr(X)
    S = shared_counts(X) if shared is None else _offdiagonal(shared)
    k = np.diff(X.indptr).astype(np.float64)
    union = k[_rows_of(S)] + k[S.indices] - S.data
    return sp.csr_array((S.data / union, S.indices, S.indptr), shape=S.shape)


def idf_weights(X) -> np.ndarray:
    """Inverse document frequency of each phenotype: :math:`\\mathrm{idf}_j = \\ln(N / n_j)`.

    :math:`N` is the number of disorders (rows) and :math:`n_j` the number annotated with phenotype
    :math:`j`; a phenotype no disorder has gets 0.

    >>> idf_weights(sp.csr_array([[1, 1, 0], [0, 1, 1], [1, 1, 1], [0, 1, 0]])).round(3)
    array([0.693, 0.   , 0.693])

    (Zhou et al., Nat Commun 2014: the TF-IDF weighting of the human symptoms-disease network.)
    """
    X = _csr(X)
    n = np.bincount(X.indices, minlength=X.shape[1]).astype(np.float64)
    out = np.zeros(X.shape[1])
    used = n > 0
    out[used] = np.log(X.shape[0] / n[used])
    return out


def tfidf_cosine(X) -> sp.csr_array:
    """Cosine similarity of TF-IDF weighted phenotype vectors, as in the human symptoms-disease network.

    .. math:: w_{aj} = x_{aj} \\ln\\frac{N}{n_j}, \\qquad
              C_{ab} = \\frac{\\sum_j w_{aj} w_{bj}}{\\lVert w_a \\rVert \\, \\lVert w_b \\rVert}

    :math:`x_{aj}` is 1 when disorder :math:`a` has phenotype :math:`j` (Zhou et al. use the number of
    PubMed co-occurrences; the HPO annotations are binary), :math:`N` the number of disorders and
    :math:`n_j` the number with phenotype :math:`j` (:func:`idf_weights`). A phenotype every disorder has
    weighs nothing; a rare one shared by two disorders ties them strongly.

    Examples
    --------
    Phenotype 1 is shared by all three disorders, so only phenotypes 0 and 2 count:

    >>> X = sp.csr_array([[1, 1, 0], [0, 1, 1], [1, 1, 1]])
    >>> tfidf_cosine(X).toarray().round(3)
    array([[0.   , 0.   , 0.707],
           [0.   , 0.   , 0.707],
           [0.707, 0.707, 0.   ]])

    Notes
    -----
    Pairs that share only phenotypes of idf 0 get 0 and drop out of the sparse result. Values lie in
    [0, 1].

    References
    ----------
    Zhou X, Menche J, Barabási A-L, Sharma A. Human symptoms-disease network. Nat Commun 2014;5:4212.
    """
    X = _csr(X)
    W = X @ sp.diags_array(idf_weights(X))
    norms = np.sqrt(np.asarray(W.multiply(W).sum(axis=1)).ravel())
    inverse = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    Wn = _narrow(sp.csr_array(sp.diags_array(inverse) @ W))
    C = _offdiagonal(Wn @ Wn.T)
    np.clip(C.data, 0.0, 1.0, out=C.data)
    C.eliminate_zeros()
    return C


# -- semantic similarity over the HPO hierarchy ---------------------------------------------------

def ancestor_matrix(terms: Sequence[str], parents: Mapping[str, Sequence[str]]) -> sp.csr_array:
    """The reflexive-transitive closure of the hierarchy, as a 0/1 matrix over ``terms``.

    ``A[t, h] = 1`` when ``h`` is ``t`` or one of its ancestors; ``parents`` maps a term to its direct
    superclasses (terms outside ``terms`` are ignored).

    >>> terms = ["root", "A", "B", "C", "D"]
    >>> parents = {"A": ["root"], "B": ["A"], "C": ["A"], "D": ["root"]}
    >>> ancestor_matrix(terms, parents).toarray().astype(int)
    array([[1, 0, 0, 0, 0],
           [1, 1, 0, 0, 0],
           [1, 1, 1, 0, 0],
           [1, 1, 0, 1, 0],
           [1, 0, 0, 0, 1]])
    """
    index = {term: i for i, term in enumerate(terms)}
    closure: dict[int, set[int]] = {}

    def up(i: int) -> set[int]:
        stack, seen = [i], {i}
        while stack:
            for parent in parents.get(terms[stack.pop()], ()):
                j = index.get(parent)
                if j is not None and j not in seen:
                    seen.add(j)
                    stack.append(j)
        return seen

    rows: list[int] = []
    cols: list[int] = []
    for i in range(len(terms)):
        closure[i] = up(i)
        rows.extend([i] * len(closure[i]))
        cols.extend(closure[i])
    data = np.ones(len(rows))
    return sp.csr_array((data, (np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64))),
                        shape=(len(terms), len(terms)))


def annotation_closure(X, ancestors) -> sp.csr_array:
    """Which terms each disorder has, directly or through a more specific term (the true-path rule).

    .. math:: M_{dh} = [\\, (X A)_{dh} > 0 \\,]

    with ``A`` the :func:`ancestor_matrix`: disorder ``d`` "has" term ``h`` when it is annotated with ``h``
    or a descendant of it.

    >>> A = ancestor_matrix(["root", "A", "B"], {"A": ["root"], "B": ["A"]})
    >>> annotation_closure(sp.csr_array([[0, 0, 1], [0, 1, 0]]), A).toarray().astype(int)
    array([[1, 1, 1],
           [1, 1, 0]])
    """
    M = _csr(X) @ sp.csr_array(ancestors)
    M.data = np.ones_like(M.data)
    return sp.csr_array(M)


def information_content(X, ancestors) -> np.ndarray:
    """Information content of each HPO term over the annotated disorders.

    .. math:: \\mathrm{IC}(h) = -\\ln \\frac{|\\{d : d \\text{ has } h \\text{ or a descendant}\\}|}{N}

    with :math:`N` the number of disorders (rows of ``X``). The root, which every disorder has, gets 0;
    a term only one disorder has gets :math:`\\ln N`. A term no disorder has gets 0: it is never a common
    ancestor of two annotations, so its value is never used.

    Examples
    --------
    ``B`` and ``C`` under ``A`` under ``root``; ``D`` under ``root``; one disorder each with B, C, D:

    >>> terms = ["root", "A", "B", "C", "D"]
    >>> A = ancestor_matrix(terms, {"A": ["root"], "B": ["A"], "C": ["A"], "D": ["root"]})
    >>> X = sp.csr_array([[0, 0, 1, 0, 0], [0, 0, 0, 1, 0], [0, 0, 0, 0, 1]])
    >>> information_content(X, A).round(3)   # ln(3/3), ln(3/2), ln 3, ln 3, ln 3
    array([0.   , 0.405, 1.099, 1.099, 1.099])

    References
    ----------
    Resnik P. Using information content to evaluate semantic similarity in a taxonomy. IJCAI 1995:448-453.
    Köhler S et al. Clinical diagnostics in human genetics with semantic similarity searches in
    ontologies. Am J Hum Genet 2009;85:457-464 (IC from the frequency of annotation to diseases).
    """
    M = annotation_closure(X, ancestors)
    n = np.bincount(M.indices, minlength=M.shape[1]).astype(np.float64)
    ic = np.zeros(M.shape[1])
    used = n > 0
    ic[used] = -np.log(n[used] / M.shape[0])
    return np.maximum(ic, 0.0)


def _term_ancestors(ancestors, ic: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """CSR of each term's ancestors-or-self, restricted to ancestors of positive IC."""
    A = sp.csr_array(ancestors).tocoo()
    keep = ic[A.col] > 0
    R = sp.csr_array((np.ones(int(keep.sum())), (A.row[keep], A.col[keep])), shape=A.shape)
    R.sort_indices()
    return R.indptr, R.indices


def best_match_matrix(X, ancestors, ic: np.ndarray, terms: np.ndarray | None = None,
                      closure=None) -> np.ndarray:
    """For each term ``t`` and disorder ``d``: the IC of the most informative common ancestor of ``t``
    and any phenotype of ``d``.

    .. math:: B_{td} = \\max_{u \\in P_d} \\mathrm{sim}(t, u)
              = \\max_{h \\in \\mathrm{anc}(t)} \\mathrm{IC}(h)\\, M_{dh}

    where :math:`\\mathrm{sim}(t, u) = \\max_{h \\in \\mathrm{anc}(t) \\cap \\mathrm{anc}(u)} \\mathrm{IC}(h)`
    is Resnik's similarity and ``M`` the :func:`annotation_closure` (the two maxima are the same: a common
    ancestor of ``t`` and some ``u`` of ``d`` is an ancestor of ``t`` that ``d`` has). Rows follow
    ``terms`` (default: every column of ``X``).

    >>> terms = ["root", "A", "B", "C", "D"]
    >>> A = ancestor_matrix(terms, {"A": ["root"], "B": ["A"], "C": ["A"], "D": ["root"]})
    >>> X = sp.csr_array([[0, 0, 1, 0, 0], [0, 0, 0, 1, 0], [0, 0, 0, 0, 1]])
    >>> ic = information_content(X, A)
    >>> best_match_matrix(X, A, ic, terms=np.array([2])).round(3)   # term B against each disorder
    array([[1.099, 0.405, 0.   ]], dtype=float32)
    """
    X = _csr(X)
    M = sp.csr_array(annotation_closure(X, ancestors) if closure is None else closure)
    MT = np.zeros((M.shape[1], M.shape[0]), dtype=bool)  # H x D, so that one term's ancestors are rows
    MT[M.indices, _rows_of(M)] = True
    indptr, indices = _term_ancestors(ancestors, ic)
    terms = np.arange(X.shape[1]) if terms is None else np.asarray(terms)
    out = np.zeros((len(terms), X.shape[0]), dtype=np.float32)
    icf = ic.astype(np.float32)
    for row, t in enumerate(terms):
        anc = indices[indptr[t]:indptr[t + 1]]
        if len(anc):
            np.max(MT[anc] * icf[anc, None], axis=0, out=out[row])
    return out


def resnik_bma(X, ancestors, ic: np.ndarray, pairs: tuple[np.ndarray, np.ndarray] | None = None, *,
               block: int = 1024, closure=None) -> np.ndarray:
    """Resnik semantic similarity of disorders, best-match average over their phenotypes.

    .. math:: \\mathrm{BMA}(a, b) = \\frac{1}{2}\\Big(
              \\frac{1}{|P_a|}\\sum_{t \\in P_a} \\max_{u \\in P_b} \\mathrm{sim}(t, u) +
              \\frac{1}{|P_b|}\\sum_{u \\in P_b} \\max_{t \\in P_a} \\mathrm{sim}(t, u) \\Big)

    with :math:`\\mathrm{sim}(t, u) = \\mathrm{IC}` of the most informative common ancestor of ``t`` and
    ``u`` (Resnik) and IC from :func:`information_content`. Two disorders with related but not identical
    findings (say *distal* and *proximal muscle weakness*) are close through their common ancestor
    (*muscle weakness*), weighted by how informative it is.

    Without ``pairs``: the full symmetric ``D x D`` matrix (diagonal included), computed by blocks of
    ``block`` rows as ``P @ B`` (``P`` the row-normalised incidence, ``B`` the
    :func:`best_match_matrix`). With ``pairs = (rows, cols)``: the values for those pairs only (what the
    thresholded network and the permutation null need).

    Examples
    --------
    >>> terms = ["root", "A", "B", "C", "D"]
    >>> A = ancestor_matrix(terms, {"A": ["root"], "B": ["A"], "C": ["A"], "D": ["root"]})
    >>> X = sp.csr_array([[0, 0, 1, 0, 0], [0, 0, 0, 1, 0], [0, 0, 0, 0, 1]])
    >>> ic = information_content(X, A)
    >>> resnik_bma(X, A, ic).round(3)    # B and C meet at A: ln 1.5; nothing meets D but the root
    array([[1.099, 0.405, 0.   ],
           [0.405, 1.099, 0.   ],
           [0.   , 0.   , 1.099]], dtype=float32)
    >>> resnik_bma(X, A, ic, pairs=(np.array([0]), np.array([1]))).round(3)
    array([0.405])

    Notes
    -----
    The full matrix is dense (``D**2`` float32: 3 MB at the neuromuscular scope, 640 MB at 12,680
    diseases). IC depends on the corpus: here, the disorders of the graph.

    References
    ----------
    Resnik P. IJCAI 1995:448-453. Pesquita C et al. Semantic similarity in biomedical ontologies. PLoS
    Comput Biol 2009;5:e1000443 (best-match average). Köhler S et al. Am J Hum Genet 2009;85:457-464.
    """
    X = _csr(X)
    M = annotation_closure(X, ancestors) if closure is None else sp.csr_array(closure)
    k = np.asarray(X.sum(axis=1)).ravel()
    inverse = np.divide(1.0, k, out=np.zeros_like(k), where=k > 0)
    if pairs is not None:
        return _resnik_pairs(X, M, ancestors, ic, np.asarray(pairs[0]), np.asarray(pairs[1]), inverse)
    used = np.flatnonzero(np.bincount(X.indices, minlength=X.shape[1]))
    B = best_match_matrix(X, ancestors, ic, terms=used, closure=M)  # used terms x D
    P = sp.csr_array(sp.diags_array(inverse) @ X)[:, used]
    P = sp.csr_array(P, dtype=np.float32)
    D = X.shape[0]
    R = np.empty((D, D), dtype=np.float32)
    for start in range(0, D, block):  # by blocks of rows: each row of R is written once
        R[start:start + block] = P[start:start + block] @ B
    del B
    # symmetrise in place, block by block (R += R.T would read what it writes)
    for start in range(0, D, block):
        stop = min(start + block, D)
        mean = (R[start:stop, start:] + R[start:, start:stop].T) / 2
        R[start:stop, start:] = mean
        R[start:, start:stop] = mean.T
    return R


def _resnik_pairs(X: sp.csr_array, M, ancestors, ic: np.ndarray, rows: np.ndarray, cols: np.ndarray,
                  inverse: np.ndarray, chunk: int = 20_000) -> np.ndarray:
    M = sp.csr_array(M)
    needed = np.unique(np.concatenate([rows, cols]))  # the closure of these disorders only
    slot = np.full(M.shape[0], -1, dtype=np.int64)
    slot[needed] = np.arange(len(needed))
    M = sp.csr_array(M[needed])
    Md = np.zeros(M.shape, dtype=bool)  # needed disorders x H
    Md[_rows_of(M), M.indices] = True
    a_ptr, a_idx = _term_ancestors(ancestors, ic)
    icf = ic.astype(np.float64)
    n_anc_of = np.diff(a_ptr)
    # a disorder that has a term (or a more specific one) has all its ancestors: the term's best match there
    # is the largest IC among them, the same for every such disorder
    own = np.zeros(len(n_anc_of))
    with_ancestors = n_anc_of > 0
    if len(a_idx):
        own[with_ancestors] = np.maximum.reduceat(icf[a_idx], a_ptr[:-1][with_ancestors])

    def directed(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
        """mean over t in P_src of max over h in anc(t) of IC(h) M[dst, h]."""
        counts = np.diff(X.indptr)[src]
        pair = np.repeat(np.arange(len(src)), counts)
        starts = X.indptr[src]
        offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        term = X.indices[np.repeat(starts, counts) + offsets]
        row = slot[dst][pair]
        best = np.zeros(len(term))
        covered = Md[row, term]
        best[covered] = own[term[covered]]
        rest = np.flatnonzero(~covered)
        n_anc = n_anc_of[term[rest]]
        flat = np.repeat(np.arange(len(rest)), n_anc)
        anc_offsets = np.arange(n_anc.sum()) - np.repeat(np.cumsum(n_anc) - n_anc, n_anc)
        anc = a_idx[np.repeat(a_ptr[term[rest]], n_anc) + anc_offsets]
        values = icf[anc] * Md[row[rest][flat], anc]
        found = np.zeros(len(rest))
        np.maximum.at(found, flat, values)
        best[rest] = found
        total = np.bincount(pair, weights=best, minlength=len(src))
        return total * inverse[src]

    out = np.empty(len(rows))
    for start in range(0, len(rows), chunk):
        r, c = rows[start:start + chunk], cols[start:start + chunk]
        out[start:start + chunk] = (directed(r, c) + directed(c, r)) / 2
    return out


# -- the permutation null -------------------------------------------------------------------------

def curveball(X, rng: np.random.Generator, trades: int = 1) -> sp.csr_array:
    """A random 0/1 matrix with the same row and column sums as ``X`` (global curveball trades).

    One *global trade* pairs the rows at random; each pair pools the columns that only one of its two
    rows has, shuffles them and deals them back in the same numbers. Shared columns stay. Row sums (each
    disorder's number of phenotypes) and column sums (each phenotype's number of disorders) are kept
    exactly; repeated trades walk a Markov chain whose stationary distribution is uniform over all such
    matrices.

    >>> X = sp.csr_array([[1, 1, 0, 0], [0, 1, 1, 0], [1, 0, 1, 1], [0, 0, 0, 1]])
    >>> Y = curveball(X, np.random.default_rng(0), trades=5)
    >>> bool((Y.sum(axis=1) == X.sum(axis=1)).all() and (Y.sum(axis=0) == X.sum(axis=0)).all())
    True

    References
    ----------
    Strona G et al. A fast and unbiased procedure to randomize ecological binary matrices with fixed row
    and column totals. Nat Commun 2014;5:4114. Carstens CJ et al. Parallel and I/O-efficient
    randomisation of massive networks using global curveball trades. ESA 2018.
    """
    X = _csr(X)
    n_rows = X.shape[0]
    row = np.repeat(np.arange(n_rows), np.diff(X.indptr))
    col = X.indices.astype(np.int64)
    for _ in range(trades):
        row, col = _global_trade(row, col, n_rows, rng)
    return sp.csr_array((np.ones(len(row)), (row, col)), shape=X.shape)


def _global_trade(row: np.ndarray, col: np.ndarray, n_rows: int, rng: np.random.Generator):
    """One global curveball trade on the entries ``(row, col)`` (single-key sorts: lexsort is slower).

    The result is a set of entries (its order carries no meaning): the entries of each pair of rows are
    sorted by column, those both rows have stay, and the others are dealt back after a shuffle drawn from
    ``rng`` in that order."""
    n_cols = int(col.max()) + 1 if len(col) else 1
    order = rng.permutation(n_rows)
    n_pairs = n_rows // 2
    first, second = order[:n_pairs], order[n_pairs:2 * n_pairs]
    slot_of = np.full(n_rows, -1, dtype=np.int64)   # 2 * pair + side (0: first, 1: second); -1: left out
    slot_of[first] = 2 * np.arange(n_pairs)
    slot_of[second] = 2 * np.arange(n_pairs) + 1
    slot = slot_of[row]
    if n_rows % 2:
        traded = slot >= 0
        keep_row, keep_col = row[~traded], col[~traded]
        slot, c = slot[traded], col[traded]
    else:
        keep_row, keep_col, c = row[:0], col[:0], col
    # one sort of the codes (pair, column, side): a column both rows have comes out twice, side by side
    key = np.sort(((slot >> 1) * n_cols + c) * 2 + (slot & 1))
    side = key & 1
    pair_column = key >> 1
    pid = pair_column // n_cols
    c = pair_column - pid * n_cols
    same = pair_column[1:] == pair_column[:-1]
    shared = np.zeros(len(pid), dtype=bool)
    shared[1:] |= same
    shared[:-1] |= same
    # shared columns stay with their own row
    s_pid, s_side, s_col = pid[shared], side[shared], c[shared]
    s_row = np.where(s_side == 0, first[s_pid], second[s_pid])
    # the others are shuffled within their pair and dealt back in the same numbers
    alone = ~shared
    f_pid, f_side, f_col = pid[alone], side[alone], c[alone]
    n_first = np.bincount(f_pid[f_side == 0], minlength=n_pairs)
    shuffle = _argsort(f_pid * (1 << 31) + rng.integers(0, 1 << 31, len(f_pid)))
    f_pid, f_col = f_pid[shuffle], f_col[shuffle]
    per_pair = np.bincount(f_pid, minlength=n_pairs)
    position = np.arange(len(f_pid)) - (np.cumsum(per_pair) - per_pair)[f_pid]
    f_row = np.where(position < n_first[f_pid], first[f_pid], second[f_pid])
    return (np.concatenate([keep_row, s_row, f_row]), np.concatenate([keep_col, s_col, f_col]))


def _argsort(key: np.ndarray) -> np.ndarray:
    """``np.argsort(key)`` of non-negative integers, by one sort of the keys with their positions in the low
    bits when the keys are distinct (the order is then unique) and fit; else ``np.argsort`` itself."""
    n = len(key)
    shift = max(1, int(n).bit_length())
    if n < 2 or int(key.max()) >= (1 << (62 - shift)):
        return np.argsort(key)
    packed = np.sort((key << shift) | np.arange(n))
    ordered = packed >> shift
    if (ordered[1:] == ordered[:-1]).any():  # equal keys: leave their order to np.argsort, as before
        return np.argsort(key)
    return packed & ((1 << shift) - 1)


class _Overlap:
    """The (weighted) number of columns both rows of each pair have, for fixed pairs of rows of 0/1 matrices
    whose rows keep their numbers of entries (as the permutation null's do): which entries each pair reads is
    worked out once, from ``indptr``; each matrix is then a bit set of its entries, looked up at those.

    The shorter row of each pair is expanded and its columns looked up in the other (CSR with sorted
    indices); no sparse matrix is built per pair.
    """

    def __init__(self, indptr: np.ndarray, n_cols: int, rows: np.ndarray, cols: np.ndarray):
        self.indptr, self.n_cols = indptr, n_cols
        n_rows = len(indptr) - 1
        degree = np.diff(indptr)
        swap = degree[rows] > degree[cols]
        short, other = np.where(swap, cols, rows), np.where(swap, rows, cols)
        counts = degree[short]
        self.n_pairs = len(short)
        self.pair = np.repeat(np.arange(len(short)), counts)
        offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        self.position = np.repeat(indptr[short], counts) + offsets   # where the short row's columns are
        self.target = other[self.pair].astype(np.int64) * n_cols     # the other row's first code
        self.row_code = np.repeat(np.arange(n_rows, dtype=np.int64), degree) * n_cols
        self.bits = np.zeros((n_rows * n_cols + 7) // 8, dtype=np.uint8)

    def __call__(self, indices: np.ndarray, weights: np.ndarray | None = None,
                 codes: np.ndarray | None = None) -> np.ndarray:
        """The counts for the matrix of the same ``indptr`` and these sorted ``indices`` (whose sorted entry
        codes ``row * n_cols + col`` may be given)."""
        codes = self.row_code + indices if codes is None else codes
        self.bits.fill(0)
        if len(codes):
            byte = codes >> 3
            bit = np.left_shift(1, codes & 7).astype(np.uint8)
            starts = np.flatnonzero(np.concatenate(([True], byte[1:] != byte[:-1])))
            self.bits[byte[starts]] = np.bitwise_or.reduceat(bit, starts)
        col = indices[self.position]
        query = self.target + col
        hit = np.flatnonzero((self.bits[query >> 3] >> (query & 7).astype(np.uint8)) & 1)
        # the misses would add zeros: summing the hits alone, in the same order, gives the same totals
        values = np.ones(len(hit)) if weights is None else weights[col[hit]]
        return np.bincount(self.pair[hit], weights=values, minlength=self.n_pairs).astype(np.float64)


def _pair_values(indptr: np.ndarray, indices: np.ndarray, shape: tuple[int, int], rows: np.ndarray,
                 cols: np.ndarray, statistic: str, idf2: np.ndarray | None, ancestors, ic,
                 overlap: _Overlap | None = None, codes: np.ndarray | None = None) -> np.ndarray:
    """The statistic of each pair in the 0/1 matrix ``(indptr, indices)`` (sorted indices); ``overlap``, built
    for the same ``indptr`` and pairs, may be reused (the permutation null does), with the sorted ``codes``."""
    if statistic == "resnik":
        X = sp.csr_array((np.ones(len(indices)), indices, indptr), shape=shape)
        return resnik_bma(X, ancestors, ic, pairs=(rows, cols))
    overlap = _Overlap(indptr, shape[1], rows, cols) if overlap is None else overlap
    if statistic == "cosine":
        assert idf2 is not None
        dots = overlap(indices, idf2, codes)
        norms = np.sqrt(np.add.reduceat(np.append(idf2[indices], 0.0), indptr[:-1])
                        * (np.diff(indptr) > 0)) if len(indices) else np.zeros(shape[0])
        denominator = norms[rows] * norms[cols]
        return np.divide(dots, denominator, out=np.zeros_like(dots), where=denominator > 0)
    shared = overlap(indices, None, codes)
    if statistic == "shared":
        return shared
    k = np.diff(indptr).astype(np.float64)
    return shared / np.maximum(k[rows] + k[cols] - shared, 1)


def pair_similarity(X, pairs: tuple[np.ndarray, np.ndarray], statistic: str = "shared", *, ancestors=None,
                    ic: np.ndarray | None = None) -> np.ndarray:
    """One measure for given pairs of disorders only, without the full projection.

    ``statistic`` is ``shared`` (:func:`shared_counts`), ``jaccard`` (:func:`jaccard`), ``cosine``
    (:func:`tfidf_cosine`) or ``resnik`` (:func:`resnik_bma`, which needs ``ancestors`` and ``ic``); the
    values equal those of the full matrices at ``pairs = (rows, cols)``. This is what the thresholded network
    and the permutation null evaluate: about 100,000 pairs instead of 18.6 million.

    >>> X = sp.csr_array([[1, 1, 0], [0, 1, 1], [1, 1, 1]])
    >>> pairs = (np.array([0, 0]), np.array([1, 2]))
    >>> pair_similarity(X, pairs, "shared"), pair_similarity(X, pairs, "jaccard").round(3)
    (array([1., 2.]), array([0.333, 0.667]))
    >>> pair_similarity(X, pairs, "cosine").round(3)
    array([0.   , 0.707])
    """
    _check_statistic(statistic, ancestors, ic)
    X = _csr(X)
    X.sort_indices()
    idf2 = idf_weights(X) ** 2 if statistic == "cosine" else None
    return _pair_values(X.indptr, X.indices.astype(np.int64), X.shape, np.asarray(pairs[0], dtype=np.int64),
                        np.asarray(pairs[1], dtype=np.int64), statistic, idf2, ancestors, ic)


def permutation_pvalues(X, pairs: tuple[np.ndarray, np.ndarray], *, statistic: str = "shared",
                        n_permutations: int = 100, seed: int = 0, burn_in: int = 10, thin: int = 1,
                        ancestors=None, ic: np.ndarray | None = None) -> np.ndarray:
    """Empirical p-value of each pair's similarity against a degree-preserving permutation null.

    .. math:: p_{ab} = \\frac{1 + \\#\\{r : s^{(r)}_{ab} \\ge s_{ab}\\}}{1 + R}

    where :math:`s_{ab}` is the observed statistic of the pair and :math:`s^{(r)}_{ab}` its value in the
    :math:`r`-th of :math:`R` random incidence matrices that keep every disorder's number of phenotypes and
    every phenotype's number of disorders (:func:`curveball`; the chain runs ``burn_in`` global trades,
    then ``thin`` between samples). ``statistic`` is ``shared`` (:func:`shared_counts`), ``jaccard``,
    ``cosine`` (:func:`tfidf_cosine`; the idf weights are fixed by the column sums) or ``resnik``
    (:func:`resnik_bma`, with ``ancestors`` and ``ic`` held fixed). The same ``seed`` gives the same
    p-values. The smallest possible value is :math:`1/(R+1)`.

    Examples
    --------
    Disorders 0 and 1 share both their phenotypes, which no other disorder has; 2 and 3 share one that
    half the disorders have:

    >>> X = sp.csr_array([[1, 1, 0, 0, 0], [1, 1, 0, 0, 0], [0, 0, 1, 1, 0],
    ...                   [0, 0, 1, 0, 1], [0, 0, 0, 1, 1], [0, 0, 1, 1, 1]])
    >>> pairs = (np.array([0, 2]), np.array([1, 3]))
    >>> permutation_pvalues(X, pairs, n_permutations=99, seed=1).round(2)
    array([0.04, 0.56])

    Notes
    -----
    The test is one-sided (is the pair *more* similar than chance?) and per edge; correct for multiple
    testing before reading many p-values at once. Given both degrees, Jaccard is an increasing function of
    the shared count, so both give the same p-values.

    References
    ----------
    Phipson B, Smyth GK. Permutation p-values should never be zero. Stat Appl Genet Mol Biol 2010;9:39.
    Strona G et al. Nat Commun 2014;5:4114 (curveball).
    """
    _check_statistic(statistic, ancestors, ic)
    X = _csr(X)
    X.sort_indices()
    rows, cols = np.asarray(pairs[0], dtype=np.int64), np.asarray(pairs[1], dtype=np.int64)
    idf2 = idf_weights(X) ** 2 if statistic == "cosine" else None
    observed = _pair_values(X.indptr, X.indices.astype(np.int64), X.shape, rows, cols, statistic, idf2,
                            ancestors, ic)
    tolerance = 1e-9 * np.maximum(np.abs(observed), 1.0)
    rng = np.random.default_rng(seed)
    n_rows, n_cols = X.shape
    row = np.repeat(np.arange(n_rows), np.diff(X.indptr))
    col = X.indices.astype(np.int64)
    exceed = np.zeros(len(rows), dtype=np.int64)
    # every trade keeps each row's number of entries: the CSR row pointers, and so which entries each pair
    # compares, are those of X in every permutation
    indptr = X.indptr.astype(np.int64)
    overlap = _Overlap(indptr, n_cols, rows, cols) if statistic != "resnik" else None
    for r in range(n_permutations):
        for _ in range(burn_in if r == 0 else thin):
            row, col = _global_trade(row, col, n_rows, rng)
        codes = np.sort(row * n_cols + col)
        indices = codes - overlap.row_code if overlap is not None else codes % n_cols
        values = _pair_values(indptr, indices, X.shape, rows, cols, statistic, idf2, ancestors, ic, overlap,
                              codes)
        exceed += values >= observed - tolerance
    return (1 + exceed) / (1 + n_permutations)


__all__ = [
    "STATISTICS", "ancestor_matrix", "annotation_closure", "best_match_matrix", "curveball", "idf_weights",
    "information_content", "jaccard", "pair_similarity", "permutation_pvalues", "resnik_bma", "shared_counts",
    "tfidf_cosine",
]
