"""Phenotype-driven ranking: scores worked out by hand on a toy graph, then the default build and the CLI."""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from rdflib import Graph

from nmdkg.analysis import network
from nmdkg.core.errors import InputError
from nmdkg.diagnose import phenopackets
from nmdkg.diagnose.ranker import Ranker, Scoring, check_terms, patients_of_phenopackets, read_patients
from tests.test_network import TOY

LN2, LN20 = math.log(2), math.log(20)


@pytest.fixture(scope="module")
def toy() -> Ranker:
    """The toy graph with n/m frequencies as given, the absent penalty linear in the frequency, and the
    Resnik terms alone (no Jiang-Conrath term), so that scores can be worked out by hand."""
    return Ranker(network.read(Graph().parse(data=TOY, format="turtle")),
                  Scoring(floor=0.75, prior_strength=0, absent_power=1, penalty=1.0, reverse=0.0, jc=0.0))


# The toy graph with the publications its annotations cite: a1 (CK, obligate) cites PMID:1 and PMID:2, a2
# (calf pseudohypertrophy, 3/4) only PMID:1.
CITED = TOY + """
NMDKG:a1 biolink:publications <http://www.ncbi.nlm.nih.gov/pubmed/1>, <http://www.ncbi.nlm.nih.gov/pubmed/2> .
NMDKG:a2 biolink:publications <http://www.ncbi.nlm.nih.gov/pubmed/1> .
"""


@pytest.fixture(scope="module")
def cited() -> Ranker:
    return Ranker.from_graph(Graph().parse(data=CITED, format="turtle"),
                             Scoring(prior_strength=2, absent_power=2, penalty=1.0, reverse=0.0, jc=0.0))


def test_small_counts_shrink_towards_the_prior(cited):
    dmd = cited.row["OMIM:310200"]
    calf = cited.column["HP:0003707"]
    assert dict(cited.annotations[dmd])[calf] == pytest.approx((3 + 2 * 0.5) / (4 + 2))
    assert dict(cited.annotations[dmd])[cited.column["HP:0003236"]] == 1.0   # a frequency term: as given


def test_an_absent_finding_costs_ic_times_frequency_to_the_power(cited):
    base = cited.scores(["HP:0003236"])
    lowered = cited.scores(["HP:0003236"], ["HP:0003707"])
    assert base[0] - lowered[0] == pytest.approx(LN2 * (4 / 6) ** 2)


def test_leave_publication_out_drops_annotations_citing_only_those(cited):
    assert cited.cited_by["PMID:1"] == {cited.row["OMIM:310200"]}
    dmd = cited.row["OMIM:310200"]
    left_out = cited.scores(["HP:0003236"], ["HP:0003707"], exclude={"PMID:1"})
    # calf pseudohypertrophy (a2, PMID:1 only) is gone, so its absence costs nothing; CK (a1) stays
    assert left_out[dmd] == pytest.approx(cited.scores(["HP:0003236"], [], exclude={"PMID:1"})[dmd])
    [top] = [r for r in cited.rank_checked(["HP:0003236"], (), 2, exclude={"PMID:1"}) if r.id == "OMIM:310200"]
    assert [m.annotation for m in top.matched] == ["HP:0003236"]
    assert top.background != pytest.approx(float(cited.background[dmd]))   # the profile was recomputed
    # a publication nobody cites changes nothing
    assert np.allclose(cited.scores(["HP:0003236"], exclude={"PMID:9"}), cited.scores(["HP:0003236"]))


def w(f):  # the default frequency weight: 0.75 + 0.25 f, unknown frequency 0.5
    return 0.75 + 0.25 * f


def test_toy_ranks_the_annotated_diseases_only(toy):
    assert toy.diseases == ["OMIM:310200", "ORPHA:589"]   # the MONDO seed is reported through its counterpart


def test_toy_information_content_by_hand(toy):
    ic = dict(zip(toy.terms, toy.ic, strict=True))
    assert ic["HP:0000118"] == 0 and ic["HP:0003011"] == 0      # both diseases have the musculature branch
    assert ic["HP:0003236"] == pytest.approx(LN2)   # creatine kinase: OMIM:310200 only (MG's is NOT)
    assert ic["HP:0001250"] == 0                                # seizure: nobody


