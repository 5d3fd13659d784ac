"""The network analysis: each step on toy graphs worked out by hand, then the files of one analysis of the
default build (computed once for the module)."""

from __future__ import annotations

import csv
import io
import json
import math
import struct

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from rdflib import Graph

from nmdkg.analysis import compute as an
from nmdkg.analysis import network, report
from tests.test_network import TOY


def test_nearest_neighbours_dense_and_sparse_agree():
    W = np.array([[0, 3, 1, 0], [3, 0, 2, 0], [1, 2, 0, 1], [0, 0, 1, 0]], dtype=float)
    for matrix in (W, sp.csr_array(W)):
        rows, cols = an.nearest_neighbours(matrix, 1)
        assert sorted(zip(rows.tolist(), cols.tolist(), strict=True)) == [(0, 1), (1, 2), (2, 3)]
        rows, cols = an.nearest_neighbours(matrix, 5)   # more than there are: every positive pair
        assert len(rows) == 4


def test_nearest_neighbours_row_by_row_picks_as_the_dense_path_with_ties():
    # integer weights tie often at the k-th place; the sparse rows are then densified as the dense path does
    rng = np.random.default_rng(7)
    for _ in range(20):
        n = int(rng.integers(5, 40))
        W = np.triu(rng.integers(-1, 4, size=(n, n)) * (rng.random((n, n)) < 0.5), 1).astype(float)
        W = W + W.T
        for k in (1, 2, 4, n - 2):
            dense = an.nearest_neighbours(W, k)
            sparse = an.nearest_neighbours(sp.csr_array(W), k)
            assert all(np.array_equal(a, b) for a, b in zip(dense, sparse, strict=True)), (n, k)
    twice = sp.csr_array((np.array([1.0, 1.0, 2.0, 1.0, 3.0]), np.array([2, 1, 2, 0, 0]), np.array([0, 3, 4, 5])),
                         shape=(3, 3))   # row 0 stores column 2 twice (2 in all): its nearest is 2
    assert [x.tolist() for x in an.nearest_neighbours(twice, 1)] == [[0, 0], [1, 2]]


def test_projection_edges_without_the_shared_counts():
    # cosine drops the pairs that share only a phenotype every disorder has: the count must not
    X = sp.csr_array([[1, 1, 0, 0], [1, 0, 1, 0], [1, 0, 0, 1], [1, 0, 1, 0]])
    for incidence in (X, X[:, 1:]):
        weights = an.Similarities(["a", "b", "c", "d"], ["p", "q", "r", "s"][:incidence.shape[1]],
                                  incidence, sp.eye_array(incidence.shape[1], format="csr"),
                                  np.zeros(incidence.shape[1]))
        weights.matrix("cosine")
        counted = weights.projection_edges()
        assert "shared" not in weights.full
        assert counted == weights.shared.nnz // 2 == (6 if incidence is X else 1)


def test_benjamini_hochberg_by_hand():
    # sorted p: 0.01, 0.03, 0.04, 0.5 (m = 4) -> 0.04, 0.06, 0.0533, 0.5 -> monotone: 0.04, .0533, .0533, .5
    q = an.benjamini_hochberg(np.array([0.5, 0.04, 0.01, 0.03]))
    assert q == pytest.approx([0.5, 0.04 * 4 / 3, 0.04, 0.04 * 4 / 3])


def test_participation_coefficient_by_hand():
    G = nx.Graph()
    G.add_edge("a", "b", weight=1.0)
    G.add_edge("a", "c", weight=3.0)
    G.add_node("d")
    P = an.participation_coefficient(G, {"a": 1, "b": 1, "c": 2, "d": 3})
    assert P["a"] == pytest.approx(1 - (1 / 4) ** 2 - (3 / 4) ** 2)
    assert P["b"] == 0.0 and P["d"] == 0.0


def test_betweenness_equals_networkx():
    G = nx.gnm_random_graph(120, 300, seed=4)
    G.add_edge(200, 201)
    ours = an.betweenness(G)
    theirs = nx.betweenness_centrality(G)
    assert max(abs(ours[n] - theirs[n]) for n in G) < 1e-12
    sampled = an.betweenness(G, samples=60, seed=1)
    assert sampled == an.betweenness(G, samples=60, seed=1)
    assert np.corrcoef([sampled[n] for n in G], [theirs[n] for n in G])[0, 1] > 0.9


