"""Treatments per disease (issue 18): the therapies table, the vendored MAxO slices and their queries.

The expected answers are the approvals and guideline recommendations of ``data/curated/therapies.tsv`` as
the cited papers report them (the pivotal trial or the guideline, by PMID), and Monarch's MAxO annotations
as the vendored slice holds them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nmdkg.build import treatments
from nmdkg.core.errors import DataError
from nmdkg.core.namespaces import NMDKG
from nmdkg.curated.tables import load_curated
from nmdkg.query.library import load_library
from nmdkg.query.results import short
from nmdkg.sources import maxo
from nmdkg.store import Store

from .test_cli import edit

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = load_library()

#: (therapy label, agency, year, status, PMIDs) per disorder of the issue, in the default build.
EXPECTED_THERAPIES = {
    "MONDO:0001516": {  # spinal muscular atrophy (5q SMA)
        ("nusinersen", "FDA", "2016", "approved", "PMID:29091570"),
        ("nusinersen", "EMA", "2017", "approved", "PMID:29091570"),
        ("onasemnogene abeparvovec", "FDA", "2019", "approved", "PMID:29091557"),
        ("risdiplam", "FDA", "2020", "approved", "PMID:33626251"),
    },
    "MONDO:0010679": {  # Duchenne muscular dystrophy
        ("eteplirsen", "FDA", "2016", "approved", "PMID:26573217"),
        ("golodirsen", "FDA", "2019", "approved", "PMID:32139505"),
        ("viltolarsen", "FDA", "2020", "approved", "PMID:32453377"),
        ("deflazacort", "FDA", "2017", "approved", "PMID:29395989 PMID:35381069"),
        ("corticosteroid", "DMD Care Considerations Working Group", "2018", "guideline", "PMID:29395989"),
    },
    "MONDO:0004976": {  # ALS, with SOD1-ALS (OMIM:105400) as a subtype
        ("riluzole", "FDA", "1995", "approved", "PMID:8302340"),
        ("edaravone", "FDA", "2017", "approved", "PMID:28522181"),
        ("tofersen", "FDA", "2023", "approved", "PMID:36129998"),
    },
    "MONDO:0009688": {  # myasthenia gravis
        ("eculizumab", "FDA", "2017", "approved", "PMID:29066163"),
        ("efgartigimod alfa", "FDA", "2021", "approved", "PMID:34146511"),
        ("pyridostigmine", "MGFA international consensus", "2016", "guideline", "PMID:27358333"),
        ("corticosteroid", "MGFA international consensus", "2016", "guideline", "PMID:27358333"),
        ("thymectomy", "MGFA international consensus", "2016", "guideline", "PMID:27358333 PMID:27509100"),
    },
    "ORPHA:43393": {  # Lambert-Eaton myasthenic syndrome
        ("amifampridine", "FDA", "2018", "approved", "PMID:30801481"),
    },
    "MONDO:0016218": {  # Guillain-Barré syndrome
        ("intravenous immunoglobulin", "EAN/PNS", "2023", "guideline", "PMID:37814552"),
        ("plasma exchange", "EAN/PNS", "2023", "guideline", "PMID:37814552"),
    },
    "ORPHA:2932": {  # chronic inflammatory demyelinating polyneuropathy
        ("intravenous immunoglobulin", "FDA", "2008", "approved", "PMID:18178525"),
    },
    "OMIM:232300": {  # glycogen storage disease II (Pompe disease)
        ("alglucosidase alfa", "FDA", "2006", "approved", "PMID:17151339"),
        ("avalglucosidase alfa", "FDA", "2021", "approved", "PMID:34800399"),
        ("cipaglucosidase alfa", "FDA", "2023", "approved", "PMID:34800400"),
    },
    "OMIM:105210": {  # hereditary transthyretin amyloidosis (with polyneuropathy)
        ("patisiran", "FDA", "2018", "approved", "PMID:29972753"),
        ("inotersen", "FDA", "2018", "approved", "PMID:29972757"),
        ("vutrisiran", "FDA", "2022", "approved", "PMID:35875890"),
    },
}


@pytest.fixture(scope="module")
def nmd_store(nmd_graph):
    return Store.from_graph(nmd_graph)


def rows_of(store, name: str, **params) -> list[dict[str, str]]:
    result = LIBRARY[name].run(store, params)
    return [{str(k): short(v) for k, v in b.items()} for b in result.bindings]


# -- the default build answers the new questions for every disorder of the issue ---------------------------

@pytest.mark.parametrize("disorder", sorted(EXPECTED_THERAPIES))
def test_approved_therapies_with_year_and_source(nmd_store, disorder):
    got = {(r["therapyLabel"], r["agency"], r["year"], r["status"], " ".join(sorted(r["sources"].split())))
           for r in rows_of(nmd_store, "31-approved-therapies-for-a-disorder", disorder=disorder)}
    assert got == EXPECTED_THERAPIES[disorder]


def test_a_genetic_subtype_and_a_population_are_kept(nmd_store):
    als = rows_of(nmd_store, "31-approved-therapies-for-a-disorder", disorder="MONDO:0004976")
    assert {(r["therapyLabel"], r["indication"]) for r in als} >= {("tofersen", "OMIM:105400")}
    dmd = rows_of(nmd_store, "31-approved-therapies-for-a-disorder", disorder="MONDO:0010679")
    assert {r.get("population") for r in dmd if r["therapyLabel"] == "eteplirsen"} == {"amenable to exon 51 skipping"}


def test_hattr_approvals_reach_the_familial_amyloid_neuropathies(nmd_store):
    # the approvals name the transthyretin disease (OMIM:105210); MONDO's familial amyloid neuropathy, which also
    # holds other hereditary systemic amyloidoses (MONDO:0971008-10), reaches them through MONDO:0971004; the V30M
    # subtype (ORPHA:85447) is narrower than the indication and does not
    rows = rows_of(nmd_store, "31-approved-therapies-for-a-disorder", disorder="MONDO:0007100")
    assert {(r["therapyLabel"], r["indication"], r["population"]) for r in rows} == {
        (agent, "OMIM:105210", "adults with polyneuropathy") for agent in ("patisiran", "inotersen", "vutrisiran")}
    assert rows_of(nmd_store, "31-approved-therapies-for-a-disorder", disorder="ORPHA:85447") == []
    got = {r["disorder"] for r in rows_of(nmd_store, "32-disorders-a-drug-is-approved-for", therapy="NMDKG:inotersen")}
    assert got == {"OMIM:105210"}


def test_a_drug_class_returns_its_members_approvals(nmd_store):
    got = {(r["memberLabel"], r["disorder"], r["status"])
           for r in rows_of(nmd_store, "32-disorders-a-drug-is-approved-for", therapy="CHEBI:50858")}
    assert got == {("deflazacort", "MONDO:0010679", "approved"), ("corticosteroid", "MONDO:0010679", "guideline"),
                   ("corticosteroid", "MONDO:0009688", "guideline")}
    ivig = {r["disorder"] for r in rows_of(nmd_store, "32-disorders-a-drug-is-approved-for", therapy="MAXO:0001480")}
    assert ivig == {"MONDO:0016218", "ORPHA:2932"}


def test_complement_inhibitors_of_myasthenia_gravis(nmd_store):
    got = {r["therapyLabel"] for r in rows_of(nmd_store, "35-therapies-by-mechanism-for-a-disorder")}
    assert got == {"eculizumab"}
    fcrn = rows_of(nmd_store, "35-therapies-by-mechanism-for-a-disorder", mechanism="NMDKG:fcrn-blockade")
    assert {r["therapyLabel"] for r in fcrn} == {"efgartigimod alfa"}


def test_mechanism_classes_per_group(nmd_store):
    got = {(r["group"], r["mechanism"]): int(r["therapies"])
           for r in rows_of(nmd_store, "33-mechanism-classes-per-disorder-group")}
    assert got[("nmdkg:MuscularDystrophy", "NMDKG:dystrophin-exon-skipping")] == 3
    assert got[("nmdkg:MotorNeuronDisease", "NMDKG:smn2-splicing-modification")] == 2
    # pyridostigmine has no mechanism of its own: it inherits its class's (anticholinesterases)
    assert got[("nmdkg:NeuromuscularJunctionDisorder", "CHEBI:38462")] == 1
    assert got[("nmdkg:PeripheralNeuropathy", "NMDKG:ttr-silencing")] == 3


def test_treatments_of_mg_meet_the_articles_classes_in_the_hierarchy(graph):
    store = Store.from_graph(graph)
    got = {(r["stated"], r.get("narrower")) for r in rows_of(store, "36-treatments-of-a-disorder-at-every-level")}
    assert ("CHEBI:37733", "DRUGBANK:DB00545") in got                 # the article's class, pyridostigmine under it
    assert ("CHEBI:50858", "NMDKG:deflazacort") in got                 # corticosteroids, deflazacort under them
    assert ("NMDKG:efgartigimod-alfa", None) in got


def test_maxo_annotation_becomes_a_sourced_association(nmd_store):
    got = rows_of(nmd_store, "34-symptoms-targeted-by-a-medical-action", action="MAXO:0001001")
    assert {(r["finding"], r.get("disease"), r.get("reference"), r.get("evidence")) for r in got} == {
        ("HP:0007269", "OMIM:253300", "PMID:31371124", "PCS")}


def test_every_maxo_annotation_of_the_scope_is_kept(nmd_graph, curated):
    """Counted independently of the build's code: the slice's rows whose disease (a curated disorder, an
    annotated disease of the scope, or its joined equivalent) is in the build, with an effect relation, and
    whose HPO target, if any, is a phenotypic abnormality of the shipped release."""
    from nmdkg.build.hpo import load_sources, select
    from nmdkg.sources.hpo_obo import load

    nodes = set(nmd_graph.subjects(predicate=None, object=NMDKG.MedicalActionAssociation))
    annotations = maxo.load_annotations()
    assert annotations.rows
    selected = set(select(load_sources(), "nmd", curated))
    curated_ids = {r.id for r in curated["disorders"]}
    hpo = load()

    def phenotypic(target: str) -> bool:
        term = hpo.get(target)
        return term is not None and term.id == target and "HP:0000118" in hpo.ancestors(target)

    expected = 0
    for a in annotations.rows:
        contexts = [a.disease] if a.disease in curated_ids or a.disease in selected else []
        contexts += [e for e in annotations.equivalents.get(a.disease, ()) if e in selected]
        if not contexts or a.relation not in treatments.RELATIONS:
            continue
        if a.target and a.target.startswith("HP:") and not phenotypic(a.target):
            continue
        expected += len(contexts)
    assert expected > 0
    assert len(nodes) == expected


# -- bad rows: file:line: column: reason, exit 1, nothing written -------------------------------------------

BAD_THERAPY_ROWS = {
    "no source": ("therapies.tsv", "\tref-miller-2022\t", "\t\t", "column 'sources'", "is empty but required"),
    "unknown disease": ("therapies.tsv", "riluzole\tamyotrophic-lateral-sclerosis\t",
                        "riluzole\tamyotrophic-lateral-sclerosys\t", "column 'indication'", "unknown disease"),
    "future year": ("therapies.tsv", "\tFDA\t2020\tapproved\tref-baranello-2021\t",
                    "\tFDA\t2999\tapproved\tref-baranello-2021\t", "column 'year'", "in the future"),
    "unknown status": ("therapies.tsv", "\tFDA\t1995\tapproved\t", "\tFDA\t1995\tpending\t", "column 'status'",
                       "is not one of"),
    "unchecked ChEBI": ("mechanisms.tsv", "CHEBI:50509", "CHEBI:50510999", "column 'id'",
                        "is not among the ChEBI terms MAxO or MONDO import"),
    "unchecked MAXO": ("therapy_agents.tsv", "MAXO:0001079", "MAXO:0009999", "column 'id'", "not a MAXO term"),
    "obsolete MAXO in interventions": ("interventions.tsv", "MAXO:0000009", "MAXO:0000008", "column 'id'",
                                       "is obsolete"),
    "DrugBank cannot be checked": ("therapy_agents.tsv", "MAXO:0001079", "DRUGBANK:DB00001", "column 'id'",
                                   "expected one of: CHEBI, MAXO"),
}


@pytest.mark.parametrize("case", sorted(BAD_THERAPY_ROWS))
def test_bad_treatment_rows_are_refused(run, curated_copy, tmp_path, case):
    table, old, new, column, reason = BAD_THERAPY_ROWS[case]
    line = edit(curated_copy / table, old, new)
    out = tmp_path / "out"
    result = run("build", "--scope", "article", "--data", str(curated_copy), "--out", str(out))
    assert result.exit_code == 1, result.stderr
    assert f"{table}:{line}: {column}: " in result.stderr
    assert reason in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_an_indication_outside_the_scope_is_refused(curated_copy):
    line = edit(curated_copy / "therapies.tsv", "\tOMIM:232300\t\tFDA\t2006\t", "\tOMIM:219700\t\tFDA\t2006\t")
    data = load_curated(curated_copy)
    with pytest.raises(DataError) as caught:
        treatments.check_indications(data, {"OMIM:232300", "ORPHA:43393", "ORPHA:2932", "OMIM:105400"}, "nmd")
    assert f"therapies.tsv:{line}: column 'indication': unknown disease 'OMIM:219700'" in str(caught.value)


# -- the vendored slices -------------------------------------------------------------------------------------

def test_vendored_files_match_their_manifests():
    for folder in (maxo.MAXO_DIR, maxo.ANNOTATIONS_DIR):
        manifest = json.loads((folder / "MANIFEST.json").read_text())
        assert manifest["files"] and manifest["upstream_files"] and manifest["commit"]
        assert manifest["licence"] == "CC BY 4.0" and manifest["generated_by"] == "scripts/vendor_maxo.py"
    vocabulary = maxo.vocabulary()
    assert vocabulary.check("MAXO:0000011") is None          # physical therapy
    assert "use MAXO:0000002" in vocabulary.check("MAXO:0000008")
    assert vocabulary.check("CHEBI:50858") is None           # corticosteroid


def test_a_tampered_slice_is_refused(tmp_path):
    copy = tmp_path / "maxo"
    shutil.copytree(maxo.MAXO_DIR, copy)
    with (copy / "chebi-terms.tsv").open("a") as handle:
        handle.write("CHEBI:1\tinvented\tMAxO\n")
    with pytest.raises(DataError, match=r"chebi-terms\.tsv:0: sha256 .* differs from MANIFEST\.json"):
        maxo.vocabulary(copy)


MINI_MAXO = """format-version: 1.2
data-version: releases/2099-01-01