def test_toy_score_by_hand(toy):
    # background: the mean s_t(d) over the five annotated terms (CK, calf, motor delay, myopathy, weakness)
    mu_dmd = (LN2 * (w(1.0) + w(0.75) + w(0.5) + w(0.5)) - LN20) / 5   # weakness: not implied, IC 0 match
    mu_mg = (LN2 * w(0.9) - 4 * LN20) / 5
    scores = toy.scores(["HP:0003236"])
    assert scores[0] == pytest.approx(LN2 * w(1.0) - mu_dmd)
    # MG: no match, the mismatch cost, and its NOT creatine kinase annotation
    assert scores[1] == pytest.approx(-LN20 - LN2 - mu_mg)


def test_absent_findings_lower_a_score_by_their_frequency(toy):
    base = toy.scores(["HP:0003236"])
    lowered = toy.scores(["HP:0003236"], ["HP:0003707"])      # calf pseudohypertrophy, 3/4 in OMIM:310200
    assert base[0] - lowered[0] == pytest.approx(LN2 * 0.75)
    assert lowered[1] == pytest.approx(base[1])


def test_negated_annotations_lower_a_score_and_are_explained(toy):
    results = {r.id: r for r in toy.rank(["HP:0003236", "HP:0001324"], top=2)}
    mg = results["ORPHA:589"]
    assert results["OMIM:310200"].penalties == ()
    assert [(p.kind, p.finding, p.annotation) for p in mg.penalties] == [
        ("present but excluded", "HP:0003236", "HP:0003236")]
    assert mg.penalties[0].value == pytest.approx(LN2 / 2)


def test_toy_jiang_conrath_by_hand(toy):
    """The Jiang-Conrath term on the toy graph: every term with an annotation has IC ln 2, and two different
    terms share only ancestors of IC 0, so their similarity is 1 / (1 + 2 ln 2)."""
    s = 1 / (1 + 2 * LN2)
    present = ["HP:0003236", "HP:0001324"]          # creatine kinase, muscle weakness
    gain = toy.with_scoring(replace(toy.scoring, jc=1.0)).scores(present) - toy.scores(present)
    # DMD: CK exact; weakness meets calf, myopathy (via the musculature) or CK at distance 2 ln 2. Back: CK
    # (obligate) exact, calf (3/4), motor delay and myopathy (unknown: 1/2) at s, weighted by w(f)
    forward = (1 + s) / 2
    back = (w(1.0) + s * (w(0.75) + 2 * w(0.5))) / (w(1.0) + w(0.75) + 2 * w(0.5))
    assert gain[0] == pytest.approx((forward + back) / 2)
    # MG: weakness exact, CK at s (its NOT creatine kinase is no annotation to match); back: weakness exact
    assert gain[1] == pytest.approx(((1 + s) / 2 + 1) / 2)


def test_results_explain_their_matches(toy):
    [best] = toy.rank(["HP:0003707", "HP:0003198"], top=1)
    assert best.id == "OMIM:310200" and best.counterpart_of == ({"id": "MONDO:0010679",
                                                                 "label": "Duchenne muscular dystrophy"},)
    match = {m.finding: m for m in best.matched}
    calf = match["HP:0003707"]
    assert (calf.annotation, calf.common_ancestor, calf.exact, calf.frequency) == (
        "HP:0003707", "HP:0003707", True, 0.75)
    assert calf.contribution == pytest.approx(LN2 * w(0.75) / 2)
    record = best.as_dict()
    assert set(record) == {"rank", "id", "label", "score", "background", "matched", "penalties",
                           "counterpart_of"}
    assert record["matched"][0]["finding"] in ("HP:0003707", "HP:0003198")


# -- checking identifiers -------------------------------------------------------------------------

def test_obsolete_terms_name_their_replacement():
    with pytest.raises(InputError, match=r"HP:0002355 \(Difficulty walking\) is obsolete; use HP:0001288"):
        check_terms(["HP:0002355"])


@pytest.mark.parametrize("terms,absent,message", [
    (["HP:0001318"], [], r"unknown HPO term HP:0001318 \(not in HPO release"),
    (["HP:9999999"], [], "HP:9999999 is newer than the shipped HPO release"),
    (["HP:12"], [], "not an HPO identifier"),
    (["HP:0000006"], [], "is not a phenotypic abnormality"),
    (["HP:0001324"], ["HP:0001324"], "given as both present and absent"),
    ([], ["HP:0001324"], "no present finding"),
])
def test_bad_terms_are_input_errors(terms, absent, message):
    with pytest.raises(InputError, match=message):
        check_terms(terms, absent)