def test_betweenness_from_level_rows_equals_the_full_products(monkeypatch):
    G = nx.gnm_random_graph(150, 400, seed=2)
    G.add_edge(200, 201)
    full, sampled = an.betweenness(G), an.betweenness(G, samples=40, seed=3)
    monkeypatch.setattr(an, "SPREAD_BY_ROWS_FROM", 1)   # every level but the largest from its rows
    assert an.betweenness(G) == full
    assert an.betweenness(G, samples=40, seed=3) == sampled


def test_louvain_finds_two_triangles_reproducibly():
    G = nx.Graph([("a", "b"), ("b", "c"), ("a", "c"), ("d", "e"), ("e", "f"), ("d", "f"), ("c", "d")])
    nx.set_edge_attributes(G, 1.0, "weight")
    assert an.louvain(G, seed=3) == an.louvain(G, seed=3) == [["a", "b", "c"], ["d", "e", "f"]]


def test_enrichment_and_phenotype_participation_by_hand():
    assert an.enrichment(8, 10, 20, 100) == pytest.approx(0.8 * math.log(0.8 / 0.2))
    assert an.enrichment(0, 10, 20, 100) == 0.0
    assert an.phenotype_participation({1: 3, 2: 1}) == pytest.approx(1 - 0.75 ** 2 - 0.25 ** 2)


@pytest.fixture(scope="module")
def toy_data():
    return network.read(Graph().parse(data=TOY, format="turtle"))


def test_toy_network_weights_by_hand(toy_data):
    weights = an.similarity_matrices(toy_data, ("jaccard",))
    assert weights.disorders == ["MONDO:0010679", "OMIM:310200", "ORPHA:589"]
    G = an.disorder_network(toy_data, weights, "jaccard", k=1, n_permutations=0)
    # the seed has Myopathy, which OMIM:310200 shares out of its 4 phenotypes; ORPHA:589 shares nothing
    assert list(G.edges) == [("MONDO:0010679", "OMIM:310200")]
    edge = G.edges["MONDO:0010679", "OMIM:310200"]
    assert (edge["shared"], edge["weight"], edge["jaccard"]) == (1, 0.25, 0.25)
    # Myopathy has idf ln(3/2) (two of three disorders); OMIM:310200's three others ln 3 each
    l15, l3 = math.log(1.5), math.log(3)
    assert edge["cosine"] == pytest.approx(l15 / math.sqrt(l15 ** 2 + 3 * l3 ** 2))
    assert G.degree("ORPHA:589") == 0
    assert G.nodes["OMIM:310200"]["counterpart_of"] == "MONDO:0010679"
    assert G.graph["metric"] == "jaccard"


def test_toy_top_pairs(toy_data):
    weights = an.similarity_matrices(toy_data, ())
    top = an.top_pairs(weights, "shared", 5, toy_data)
    assert [(t["source"], t["target"], t["shared"]) for t in top] == [("MONDO:0010679", "OMIM:310200", 1.0)]
    assert top[0]["shared_phenotypes"] == ["HP:0003198"]


def test_analysis_leaves_numpys_page_advice_as_it_found_it(toy_data):
    core = getattr(np, "_core", None) or np.core
    switch = core.multiarray._set_madvise_hugepage
    try:
        for setting in (True, False):
            switch(setting)
            an.analyze(toy_data, metric="jaccard", k=1, n_permutations=3)
            assert switch(setting) is setting
    finally:
        switch(True)


def test_pictures_lay_out_a_part_of_the_network_in_the_order_given():
    # a subgraph view of a few nodes iterates over a set, in an order that changes with string hashing
    from nmdkg.analysis import pictures

    G = nx.Graph([("c", "a"), ("a", "b"), ("b", "d"), ("d", "c")])
    H = pictures._induced(G, ["b", "a", "c"])
    assert list(H) == ["b", "a", "c"]
    assert sorted(tuple(sorted(e)) for e in H.edges()) == [("a", "b"), ("a", "c")]


def test_unknown_metric_is_refused(toy_data):
    with pytest.raises(ValueError, match="unknown metric"):
        an.analyze(toy_data, metric="euclid")


# -- one analysis of the default build ----------------------------------------------------------

@pytest.fixture(scope="module")
def analysis(nmd_graph):
    return an.analyze(nmd_graph, metric="cosine", n_permutations=30, seed=0)


@pytest.fixture(scope="module")
def files(analysis, tmp_path_factory):
    out = tmp_path_factory.mktemp("analysis")
    report.write_outputs(analysis, out)
    return out


def rows(path):
    return list(csv.DictReader(io.StringIO(path.read_text())))


