"""The command line: exit codes and messages for good and bad input; nothing written on failure."""

from __future__ import annotations

from pathlib import Path

import pytest


def edit(path: Path, old: str, new: str) -> int:
    """Replace the first ``old`` in ``path`` by ``new``; return the 1-based line number of the edit."""
    text = path.read_text()
    assert old in text, f"{old!r} not in {path.name}"
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1))
    return line


def test_build_writes_exports_and_counts(run, tmp_path):
    result = run("build", "--scope", "article", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.stderr
    assert {p.name for p in (tmp_path / "out").iterdir()} == {"nmdkg.ttl", "nmdkg.jsonld", "nmdkg.nt", "describe",
                                                             "manifest.json", "store", "cache",
                                                             "nmdkg.sssom.tsv", "void.ttl"}
    assert "nmdkg:hasPhenotype" in result.stdout and "Nodes per kind" in result.stdout
    assert "[1/4]" in result.stderr  # progress goes to stderr


def test_help_lists_commands(run):
    result = run("--help")
    assert result.exit_code == 0
    for command in ("build", "export", "lint"):
        assert command in result.stdout


@pytest.mark.parametrize("fmt,ext", [("turtle", "ttl"), ("json-ld", "jsonld"), ("nt", "nt"), ("xml", "rdf")])
def test_export_one_format(run, tmp_path, fmt, ext):
    result = run("export", "--scope", "article", "--format", fmt, "--out", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / f"nmdkg.{ext}").stat().st_size > 10_000


def test_export_unknown_format_is_a_usage_error(run, tmp_path):
    result = run("export", "--format", "csv", "--out", str(tmp_path))
    assert result.exit_code == 2
    assert "unknown format 'csv'" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_missing_data_folder_is_unreadable_input(run, tmp_path):
    result = run("build", "--data", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "curated data folder not found" in result.stderr
    assert "Traceback" not in result.stderr


BAD_INPUTS = {
    "malformed identifier": ("disorders.tsv", "MONDO:0009688", "MONDO:9688", "column 'id'",
                             "does not match the MONDO pattern"),
    "wrong prefix": ("genes.tsv", "HGNC:11117", "NCBIGene:6606", "column 'id'", "expected one of: HGNC"),
    "unknown reference": ("disorder_causes.tsv", "\tsmn1-mutation\t", "\tsmn2-mutation\t", "column 'cause'",
                          "unknown reference 'smn2-mutation'"),
    "unknown class": ("disorders.tsv", "\tMotorNeuronDisease\t", "\tMotorNeuronDisorder\t", "column 'category'",
                      "is not one of"),
    "empty required cell": ("interventions.tsv", "\tpyridostigmine\tanticholinesterases\t",
                            "\t\tanticholinesterases\t", "column 'label'", "is empty but required"),
    "unknown corrected fact": ("corrections.tsv", "\tmultiple-sclerosis\t", "\tmultiple-sclerosi\t",
                               "column 'subject'", "unknown reference"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_cell_names_file_line_column_and_writes_nothing(run, curated_copy, tmp_path, case):
    table, old, new, column, reason = BAD_INPUTS[case]
    line = edit(curated_copy / table, old, new)
    out = tmp_path / "out"
    result = run("build", "--scope", "article", "--data", str(curated_copy), "--out", str(out))
    assert result.exit_code == 1
    assert f"{table}:{line}: {column}: " in result.stderr
    assert reason in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_duplicate_row_is_refused(run, curated_copy, tmp_path):
    path = curated_copy / "impact_coping.tsv"
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join([*lines, lines[1]]))
    result = run("build", "--scope", "article", "--data", str(curated_copy), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert f"impact_coping.tsv:{len(lines) + 1}: duplicate of line 2" in result.stderr


def test_missing_column_is_refused(run, curated_copy, tmp_path):
    path = curated_copy / "cause_effects.tsv"
    rows = [line.rsplit("\t", 1)[0] for line in path.read_text().splitlines()]
    path.write_text("\n".join(rows) + "\n")
    result = run("build", "--scope", "article", "--data", str(curated_copy), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "cause_effects.tsv:1: missing column(s) statement" in result.stderr


def test_wrong_cell_count_is_refused(run, curated_copy, tmp_path):
    line = edit(curated_copy / "agents.tsv", "\tlead atom\t", "\tlead atom\textra\t")
    result = run("build", "--scope", "article", "--data", str(curated_copy), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert f"agents.tsv:{line}: has 5 cells; expected 4" in result.stderr


def test_failed_build_leaves_previous_output_untouched(run, curated_copy, tmp_path):
    out = tmp_path / "out"
    assert run("build", "--scope", "article", "--out", str(out)).exit_code == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    edit(curated_copy / "disorders.tsv", "MONDO:0009688", "MONDO:12")
    assert run("build", "--scope", "article", "--data", str(curated_copy), "--out", str(out)).exit_code == 1
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_every_defect_is_reported_at_once(run, curated_copy, tmp_path):
    edit(curated_copy / "disorders.tsv", "MONDO:0009688", "MONDO:12")
    edit(curated_copy / "genes.tsv", "HGNC:11117", "HGNC:x")
    result = run("build", "--scope", "article", "--data", str(curated_copy), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "disorders.tsv" in result.stderr and "genes.tsv" in result.stderr


def test_lint_check_reports_unsorted_tables(run, curated_copy):
    path = curated_copy / "agents.tsv"
    header, *rows = path.read_text().splitlines()
    path.write_text("\n".join([header, *reversed(rows)]) + "\n")
    result = run("lint", "--check", "--data", str(curated_copy))
    assert result.exit_code == 1
    assert "agents.tsv" in result.stdout
    assert run("lint", "--data", str(curated_copy)).exit_code == 0
    assert run("lint", "--check", "--data", str(curated_copy)).exit_code == 0


def test_a_build_that_does_not_conform_leaves_no_store_behind(run, curated_copy, tmp_path):
    """The query store is loaded while the graph is validated: a graph with violations leaves neither the
    store nor its temporary folder (nor any other file)."""
    table = curated_copy / "corrections.tsv"
    rows = table.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [row for row in rows if "\tmultiple-sclerosis-is-cns\t" not in row and
            not row.startswith("multiple-sclerosis-is-cns\t")]
    assert len(kept) == len(rows) - 1
    table.write_text("".join(kept), encoding="utf-8")
    out = tmp_path / "out"
    result = run("build", "--scope", "article", "--data", str(curated_copy), "--out", str(out))
    assert result.exit_code == 1, result.stderr
    assert "does not conform" in result.stderr
    assert not out.exists()