def test_alternative_identifiers_are_read_as_their_primary_term():
    from nmdkg.sources import hpo_obo

    hpo = hpo_obo.load()
    alt, primary = next((a, p) for a, p in sorted(hpo.alt_ids.items())
                        if "HP:0000118" in hpo.ancestors(p) and not hpo.terms[p].obsolete)
    present, _, notes = check_terms([alt])
    assert present == (primary,) and alt in notes[0]


# -- the default build ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def ranker(nmd_graph) -> Ranker:
    return Ranker.from_graph(nmd_graph)


def test_the_sparse_closures_and_background_equal_the_dense_computation(ranker):
    """The closures kept sparse and the background propagated along parent edges give, bit for bit, what
    the direct dense computation gives (the maximum over every ancestor of every annotated term)."""
    H, D = ranker.W.shape
    W, F = np.zeros((H, D), dtype=np.float32), np.zeros((H, D), dtype=np.float32)
    M = np.full((H, D), np.inf, dtype=np.float32)
    for d, annotated in enumerate(ranker.annotations):
        for u, frequency in annotated:
            anc = ranker.ancestors_of(ranker.terms[u])
            f = ranker.scoring.unknown_frequency if frequency is None else frequency
            W[anc, d] = np.maximum(W[anc, d], np.float32(ranker.weight(frequency)))
            F[anc, d] = np.maximum(F[anc, d], np.float32(f))
            M[anc, d] = np.minimum(M[anc, d], np.float32(ranker.ic[u]))
    assert np.array_equal(ranker.W.toarray(), W) and np.array_equal(ranker.F.toarray(), F)
    assert np.array_equal(ranker._M.toarray(), M)
    assert (W > 0).sum() > D  # the closures are not empty
    weighted = W.astype(np.float64) * ranker.ic[:, None]
    total = np.zeros(D)
    for j in ranker._annotated_terms:
        total += weighted[ranker.ancestors_of(ranker.terms[j])].max(axis=0) - ranker.scoring.mismatch * (W[j] <= 0)
    assert np.array_equal(ranker.background, total / len(ranker._annotated_terms))
    d = ranker.row["OMIM:310200"]
    assert np.array_equal(ranker.W[:, d], W[:, d]) and np.array_equal(ranker._M[:, d], M[:, d])


@pytest.mark.parametrize("disease", ["OMIM:310200", "ORPHA:589", "OMIM:253300"])
def test_a_disease_own_phenotypes_rank_it_first(ranker, disease):
    own = sorted(ranker.data.bipartite.adj[disease])
    assert ranker.rank(own, top=1)[0].id == disease


def test_most_diseases_are_first_for_their_own_phenotypes(ranker):
    rng = np.random.default_rng(0)
    sample = rng.choice(len(ranker.diseases), 60, replace=False)
    first = sum(int(np.argmax(ranker.scores(sorted(ranker.data.bipartite.adj[ranker.diseases[i]])))) == i
                for i in sample)
    assert first >= 55


def test_jiang_conrath_matches_its_definition_pair_by_pair(ranker):
    """The closure form of the Jiang-Conrath term (smallest IC below each ancestor) against the definition,
    1 / (1 + IC(t) + IC(u) - 2 IC(MICA)) for every finding and annotation, on the real ontology; and a
    single profile (the leave-publication-out path) gives its disease's column."""
    ic = ranker.ic
    ancestors = lambda j: set(ranker._anc_idx[ranker._anc_ptr[j]:ranker._anc_ptr[j + 1]].tolist())  # noqa: E731
    present = ["HP:0003236", "HP:0003707", "HP:0001288", "HP:0003701"]
    columns = [ranker.column[t] for t in present]
    whole = ranker._jiang_conrath(present)
    rows = [ranker.row[d] for d in ("OMIM:310200", "ORPHA:589", "OMIM:253300")] + list(range(0, 1000, 97))
    assert len(rows) > 10
    for d in rows:
        profile = ranker.annotations[d]

        def sim(t, u):
            if t == u:
                return 1.0
            mica = max(ic[h] for h in ancestors(t) & ancestors(u))
            return 1 / (1 + ic[t] + ic[u] - 2 * mica)

        forward = np.mean([max(sim(t, u) for u, _ in profile) for t in columns])
        weights = np.array([ranker.weight(f) for _, f in profile])
        back = weights @ np.array([max(sim(t, u) for t in columns) for u, _ in profile]) / weights.sum()
        assert whole[d] == pytest.approx((forward + back) / 2, rel=1e-5)
        assert ranker._jiang_conrath(present, profile)[0] == pytest.approx(whole[d], rel=1e-6)