def test_the_files_are_all_written(files):
    assert {p.name for p in files.iterdir()} == {
        "edges.csv", "disorders.csv", "symptoms.csv", "communities.csv", "top-pairs.csv", "network.graphml",
        "summary.json", "summary.md", "network.png", "article-heatmap.png", "symptom-hubs.png"}


def test_edge_table_holds_the_network(analysis, files):
    edges = rows(files / "edges.csv")
    assert tuple(edges[0]) == report.EDGE_COLUMNS
    assert len(edges) == analysis.network.number_of_edges() > 1000
    assert all(float(e["q_value"]) <= 0.05 and int(e["shared"]) >= 1 for e in edges)
    weights = [float(e["weight"]) for e in edges]
    assert weights == sorted(weights, reverse=True)
    first = edges[0]
    assert set(first["shared_phenotypes"].split("|")) == set(
        analysis.data.bipartite.adj[first["source"]]) & set(analysis.data.bipartite.adj[first["target"]])


def test_disorder_and_symptom_tables(analysis, files):
    disorders = rows(files / "disorders.csv")
    # 1115 annotated diseases (MONDO selection plus overrides, issue 14; 897 by the former keyword rule)
    # and the 6 article disorders that have findings of their own
    assert len(disorders) == 1121 and tuple(disorders[0]) == report.NODE_COLUMNS
    assert {d["id"] for d in disorders} >= {"OMIM:310200", "ORPHA:589", "MONDO:0009688"}
    assert all(int(d["community"]) >= 1 for d in disorders)
    symptoms = rows(files / "symptoms.csv")
    assert len(symptoms) == len(analysis.data.phenotypes())
    counts = [int(s["n_disorders"]) for s in symptoms]
    assert counts == sorted(counts, reverse=True)
    # gait disturbance, then elevated creatine kinase: with MONDO's classification the set holds the hereditary
    # spastic paraplegias and neuropathies as well as the myopathies (issue 14; CK came first before)
    assert [s["id"] for s in symptoms[:2]] == ["HP:0001288", "HP:0003236"]


def test_summary_counts_agree(analysis, files):
    summary = json.loads((files / "summary.json").read_text())
    assert summary["disorders"] == 1121 and summary["annotated_disorders"] == 1115
    assert summary["network_edges"] == analysis.network.number_of_edges()
    assert summary["projection_edges"] == analysis.weights.shared.nnz // 2 > summary["network_edges"]
    assert summary["communities"] >= 5 and 0.3 < summary["modularity"] < 1
    assert len(summary["top_pairs"]) == 20 and len(summary["bridging_disorders"]) == 20
    assert f"{summary['network_edges']:,}" in (files / "summary.md").read_text()
    assert len(rows(files / "top-pairs.csv")) == 100
    assert len(rows(files / "communities.csv")) == len(analysis.communities)


def test_graphml_reads_back(analysis, files):
    H = nx.read_graphml(files / "network.graphml")
    assert H.number_of_nodes() == 1121
    assert H.number_of_edges() == analysis.network.number_of_edges()
    node = H.nodes["OMIM:310200"]
    assert node["label"] == "Duchenne muscular dystrophy" and isinstance(node["community"], int)
    _, _, data = next(iter(H.edges(data=True)))
    assert set(data) == {"weight", "shared", "jaccard", "cosine", "resnik", "p_value", "q_value"}


@pytest.mark.parametrize("name,min_width", [("network.png", 1200), ("article-heatmap.png", 900),
                                            ("symptom-hubs.png", 900)])
def test_pictures_are_png_of_real_size(files, name, min_width):
    data = (files / name).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width >= min_width and height >= 500
    assert len(data) > 50_000


def test_outputs_are_reproducible(analysis, nmd_graph):
    again = an.analyze(analysis.data, metric="cosine", n_permutations=30, seed=0)
    assert report.edge_rows(again) == report.edge_rows(analysis)
    assert again.communities == analysis.communities


def test_cli_analyze_article_scope(run, tmp_path):
    result = run("analyze", "--scope", "article", "--metric", "resnik", "--permutations", "20",
                 "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.stderr
    assert "[3/6]" in result.stderr and "done in" in result.stderr   # progress on stderr
    assert (tmp_path / "out" / "network.png").stat().st_size > 10_000
    assert "files written" in result.stdout


def test_cli_analyze_bad_graph_file(run, tmp_path):
    result = run("analyze", "--data", str(tmp_path / "missing.nt"), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2 and "missing.nt: no such file" in result.stderr
    assert not (tmp_path / "out").exists()
