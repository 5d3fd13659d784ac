"""The catalogue of bad inputs: what a new user may give each subcommand, and what nmdkg must answer.

Each case sets up its input in a temporary folder (a copy of the real curated tables, or small files),
runs ``nmdkg`` in-process through the real entry point, and checks: the documented exit code (1 bad data,
2 usage or unreadable input), a message that names what is wrong (a regular expression over stderr), no
traceback, and no file left behind (the temporary folder holds the same files before and after). A few
cases run as real subprocesses, to see what a shell sees. Builds use ``--scope article``.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from nmdkg.core.paths import CURATED_DIR

Setup = Callable[[Path], None]


# -- small edits of the curated copy (in tmp/c) and small files -----------------------------------------

def _table(tmp: Path, table: str) -> Path:
    return tmp / "c" / f"{table}.tsv"


def _rows(tmp: Path, table: str) -> list[list[str]]:
    return [line.split("\t") for line in _table(tmp, table).read_text(encoding="utf-8").splitlines()]


def _write_rows(tmp: Path, table: str, rows: list[list[str]]) -> None:
    _table(tmp, table).write_text("".join("\t".join(row) + "\n" for row in rows), encoding="utf-8")


def cell(table: str, line: int, column: str, value: str) -> Setup:
    """Set one cell (``line`` as in the file, 1 = header)."""
    def setup(tmp: Path) -> None:
        rows = _rows(tmp, table)
        rows[line - 1][rows[0].index(column)] = value
        _write_rows(tmp, table, rows)
    return setup


def line_of(table: str, key: str) -> int:
    """The line (1 = header) of the row whose first cell is ``key`` in the real curated table."""
    lines = (CURATED_DIR / f"{table}.tsv").read_text(encoding="utf-8").splitlines()
    return next(n for n, text in enumerate(lines, start=1) if text.split("\t", 1)[0] == key)


#: Rows the cases edit, found by key so that adding rows to the tables does not move them.
REFERENCE_LINE = line_of("sources", "ref-birnkrant-2018")
CORRECTION_LINE = line_of("corrections", "als-is-not-ageing")


def append(table: str, *cells: str) -> Setup:
    def setup(tmp: Path) -> None:
        with _table(tmp, table).open("a", encoding="utf-8") as handle:
            handle.write("\t".join(cells) + "\n")
    return setup


def edit_bytes(table: str, change: Callable[[bytes], bytes]) -> Setup:
    def setup(tmp: Path) -> None:
        path = _table(tmp, table)
        path.write_bytes(change(path.read_bytes()))
    return setup


def drop_rows(table: str, startswith: str) -> Setup:
    def setup(tmp: Path) -> None:
        _write_rows(tmp, table, [r for r in _rows(tmp, table) if not r[0].startswith(startswith)])
    return setup


def duplicate_line(table: str, line: int) -> Setup:
    def setup(tmp: Path) -> None:
        rows = _rows(tmp, table)
        _write_rows(tmp, table, [*rows, rows[line - 1]])
    return setup


def swap_rows(table: str) -> Setup:
    def setup(tmp: Path) -> None:
        rows = _rows(tmp, table)
        _write_rows(tmp, table, [rows[0], rows[2], rows[1], *rows[3:]])
    return setup


def header(table: str, change: Callable[[list[str]], list[str]]) -> Setup:
    def setup(tmp: Path) -> None:
        rows = _rows(tmp, table)
        _write_rows(tmp, table, [change(rows[0]), *rows[1:]])
    return setup


def remove(table: str) -> Setup:
    return lambda tmp: _table(tmp, table).unlink()


def file(name: str, content: bytes | str) -> Setup:
    def setup(tmp: Path) -> None:
        path = tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    return setup


def folder(name: str) -> Setup:
    return lambda tmp: (tmp / name).mkdir(parents=True, exist_ok=True)


def both(*setups: Setup) -> Setup:
    def setup(tmp: Path) -> None:
        for step in setups:
            step(tmp)
    return setup


def none(tmp: Path) -> None:
    pass


@dataclass(frozen=True)
class Case:
    id: str
    args: tuple[str, ...]
    setup: Setup
    code: int
    message: str  # a regular expression searched in the output (stderr, or stdout for a report)


BUILD = ("build", "--scope", "article", "--data", "{c}", "--out", "{tmp}/out")
EXPORT = ("export", "--scope", "article", "--data", "{c}", "--out", "{tmp}/out/nmdkg.ttl")
TRIPLE = "<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n"
PHENO = ("HP:0001324", "Muscle weakness")  # not a row of phenotypes.tsv: rows appended with other ids


def built(name: str) -> Setup:
    """A folder with a one-triple nmdkg.nt, as a build folder."""
    return file(f"{name}/nmdkg.nt", TRIPLE)


CASES = [
    # --- curated tables: identifiers against the shipped releases (build) ---
    Case("hpo-unknown", BUILD, append("phenotypes", "HP:9999999", "made up", "", ""), 1,
         r"phenotypes\.tsv:\d+: column 'id': HP:9999999 is not a term of the HPO release"),
    Case("hpo-obsolete-replaced", BUILD, append("phenotypes", "HP:0000057", "obsolete Clitoromegaly", "", ""), 1,
         r"phenotypes\.tsv:\d+: column 'id': HP:0000057 .* is obsolete .*; replaced by HP:0008665 "
         r"\('Clitoral hypertrophy'\)"),
    Case("hpo-obsolete-consider", BUILD, append("phenotypes", "HP:0000489", "x", "", ""), 1,
         r"HP:0000489 .* is obsolete .*; consider HP:0100886"),
    Case("hpo-alternative-id", BUILD, append("phenotypes", "HP:0004715", "x", "", ""), 1,
         r"HP:0004715 is an alternative identifier of HP:0000003 \('Multicystic kidney dysplasia'\)"),
    Case("hpo-label-differs", BUILD, cell("phenotypes", 2, "label", "Wrong label"), 1,
         r"phenotypes\.tsv:2: column 'label': label 'Wrong label' of HP:\d{7} differs from the HPO release "
         r"[\d-]+: '.+'"),
    Case("hpo-unknown-group-match", BUILD, cell("symptom_groups", 2, "match", "HP:9999998"), 1,
         r"symptom_groups\.tsv:2: column 'match': HP:9999998 is not a term"),
    Case("hpo-obsolete-related", BUILD, cell("emotional_impacts", 2, "related", "HP:0000057"), 1,
         r"emotional_impacts\.tsv:2: column 'related': HP:0000057 .* is obsolete"),
    Case("hpo-gene-symbol", BUILD, cell("genes", 2, "symbol", "DMX"), 1,
         r"genes\.tsv:2: column 'symbol': symbol 'DMX' differs from the HPO gene file, which names "
         r"NCBIGene:1756 DMD"),
    Case("hpo-gene-id", BUILD, cell("genes", 2, "ncbigene", "NCBIGene:999999999"), 1,
         r"genes\.tsv:2: column 'ncbigene': NCBIGene:999999999 differs from the HPO gene file, where DMD is "
         r"NCBIGene:1756"),
    # --- curated tables: encodings and URLs ---
    Case("bom", BUILD, edit_bytes("genes", lambda b: b"\xef\xbb\xbf" + b), 1,
         r"genes\.tsv:1: starts with a UTF-8 byte-order mark \(BOM\)"),
    Case("latin-1-byte", BUILD, edit_bytes("genes", lambda b: b.replace(b"telomeric", b"t\xe9lomeric")), 1,
         r"genes\.tsv:3: column 'label': byte\(s\) e9 at byte \d+ of the line are not UTF-8"),
    Case("latin-1-header", BUILD, edit_bytes("genes", lambda b: b.replace(b"symbol", b"symb\xf6l", 1)), 1,
         r"genes\.tsv:1: byte\(s\) f6 .* not UTF-8"),
    Case("url-scheme", BUILD, cell("sources", 2, "locator", "htp://example.org/a"), 1,
         r"sources\.tsv:2: column 'locator': 'htp://example\.org/a' is not an http\(s\) URL"),
    Case("url-space", BUILD, cell("sources", 2, "locator", "https://example.org/a b"), 1,
         r"sources\.tsv:2: column 'locator': .* is not a valid URL: it holds white space"),
    Case("url-no-host", BUILD, cell("sources", 2, "locator", "https:///a"), 1,
         r"column 'locator': 'https:///a' is not a valid URL: no host name"),
    Case("url-port", BUILD, cell("sources", 2, "locator", "http://example.org:99999/"), 1,
         r"column 'locator': .* is not a valid URL: Port out of range"),
    Case("locator-path", BUILD, cell("sources", 2, "locator", "../secret/file.txt"), 1,
         r"column 'locator': .* is neither an http\(s\) URL nor a file name"),
    Case("doi-as-url", BUILD, cell("sources", 2, "doi", "https://doi.org/10.1000/x"), 1,
         r"sources\.tsv:2: column 'doi': .* is not a DOI"),
    # --- curated tables: structure ---
    Case("table-missing", BUILD, remove("genes"), 1, r"genes\.tsv:0: table is missing"),
    Case("table-empty", BUILD, edit_bytes("genes", lambda b: b""), 1, r"genes\.tsv:1: missing column\(s\)"),
    Case("column-missing", BUILD, header("genes", lambda h: h[:-1]), 1,
         r"genes\.tsv:1: missing column\(s\) mentioned_in"),
    Case("column-unknown", BUILD, header("genes", lambda h: [*h[:-1], "mentioned"]), 1,
         r"unknown column\(s\) mentioned"),
    Case("columns-out-of-order", BUILD, header("genes", lambda h: [h[1], h[0], *h[2:]]), 1,
         r"genes\.tsv:1: columns are out of order"),
    Case("cell-count", BUILD, append("genes", "abc", "HGNC:1"), 1, r"genes\.tsv:\d+: has 2 cells; expected 6"),
    Case("required-empty", BUILD, cell("disorders", 2, "label", ""), 1,
         r"disorders\.tsv:2: column 'label': is empty but required"),
    Case("bad-key", BUILD, cell("pathogens", 2, "key", "Bad Key"), 1,
         r"pathogens\.tsv:2: column 'key': 'Bad Key' is not a key"),
    Case("bad-curie", BUILD, cell("disorders", 2, "id", "MONDO:abc"), 1, r"disorders\.tsv:2: column 'id': .*MONDO:abc"),
    Case("wrong-prefix", BUILD, cell("disorders", 2, "id", "HP:0000001"), 1, r"disorders\.tsv:2: column 'id': .*HP"),
    Case("bad-choice", BUILD, cell("disorders", 2, "category", "Muscle"), 1,
         r"disorders\.tsv:2: column 'category': 'Muscle' is not one of"),
    Case("empty-list-item", BUILD, cell("disorders", 2, "synonyms", "ALS||x"), 1,
         r"column 'synonyms': has an empty item"),
    Case("repeated-list-item", BUILD, cell("disorders", 2, "synonyms", "ALS|ALS"), 1,
         r"column 'synonyms': repeats an item"),
    Case("duplicate-row", BUILD, duplicate_line("disorder_phenotypes", 2), 1,
         r"disorder_phenotypes\.tsv:\d+: duplicate of line 2"),
    Case("unknown-reference", BUILD, cell("disorder_phenotypes", 2, "disorder", "no-such-disorder"), 1,
         r"disorder_phenotypes\.tsv:2: column 'disorder': unknown reference 'no-such-disorder'"),
    Case("key-in-two-tables", BUILD, cell("pathogens", 2, "key", "myasthenia-gravis"), 1,
         r"key 'myasthenia-gravis' is also used in"),
    Case("section-without-document", BUILD, cell("sources", 2, "part_of", ""), 1,
         r"sources\.tsv:2: column 'part_of': a section must be part_of a source of kind document"),
    Case("reference-uncitable", BUILD, both(cell("sources", REFERENCE_LINE, "pmid", ""),
                                            cell("sources", REFERENCE_LINE, "doi", "")),
         1, rf"sources\.tsv:{REFERENCE_LINE}: column 'pmid': a reference needs a PMID or a DOI"),
    Case("fact-from-reference", BUILD, cell("disorder_phenotypes", 2, "source", "ref-brown-2017"), 1,
         r"column 'source': 'ref-brown-2017' is a reference; facts come from a document or section"),
    Case("coping-not-strategy", BUILD, cell("impact_coping", 2, "strategy", "anticonvulsants"), 1,
         r"impact_coping\.tsv:2: column 'strategy': 'anticonvulsants' is not in category CopingStrategy"),
    Case("gene-on-other-cause", BUILD, cell("causes", 2, "gene", "dmd"), 1,
         r"causes\.tsv:2: column 'gene': only a GeneticMutation cause names a gene"),
    Case("correction-of-nothing", BUILD, cell("corrections", CORRECTION_LINE, "object", "myasthenia-gravis"), 1,
         rf"corrections\.tsv:{CORRECTION_LINE}: column 'subject': unknown reference: no row of disorder_causes\.tsv"),
    Case("correction-citation", BUILD, cell("corrections", 2, "citation", "nmd-article"), 1,
         r"corrections\.tsv:2: column 'citation': 'nmd-article' is not a source of kind reference"),
    Case("curated-folder-missing", ("build", "--scope", "article", "--data", "{tmp}/nowhere", "--out", "{tmp}/out"),
         none, 2, r"curated data folder not found"),
    Case("curated-folder-is-file", ("build", "--scope", "article", "--data", "{tmp}/f.tsv", "--out", "{tmp}/out"),
         file("f.tsv", "x"), 2, r"curated data folder not found"),
    # --- build and export options; export validates as build does ---
    Case("build-scope", ("build", "--scope", "everything"), none, 2, r"Invalid value for '--scope'"),
    Case("build-out-is-file", ("build", "--scope", "article", "--data", "{c}", "--out", "{tmp}/f"), file("f", "x"),
         2, r"nmdkg: error: .*f"),
    Case("export-format", ("export", "--format", "docx", "--scope", "article"), none, 2,
         r"Invalid value for --format: unknown format 'docx'"),
    Case("export-unknown-hpo", EXPORT, append("phenotypes", "HP:9999999", "made up", "", ""), 1,
         r"HP:9999999 is not a term of the HPO release"),
    Case("export-does-not-conform", EXPORT, drop_rows("corrections", "multiple-sclerosis-is-cns"), 1,
         r"the graph does not conform .*nothing was written"),
    Case("export-bom", EXPORT, edit_bytes("sources", lambda b: b"\xef\xbb\xbf" + b), 1, r"byte-order mark"),
    # --- validate ---
    Case("validate-missing", ("validate", "{tmp}/none.ttl"), none, 2, r"none\.ttl: RDF file not found"),
    Case("validate-folder", ("validate", "{tmp}/d"), folder("d"), 2, r"d: not a file"),
    Case("validate-suffix", ("validate", "{tmp}/g.txt"), file("g.txt", TRIPLE), 2, r"unknown RDF file suffix '\.txt'"),
    Case("validate-empty", ("validate", "{tmp}/e.ttl"), file("e.ttl", ""), 2,
         r"e\.ttl: holds no triples \(an empty Turtle file\)"),
    Case("validate-only-prefixes", ("validate", "{tmp}/p.ttl"), file("p.ttl", "@prefix ex: <http://e/> .\n"), 2,
         r"p\.ttl: holds no triples"),
    Case("validate-empty-nt", ("validate", "{tmp}/e.nt"), file("e.nt", "# nothing\n"), 2, r"e\.nt: holds no triples"),
    Case("validate-turtle-syntax", ("validate", "{tmp}/s.ttl"),
         file("s.ttl", "@prefix ex: <http://e/> .\nex:a ex:b .\n"), 2, r"s\.ttl:2: not valid Turtle"),
    Case("validate-nt-line", ("validate", "{tmp}/s.nt"), file("s.nt", TRIPLE + "<a> <b> .\n"), 2,
         r"s\.nt:2: not valid N-Triples"),
    Case("validate-jsonld", ("validate", "{tmp}/s.jsonld"), file("s.jsonld", '{"@id": \n'), 2,
         r"s\.jsonld:\d+: not valid JSON-LD"),
    Case("validate-rdfxml", ("validate", "{tmp}/s.rdf"), file("s.rdf", "<rdf:RDF><oops></rdf:RDF>"), 2,
         r"s\.rdf:\d+: not valid RDF/XML"),
    Case("validate-not-utf8", ("validate", "{tmp}/l.ttl"),
         file("l.ttl", b'<http://e/a> <http://e/b> "caf\xe9" .\n'), 2, r"l\.ttl.*not valid Turtle"),
    Case("validate-file-and-scope", ("validate", "{tmp}/g.nt", "--scope", "article"), file("g.nt", TRIPLE), 2,
         r"--scope builds the graph from curated tables; it cannot be combined with FILE"),
    Case("validate-engine", ("validate", "--engine", "fastest"), none, 2, r"Invalid value for '--engine'"),
    Case("validate-violations", ("validate", "{tmp}/v.ttl"),
         file("v.ttl", "<http://purl.obolibrary.org/obo/MONDO_0009688> a "
                       "<https://w3id.org/nmdkg/ontology/NeuromuscularJunctionDisorder> .\n"), 1,
         r"does not conform|[1-9]\d* violation"),
    # --- lint ---
    Case("lint-not-canonical", ("lint", "--check", "--data", "{c}"), swap_rows("genes"), 1,
         r"not in canonical form: .*genes\.tsv"),
    Case("lint-folder-missing", ("lint", "--data", "{tmp}/nowhere"), none, 2, r"curated data folder not found"),
    Case("lint-bad-table", ("lint", "--data", "{c}"), edit_bytes("genes", lambda b: b"\xef\xbb\xbf" + b), 1,
         r"byte-order mark"),
    # --- query ---
    Case("query-nothing", ("query",), none, 2, r"give a query NAME or FILE, or --sparql TEXT"),
    Case("query-both", ("query", "01", "--sparql", "ASK {}"), none, 2, r"not both"),
    Case("query-unknown-name", ("query", "99-nothing", "--data", "{tmp}/b"), built("b"), 2, r"99-nothing"),
    Case("query-unknown-param", ("query", "02", "--param", "colour=red", "--data", "{tmp}/b"), built("b"), 2,
         r"colour"),
    Case("query-param-type", ("query", "06", "--param", "min=many", "--data", "{tmp}/b"), built("b"), 2, r"many"),
    Case("query-param-syntax", ("query", "02", "--param", "disorder", "--data", "{tmp}/b"), built("b"), 2,
         r"NAME=VALUE"),
    Case("query-param-iri", ("query", "02", "--param", "disorder=<http://e/a b>", "--data", "{tmp}/b"), built("b"),
         2, r"IRI"),
    Case("query-update", ("query", "--sparql", "DROP ALL", "--data", "{tmp}/b"), built("b"), 2, r"[Uu]pdate|read-only"),
    Case("query-insert", ("query", "--sparql", "INSERT DATA { <urn:a> <urn:b> <urn:c> }", "--data", "{tmp}/b"),
         built("b"), 2, r"[Uu]pdate|read-only"),
    Case("query-service", ("query", "--sparql", "SELECT * { SERVICE <http://e/s> { ?s ?p ?o } }", "--data",
                           "{tmp}/b"), built("b"), 2, r"SERVICE"),
    Case("query-syntax", ("query", "--sparql", "SELECT ?s WHERE { ?s ?p }", "--data", "{tmp}/b"), built("b"), 2,
         r"does not parse"),
    Case("query-format", ("query", "01", "--format", "xlsx", "--data", "{tmp}/b"), built("b"), 2,
         r"unknown or unsuitable format 'xlsx'"),
    Case("query-data-missing", ("query", "01", "--data", "{tmp}/none.nt"), none, 2, r"none\.nt: RDF file not found"),
    Case("query-data-empty", ("query", "01", "--data", "{tmp}/e.ttl"), file("e.ttl", ""), 2,
         r"e\.ttl: holds no triples"),
    Case("query-data-suffix", ("query", "01", "--data", "{tmp}/g.csv"), file("g.csv", TRIPLE), 2,
         r"unknown RDF file suffix '\.csv'"),
    Case("query-data-syntax", ("query", "01", "--data", "{tmp}/s.ttl"), file("s.ttl", "ex:a ex:b ex:c .\n"), 2,
         r"s\.ttl:1: not valid Turtle"),
    Case("query-data-folder", ("query", "01", "--data", "{tmp}/d"), folder("d"), 2, r"no nmdkg\.nt in this folder"),
    Case("query-graph-alone", ("query", "01", "--graph", "urn:g", "--data", "{tmp}/b"), built("b"), 2,
         r"--graph names a graph of an --endpoint"),
    Case("query-endpoint-scheme", ("query", "01", "--endpoint", "ftp://127.0.0.1/sparql"), none, 2,
         r"is not an http:// or https:// URL"),
    Case("query-endpoint-credentials", ("query", "01", "--endpoint", "http://dba:s3cret@127.0.0.1:1/sparql"), none,
         2, r"put no credentials in the URL"),
    Case("query-endpoint-refused", ("query", "01", "--endpoint", "http://127.0.0.1:{port}/sparql"), none, 2,
         r"cannot reach http://127\.0\.0\.1:\d+/sparql"),
    Case("query-bad-rq-file", ("query", "{tmp}/q.rq", "--data", "{tmp}/b"),
         both(built("b"), file("q.rq", "# title: x\nSELECT ?s WHERE {\n")), 1,
         r"q\.rq:1: the header lacks a 'description' field"),
    Case("query-out-is-folder", ("query", "--sparql", "ASK {}", "--data", "{tmp}/b", "--out", "{tmp}/d"),
         both(built("b"), folder("d")), 2, r"nmdkg: error: .*d"),
    # --- analyze ---
    Case("analyze-data-missing", ("analyze", "--data", "{tmp}/none.nt", "--out", "{tmp}/out"), none, 2,
         r"none\.nt: no such file"),
    Case("analyze-alpha", ("analyze", "--alpha", "2"), none, 2, r"Invalid value for '--alpha'"),
    Case("analyze-metric", ("analyze", "--metric", "euclid"), none, 2, r"Invalid value for '--metric'"),
    Case("analyze-neighbours", ("analyze", "--neighbours", "0"), none, 2, r"Invalid value for '--neighbours'"),
    Case("analyze-data-suffix", ("analyze", "--data", "{tmp}/g.txt", "--out", "{tmp}/out"), file("g.txt", TRIPLE), 2,
         r"unknown RDF file suffix"),
    # --- diagnose ---
    Case("diagnose-nothing", ("diagnose",), none, 2, r"name at least one finding"),
    Case("diagnose-not-hpo", ("diagnose", "weakness"), none, 2, r"'weakness' is not an HPO identifier"),
    Case("diagnose-unknown", ("diagnose", "HP:9999999"), none, 2, r"HP:9999999"),
    Case("diagnose-obsolete", ("diagnose", "HP:0002355"), none, 2,
         r"HP:0002355 \(Difficulty walking\) is obsolete; use HP:0001288"),
    Case("diagnose-present-and-absent", ("diagnose", "HP:0001324", "--absent", "HP:0001324"), none, 2, r"HP:0001324"),
    Case("diagnose-patients-missing", ("diagnose", "--patients", "{tmp}/none.jsonl"), none, 2,
         r"none\.jsonl: patients file not found"),
    Case("diagnose-patients-json", ("diagnose", "--patients", "{tmp}/p.jsonl", "--data", "{build}"),
         file("p.jsonl", '{"id": "a", "present": ["HP:0001324"]}\n{"id": \n'), 1,
         r"patient None \(p\.jsonl:2\): not valid JSON"),
    Case("diagnose-patients-duplicate", ("diagnose", "--patients", "{tmp}/p.jsonl", "--data", "{build}"),
         file("p.jsonl", '{"id": "a", "present": ["HP:0001324"]}\n{"id": "a", "present": ["HP:0001324"]}\n'), 1,
         r"patient 'a' \(p\.jsonl:2\): duplicate patient id 'a'"),
    Case("diagnose-patients-key", ("diagnose", "--patients", "{tmp}/p.jsonl", "--data", "{build}"),
         file("p.jsonl", '{"id": "a", "present": ["HP:0001324"], "age": 3}\n'), 1,
         r"patient 'a' \(p\.jsonl:1\): unknown key\(s\) age"),
    Case("diagnose-patients-and-terms", ("diagnose", "HP:0001324", "--patients", "{tmp}/p.jsonl"),
         file("p.jsonl", "{}\n"), 2, r"not both"),
    Case("diagnose-patients-table", ("diagnose", "--patients", "{tmp}/p.jsonl", "--format", "table"),
         file("p.jsonl", "{}\n"), 2, r"a batch writes JSON Lines"),
    # --- serve ---
    Case("serve-port", ("serve", "--port", "0"), none, 2, r"Invalid value for '--port'"),
    Case("serve-data-missing", ("serve", "--data", "{tmp}/none.nt", "--store", "{tmp}/store"), none, 2,
         r"none\.nt: no such file"),
    Case("serve-data-empty", ("serve", "--data", "{tmp}/e.nt", "--store", "{tmp}/store", "--port", "{port}"),
         file("e.nt", ""), 2, r"e\.nt: holds no triples"),
    Case("serve-data-syntax", ("serve", "--data", "{tmp}/s.nt", "--store", "{tmp}/store", "--port", "{port}"),
         file("s.nt", "<a> <b> .\n"), 2, r"s\.nt:1: not valid N-Triples"),
    Case("serve-busy-port", ("serve", "--data", "{tmp}/b", "--store", "{tmp}/store", "--port", "{busy}"), built("b"),
         2, r"port \d+ on 127\.0\.0\.1 is already in use by another program"),
    Case("serve-host", ("serve", "--data", "{tmp}/b", "--store", "{tmp}/store", "--host", "192.0.2.1"), built("b"),
         2, r"--host 192\.0\.2\.1: not an address of this machine"),
    # --- push ---
    Case("push-no-endpoint", ("push", "--graph", "urn:g"), none, 2, r"Missing option '--endpoint'"),
    Case("push-data-missing", ("push", "--endpoint", "http://127.0.0.1:{port}/store", "--graph", "urn:g", "--data",
                               "{tmp}/none.nt"), none, 2, r"none\.nt: no such file"),
    Case("push-graph", ("push", "--endpoint", "http://127.0.0.1:{port}/store", "--graph", "not an iri", "--data",
                        "{tmp}/b"), built("b"), 2, r"not an iri"),
    Case("push-refused", ("push", "--endpoint", "http://127.0.0.1:{port}/store", "--graph", "urn:g", "--data",
                          "{tmp}/b"), built("b"), 2, r"cannot reach http://127\.0\.0\.1:\d+/store"),
    Case("push-dataset", ("push", "--endpoint", "http://127.0.0.1:{port}/store", "--graph", "urn:g", "--data",
                          "{tmp}/g.nq"), file("g.nq", TRIPLE), 2, r"unknown RDF file suffix '\.nq'"),
    Case("push-password-on-command-line", ("push", "--endpoint", "http://127.0.0.1:{port}/store", "--graph", "urn:g",
                                           "--user", "dba", "--password-env", "s3cr3t!"), none, 2,
         r"takes the NAME of an environment variable"),
    # --- the command line itself ---
    # --- site ---
    Case("site-data-missing", ("site", "--data", "{tmp}/nowhere", "--out", "{tmp}/site"), none, 2,
         r"nowhere: no such file"),
    Case("site-not-a-build", ("site", "--data", "{tmp}/b", "--out", "{tmp}/site"), built("b"), 2,
         r"the graph has no disorders"),
    Case("site-unparsable", ("site", "--data", "{tmp}/c.nt", "--out", "{tmp}/site"), file("c.nt", "bad line\n"), 2,
         r"c\.nt:1: not valid N-Triples"),
    Case("site-out-not-a-site", ("site", "--data", "{tmp}/b", "--out", "{tmp}/f"), both(built("b"), file("f", "x")),
         2, r"f: not empty and not a site"),
    Case("site-permutations", ("site", "--permutations", "-1"), none, 2, r"Invalid value for '--permutations'"),
    Case("unknown-command", ("bulid",), none, 2, r"No such command 'bulid'"),
    Case("unknown-option", ("build", "--fast"), none, 2, r"No such option '--fast'"),
]


def test_the_catalogue_is_large_and_covers_every_subcommand():
    from nmdkg.cli import cli

    assert len(CASES) >= 80
    assert len({case.id for case in CASES}) == len(CASES)
    assert set(cli.commands) <= {case.args[0] for case in CASES}


def _files(tmp: Path) -> set[Path]:
    return {p.relative_to(tmp) for p in tmp.rglob("*") if p.relative_to(tmp).parts[0] != "c"}


def _fill(arg: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        arg = arg.replace("{" + name + "}", value)
    return arg


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_bad_input(case: Case, run, tmp_path: Path, request):
    uses_curated = any("{c}" in arg for arg in case.args)
    # the good patients of a batch are ranked on the session's default build (read, never written)
    build = str(request.getfixturevalue("default_build")) if any("{build}" in arg for arg in case.args) else ""
    if uses_curated:
        shutil.copytree(CURATED_DIR, tmp_path / "c")
    case.setup(tmp_path)
    before = _files(tmp_path)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        values = {"c": str(tmp_path / "c"), "tmp": str(tmp_path), "port": str(_free_port()),
                  "busy": str(busy.getsockname()[1]), "build": build}
        result = run(*(_fill(arg, values) for arg in case.args))
    assert result.exit_code == case.code, result.stderr
    assert re.search(case.message, result.stderr + result.stdout), result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert "s3cr3t" not in result.stderr + result.stdout
    assert _files(tmp_path) == before, "a file was left behind"


# -- a few as real processes: what a shell sees ---------------------------------------------------------

@pytest.mark.parametrize("case_id", ["bom", "hpo-obsolete-replaced", "validate-empty", "diagnose-not-hpo"])
def test_bad_input_in_a_real_process(case_id: str, tmp_path: Path):
    case = next(c for c in CASES if c.id == case_id)
    if any("{c}" in arg for arg in case.args):
        shutil.copytree(CURATED_DIR, tmp_path / "c")
    case.setup(tmp_path)
    args = [_fill(arg, {"c": str(tmp_path / "c"), "tmp": str(tmp_path)}) for arg in case.args]
    done = subprocess.run([sys.executable, "-m", "nmdkg.cli", *args], capture_output=True, text=True, timeout=300,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == case.code
    assert re.search(case.message, done.stderr) and "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()