def test_an_absent_finding_the_disease_has_lowers_it_when_penalised(ranker):
    dmd = ranker.diseases.index("OMIM:310200")
    own = sorted(ranker.data.bipartite.adj["OMIM:310200"])
    present, absent = own[:4], own[4:6]
    penalised = ranker.with_scoring(Scoring(penalty=0.1, absent_power=3))
    assert penalised.scores(present, absent)[dmd] < penalised.scores(present)[dmd]
    # the shipped parameters (chosen by cross-validation on published cases) do not count absent findings
    assert Scoring().penalty == 0 and ranker.scores(present, absent)[dmd] == ranker.scores(present)[dmd]


def test_a_finding_a_disease_excludes_lowers_it(ranker):
    disease, excluded = next((d, p) for d, p in ranker.data.negated if d.startswith(("OMIM", "ORPHA"))
                             and ranker.data.bipartite.degree(d) >= 3)
    index = ranker.diseases.index(disease)
    ranker = ranker.with_scoring(Scoring(penalty=0.1, absent_power=3))
    own = sorted(ranker.data.bipartite.adj[disease])[:3]
    with_excluded = ranker.scores([*own, excluded])[index]
    penalties = ranker._penalties([*own, excluded], ())
    assert penalties[index] > 0
    result = ranker.explain(index, 1, with_excluded, [*own, excluded], ())
    assert any(p.kind == "present but excluded" for p in result.penalties)


def test_the_article_disorders_are_reported_through_their_counterparts(ranker):
    [top] = ranker.rank(["HP:0003236", "HP:0003707", "HP:0003560", "HP:0002194"], top=1)
    results = ranker.rank(["HP:0003236", "HP:0003707", "HP:0003560", "HP:0002194"], top=20)
    dmd = next(r for r in results if r.id == "OMIM:310200")
    assert dmd.counterpart_of == ({"id": "MONDO:0010679", "label": "Duchenne muscular dystrophy"},)
    assert top.score >= dmd.score


def test_ranking_many_patients_once_loaded(ranker):
    """Speed belongs in benchmarks/ (no wall-clock assertion here): one loaded ranker answers many patients."""
    own = sorted(ranker.data.bipartite.adj["ORPHA:589"])[:6]
    assert len(ranker.rank(own, ["HP:0001250"], top=10)) == 10
    patients = [sorted(ranker.data.bipartite.adj[d])[:5] for d in ranker.diseases[:100]]
    for present in patients:
        scores = [r.score for r in ranker.rank_checked(present, (), 10)]
        assert scores == sorted(scores, reverse=True)


# -- the command line -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def graph_file(nmd_graph, tmp_path_factory):
    path = tmp_path_factory.mktemp("graph") / "nmdkg.nt"
    nmd_graph.serialize(path, format="nt", encoding="utf-8")
    return path


def test_cli_table(run, graph_file):
    result = run("diagnose", "HP:0003236", "HP:0003707", "HP:0003560", "--absent", "HP:0001250", "--top", "3",
                 "--data", str(graph_file))
    assert result.exit_code == 0, result.stderr
    assert "Absent:   HP:0001250 Seizure" in result.stdout
    ranks = [line.split()[0] for line in result.stdout.splitlines() if line[:4].strip().isdigit()]
    assert ranks == ["1", "2", "3"]
    assert "exact, IC" in result.stdout and "not for clinical decisions" in result.stdout


def test_cli_json(run, graph_file):
    result = run("diagnose", "HP:0001324", "HP:0003394", "--format", "json", "--top", "5",
                 "--data", str(graph_file.parent))
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert [r["rank"] for r in record["results"]] == [1, 2, 3, 4, 5]
    assert all(r["id"].startswith(("OMIM:", "ORPHA:")) for r in record["results"])
    assert record["results"][0]["matched"]