[Term]
id: MAXO:0000001
name: medical action
synonym: "care" EXACT []

[Term]
id: MAXO:0000008
name: obsolete therapeutic intervention
is_obsolete: true
replaced_by: MAXO:0000001

[Term]
id: CHEBI:50858
name: corticosteroid
"""
MINI_CHEBI = "format-version: 1.2\n\n[Term]\nid: CHEBI:24261\nname: glucocorticoid\n"
MINI_EQUIVALENCES = "format-version: 1.2\n\n[Term]\nid: MONDO:0008030\nequivalent_to: https://omim.org/entry/158900\n"
HEADER = ("disease_id\tdisease_name\tsource_id\tmaxo_id\tmaxo_name\thpo_id\trelation\tevidence\textension_id\t"
          "extension_name\tcomment\tother\tauthor\tlast_updated\tcreated\n")
ROW = "MONDO:0008030\tFSHD 1\tPMID:1\tMAXO:0000001\tmedical action\tHP:0003547\ttreats\tTAS\t\t\t\t\t\t2024-01-02\t\n"
OUTSIDE = ("MONDO:0000001\tnothing\tPMID:2\tMAXO:0000001\tmedical action\tHP:0003547\ttreats\tTAS"
           "\t\t\t\t\t\t2024-01-03\t\n")


def upstream_folders(tmp_path: Path, rows: str) -> list[str]:
    files = {
        "maxo/maxo.obo": MINI_MAXO, "maxo/imports/chebi_import.obo": MINI_CHEBI,
        "annotations/data/maxo-annotations.tsv": HEADER + rows,
        "mondo/imports/chebi_import.obo": MINI_CHEBI, "mondo/imports/equivalencies.obo": MINI_EQUIVALENCES,
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return [str(tmp_path / d) for d in ("maxo", "annotations", "mondo")]


def test_vendor_script_regenerates_a_slice(tmp_path):
    out = tmp_path / "upstream"
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "vendor_maxo.py"),
                           *upstream_folders(tmp_path, ROW + OUTSIDE), "--out", str(out)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    terms = (out / "maxo" / "maxo-terms.tsv").read_text().splitlines()
    assert terms[1:] == ["MAXO:0000001\tmedical action\tfalse\t\tcare",
                         "MAXO:0000008\tobsolete therapeutic intervention\ttrue\tMAXO:0000001\t"]
    assert (out / "maxo" / "chebi-terms.tsv").read_text().splitlines()[1:] == [
        "CHEBI:24261\tglucocorticoid\tMAxO|MONDO", "CHEBI:50858\tcorticosteroid\tMAxO"]
    kept = (out / "maxo-annotations" / "maxo-annotations.tsv").read_text().splitlines()
    assert [line.split("\t")[0] for line in kept[1:]] == ["MONDO:0008030"]   # the disease outside the graph goes
    manifest = json.loads((out / "maxo" / "MANIFEST.json").read_text())
    assert manifest["release_version"] == "releases/2099-01-01"
    assert maxo.vocabulary(out / "maxo").check("MAXO:0000001") is None


def test_vendor_script_refuses_a_malformed_row(tmp_path):
    out = tmp_path / "upstream"
    bad = ROW.replace("MAXO:0000001", "MAXO:1", 1)
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "vendor_maxo.py"),
                           *upstream_folders(tmp_path, ROW + bad), "--out", str(out)],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert "data/maxo-annotations.tsv:3: maxo_id: malformed 'MAXO:1'" in done.stderr
    assert not out.exists()
