"""Every similarity measure on toy matrices whose weights are worked out by hand; the permutation null."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse as sp

from nmdkg.analysis import similarity as sim

#: Three disorders over three phenotypes: a = {0, 1}, b = {1, 2}, c = {0, 1, 2}.
X3 = sp.csr_array([[1, 1, 0], [0, 1, 1], [1, 1, 1]])

#: root <- A <- {B, C}; root <- D; and E under both A and D (a DAG).
TERMS = ["root", "A", "B", "C", "D", "E"]
PARENTS = {"A": ["root"], "B": ["A"], "C": ["A"], "D": ["root"], "E": ["A", "D"]}
#: d1 = {B, D}, d2 = {C}, d3 = {D}
XH = sp.csr_array([[0, 0, 1, 0, 1, 0], [0, 0, 0, 1, 0, 0], [0, 0, 0, 0, 1, 0]])


def test_shared_counts_by_hand():
    S = sim.shared_counts(X3).toarray()
    assert S.tolist() == [[0, 1, 2], [1, 0, 2], [2, 2, 0]]
    assert sim.shared_counts(X3).nnz == 6   # 3 edges, both directions, no diagonal


def test_duplicates_and_counts_are_read_as_presence():
    assert (sim.shared_counts(sp.csr_array([[2, 1], [1, 0]])).toarray() == [[0, 1], [1, 0]]).all()


def test_jaccard_by_hand():
    J = sim.jaccard(X3).toarray()
    assert J[0, 1] == pytest.approx(1 / 3)      # {1} / {0, 1, 2}
    assert J[0, 2] == pytest.approx(2 / 3)      # {0, 1} / {0, 1, 2}
    assert J[1, 2] == pytest.approx(2 / 3)
    assert (J == J.T).all() and (np.diag(J) == 0).all()


def test_tfidf_cosine_by_hand():
    # N = 3; phenotype 1 is everyone's (idf 0); phenotypes 0 and 2 have idf ln(3/2)
    assert sim.idf_weights(X3) == pytest.approx([math.log(1.5), 0.0, math.log(1.5)])
    C = sim.tfidf_cosine(X3).toarray()
    assert C[0, 1] == 0.0                       # share only phenotype 1, which weighs nothing
    assert C[0, 2] == pytest.approx(1 / math.sqrt(2))   # (l, 0, 0) . (l, 0, l) / (l * l sqrt 2)
    assert C[1, 2] == pytest.approx(1 / math.sqrt(2))


def test_ancestors_of_a_dag():
    A = sim.ancestor_matrix(TERMS, PARENTS).toarray().astype(int)
    assert A[TERMS.index("E")].tolist() == [1, 1, 0, 0, 1, 1]   # E, A, D and the root
    assert (np.diag(A) == 1).all()


def test_information_content_by_hand():
    A = sim.ancestor_matrix(TERMS, PARENTS)
    ic = sim.information_content(XH, A)
    # has: root 3/3, A 2/3 (d1 via B, d2 via C), B 1/3, C 1/3, D 2/3 (d1, d3), E none
    expected = [0.0, math.log(1.5), math.log(3), math.log(3), math.log(1.5), 0.0]
    assert ic == pytest.approx(expected)


def test_resnik_bma_by_hand():
    A = sim.ancestor_matrix(TERMS, PARENTS)
    ic = sim.information_content(XH, A)
    R = sim.resnik_bma(XH, A, ic)
    l15 = math.log(1.5)
    # d1 -> d2: B~C meet at A (ln 1.5), D~C only at the root: mean ln1.5 / 2; d2 -> d1: C~B at A: ln 1.5
    assert R[0, 1] == pytest.approx(0.5 * (l15 / 2 + l15))
    # d1 -> d3: B~D at the root (0), D~D: ln 1.5; d3 -> d1: D~D: ln 1.5
    assert R[0, 2] == pytest.approx(0.5 * (l15 / 2 + l15))
    assert R[1, 2] == pytest.approx(0.0)         # C and D meet only at the root
    assert R[1, 1] == pytest.approx(math.log(3))  # a disorder with itself: the IC of its own terms
    assert np.allclose(R, R.T)
    rows, cols = np.array([0, 0, 1, 2]), np.array([1, 2, 2, 2])
    assert sim.resnik_bma(XH, A, ic, pairs=(rows, cols)) == pytest.approx(R[rows, cols], abs=1e-6)


def test_resnik_credits_related_findings_that_jaccard_misses():
    A = sim.ancestor_matrix(TERMS, PARENTS)
    ic = sim.information_content(XH, A)
    assert sim.jaccard(XH).toarray()[0, 1] == 0.0          # no phenotype in common
    assert sim.resnik_bma(XH, A, ic)[0, 1] > 0             # but B and C are both A


def test_blocks_do_not_change_the_full_matrix():
    rng = np.random.default_rng(3)
    terms = [f"t{i}" for i in range(30)]
    parents = {f"t{i}": [f"t{(i - 1) // 2}"] for i in range(1, 30)}
    X = sp.csr_array((rng.random((40, 30)) < 0.1).astype(float))
    A = sim.ancestor_matrix(terms, parents)
    ic = sim.information_content(X, A)
    assert np.allclose(sim.resnik_bma(X, A, ic, block=7), sim.resnik_bma(X, A, ic, block=1000), atol=1e-6)


@pytest.mark.parametrize("statistic", ["shared", "jaccard", "cosine"])
def test_pair_values_equal_the_full_matrices(statistic):
    rng = np.random.default_rng(0)
    X = sp.csr_array((rng.random((60, 25)) < 0.2).astype(float))
    full = {"shared": sim.shared_counts, "jaccard": sim.jaccard, "cosine": sim.tfidf_cosine}[statistic](X)
    rows, cols = rng.integers(0, 60, 300), rng.integers(0, 60, 300)
    keep = rows != cols
    values = sim.pair_similarity(X, (rows[keep], cols[keep]), statistic)
    assert values == pytest.approx(np.asarray(full[rows[keep], cols[keep]]).ravel())


def test_curveball_keeps_both_margins_and_moves():
    rng = np.random.default_rng(5)
    X = sp.csr_array((rng.random((50, 40)) < 0.15).astype(float))
    Y = sim.curveball(X, np.random.default_rng(1), trades=20)
    assert (Y.sum(axis=1) == X.sum(axis=1)).all()
    assert (Y.sum(axis=0) == X.sum(axis=0)).all()
    assert set(np.unique(Y.toarray())) <= {0.0, 1.0}
    assert (Y.toarray() != X.toarray()).sum() > 0.3 * X.nnz   # the chain mixes


PERMUTED = sp.csr_array([[1, 1, 0, 0, 0], [1, 1, 0, 0, 0], [0, 0, 1, 1, 0],
                         [0, 0, 1, 0, 1], [0, 0, 0, 1, 1], [0, 0, 1, 1, 1]])
PAIRS = (np.array([0, 2, 2]), np.array([1, 3, 5]))


def test_permutation_null_is_reproducible_with_a_seed():
    first = sim.permutation_pvalues(PERMUTED, PAIRS, n_permutations=50, seed=7)
    again = sim.permutation_pvalues(PERMUTED, PAIRS, n_permutations=50, seed=7)
    assert (first == again).all()
    other = [sim.permutation_pvalues(PERMUTED, PAIRS, n_permutations=50, seed=s) for s in range(8, 12)]
    assert any((o != first).any() for o in other)
    assert ((first >= 1 / 51) & (first <= 1)).all()


def test_permutation_null_separates_a_specific_pair_from_a_common_one():
    p = sim.permutation_pvalues(PERMUTED, PAIRS, n_permutations=200, seed=0)
    assert p[0] < 0.1 < p[1]   # 0 and 1 share both their (rare) phenotypes; 2 and 3 one common one


@pytest.mark.parametrize("statistic", ["jaccard", "cosine", "resnik"])
def test_permutation_null_for_every_statistic(statistic):
    terms = [f"t{i}" for i in range(5)]
    A = sim.ancestor_matrix(terms, {})
    ic = sim.information_content(PERMUTED, A)
    p = sim.permutation_pvalues(PERMUTED, PAIRS, statistic=statistic, n_permutations=30, seed=0,
                                ancestors=A, ic=ic)
    assert p.shape == (3,) and ((p > 0) & (p <= 1)).all()
    shared = sim.permutation_pvalues(PERMUTED, PAIRS, statistic="shared", n_permutations=30, seed=0)
    if statistic == "jaccard":   # degrees fixed: Jaccard is a function of the count
        assert (p == shared).all()


def test_unknown_statistic_is_refused():
    with pytest.raises(ValueError, match="unknown statistic"):
        sim.permutation_pvalues(PERMUTED, PAIRS, statistic="euclid")
    with pytest.raises(ValueError, match="needs ancestors"):
        sim.pair_similarity(PERMUTED, PAIRS, "resnik")