def test_cli_batch(run, graph_file, tmp_path):
    patients = tmp_path / "patients.jsonl"
    patients.write_text(
        json.dumps({"id": "p1", "present": sorted(["HP:0003236", "HP:0003707", "HP:0003560"])}) + "\n\n"
        + json.dumps({"id": "p2", "present": ["HP:0001324", "HP:0000508"], "absent": ["HP:0003236"]}) + "\n")
    out = tmp_path / "ranked.jsonl"
    result = run("diagnose", "--patients", str(patients), "--top", "4", "--out", str(out),
                 "--data", str(graph_file))
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["id"] for line in lines] == ["p1", "p2"]
    first = lines[0]["results"][0]
    assert {"rank", "id", "label", "score", "matched"} <= set(first) and first["rank"] == 1
    assert len(lines[1]["results"]) == 4


def test_cli_obsolete_term_is_a_usage_error(run, tmp_path):
    result = run("diagnose", "HP:0002355", "--data", str(tmp_path / "never-read.nt"))
    assert result.exit_code == 2
    assert "HP:0002355 (Difficulty walking) is obsolete; use HP:0001288 (Gait disturbance)" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_a_bad_patient_never_aborts_the_batch(run, graph_file, tmp_path):
    patients = tmp_path / "patients.jsonl"
    patients.write_text(
        '{"id": "p1", "present": ["HP:0001324"]}\n'
        '{"id": "p2", "present": ["HP:0002355", "HP:9999999", "HP:0001324"], "absent": ["HP:0000001"]}\n'
        'not json\n'
        '{"id": "p4", "present": "HP:0001324"}\n'
        '{"id": "p5", "present": ["HP:0003236"], "absent": ["HP:0003236"]}\n'
        '{"id": "p6", "present": ["HP:0003236", "HP:0003707"]}\n')
    out = tmp_path / "ranked.jsonl"
    result = run("diagnose", "--patients", str(patients), "--out", str(out), "--top", "3",
                 "--data", str(graph_file))
    assert result.exit_code == 1
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in records] == ["p1", "p2", None, "p4", "p5", "p6"]
    assert [len(r.get("results", ())) for r in records] == [3, 0, 0, 0, 0, 3]
    bad = {r["line"]: r for r in records if r.get("error")}
    assert sorted(bad) == [2, 3, 4, 5]
    assert bad[2]["id"] == "p2" and len(bad[2]["problems"]) == 3   # every problem, not the first
    assert "obsolete; use HP:0001288 (Gait disturbance)" in bad[2]["problems"][0]
    assert "newer than the shipped HPO release" in bad[2]["problems"][1]
    assert "not a phenotypic abnormality" in bad[2]["problems"][2]
    assert "not valid JSON" in bad[3]["problems"][0]
    assert "'present' must be a list" in bad[4]["problems"][0]
    assert "both present and absent" in bad[5]["problems"][0]
    assert "error: patient 'p2' (patients.jsonl:2)" in result.stderr and "Traceback" not in result.stderr


def test_cli_unreadable_patients_file_is_a_usage_error(run, tmp_path):
    result = run("diagnose", "--patients", str(tmp_path / "missing.jsonl"))
    assert result.exit_code == 2 and "patients file not found" in result.stderr


def test_read_patients_reports_the_line(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text('{"id": "a", "present": ["HP:0001324"]}\nnot json\n')
    with pytest.raises(InputError, match=r"p\.jsonl:2: not valid JSON"):
        read_patients(path)


def test_cli_usage_errors(run, tmp_path):
    assert run("diagnose").exit_code == 2
    both = run("diagnose", "HP:0001324", "--patients", str(tmp_path / "p.jsonl"))
    assert both.exit_code == 2 and "not both" in both.stderr


def test_top_bounds_results_and_explain_bounds_explanations(ranker):
    results = ranker.rank_checked(["HP:0003236", "HP:0003707", "HP:0003560"], (), 30, explain=3)
    assert [r.rank for r in results] == list(range(1, 31))
    assert all(r.matched for r in results[:3])
    assert not any(r.matched or r.penalties for r in results[3:])
    assert all(a.score >= b.score for a, b in itertools.pairwise(results))


# -- phenopackets in: real published cases (tests/resources/phenopackets, phenopacket-store, CC BY 4.0) --

FOLDER = Path(__file__).parent / "resources" / "phenopackets" / "cases"
MANIFEST = json.loads((FOLDER.parent / "MANIFEST.json").read_text())
NAMES = sorted(name.removeprefix("cases/") for name in MANIFEST["files"])


def test_the_vendored_cases_match_their_manifest():
    assert MANIFEST["source"] == "monarch-initiative/phenopacket-store" and MANIFEST["licence"] == "CC-BY-4.0"
    assert MANIFEST["commit"] and MANIFEST["release_version"]
    names = sorted(f.name for f in FOLDER.glob("*.json"))
    assert names and names == NAMES
    for name in names:
        assert hashlib.sha256((FOLDER / name).read_bytes()).hexdigest() == MANIFEST["files"][f"cases/{name}"]


def test_a_phenopacket_gives_observed_excluded_references_and_diagnosis():
    case = phenopackets.read_file(FOLDER / "PMID_30236613_patient.json")
    raw = json.loads((FOLDER / "PMID_30236613_patient.json").read_text())
    features = raw["phenotypicFeatures"]
    assert case.id == raw["id"]
    assert case.present == tuple(f["type"]["id"] for f in features if not f.get("excluded"))
    assert case.absent == tuple(f["type"]["id"] for f in features if f.get("excluded"))
    assert case.references == ("PMID:30236613",)
    assert "OMIM:105400" in case.diseases


def test_a_folder_is_read_file_by_file_and_a_bad_file_does_not_stop_it(tmp_path):
    for name in NAMES:
        (tmp_path / name).write_bytes((FOLDER / name).read_bytes())
    (tmp_path / "broken.json").write_text("{not json")
    (tmp_path / "other.json").write_text('{"id": "x", "phenotypicFeatures": 3}')
    items = list(phenopackets.iter_folder(tmp_path))
    bad = {i.source: i.reason for i in items if isinstance(i, phenopackets.Unreadable)}
    assert sorted(bad) == ["broken.json", "other.json"]
    assert "not valid JSON" in bad["broken.json"] and "not a GA4GH Phenopacket v2" in bad["other.json"]
    assert len([i for i in items if isinstance(i, phenopackets.Case)]) == len(NAMES)
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no phenopacket"):
        phenopackets.files(tmp_path / "empty")


def test_real_cases_rank_their_diagnosis_and_leave_out_their_publication(ranker):
    patients = list(patients_of_phenopackets(FOLDER))
    assert len(patients) == len(NAMES)
    cited = 0
    for patient in patients:
        truth = next(d for d in phenopackets.read_file(FOLDER / patient.source).diseases if d in ranker.row)
        present = [t for t in patient.present if ranker.hpo.get(t)]
        given = ranker.scores(present, (), ())
        left_out = ranker.scores(present, (), patient.references)
        row = ranker.row[truth]
        if any(row in ranker.cited_by.get(r, ()) for r in patient.references):
            cited += 1
            assert left_out[row] != given[row]      # the truth's own-paper annotations were taken out
        others = [i for i in range(len(given)) if not any(i in ranker.cited_by.get(r, ())
                                                          for r in patient.references)]
        assert (left_out[others] == given[others]).all()   # nobody else changed
    assert cited >= 1


def test_cli_phenopacket_folder(run, graph_file, tmp_path):
    graph = graph_file
    out = tmp_path / "ranked.jsonl"
    result = run("diagnose", "--phenopacket", str(FOLDER), "--exclude-own-publication", "--top", "2",
                 "--out", str(out), "--data", str(graph))
    assert result.exit_code == 0, result.stderr
    records = [json.loads(line) for line in out.read_text().splitlines()]
    ids = sorted(json.loads((FOLDER / n).read_text())["id"] for n in NAMES)
    assert sorted(r["id"] for r in records) == ids
    assert all(len(r["results"]) == 2 and r["excluded_references"][0].startswith("PMID:") for r in records)
    alone = run("diagnose", "HP:0001324", "--exclude-own-publication")
    assert alone.exit_code == 2 and "needs patients" in alone.stderr
