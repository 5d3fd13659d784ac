"""The static site of ``nmdkg site``, built from the article graph: its pages say what the library's queries
answer, every internal link resolves, nothing is loaded from another host, every page parses as HTML
without a parse error, and bad input is refused with a message and exit code 2."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from nmdkg.analysis.network import curie
from nmdkg.cli import main
from nmdkg.publish.site.builder import (
    DISCLAIMER,
    anchor,
    build_site,
    home_page,
    local_references,
    slug,
    vis_network_files,
)
from nmdkg.query.library import load_library
from nmdkg.store import Store

LIBRARY = load_library()
MG = "MONDO:0009688"


@pytest.fixture(scope="module")
def article_nt(graph, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("article") / "nmdkg.nt"
    path.write_bytes(graph.serialize(format="nt", encoding="utf-8"))
    return path


@pytest.fixture(scope="module")
def store(article_nt) -> Store:
    return Store.from_files([article_nt])


@pytest.fixture(scope="module")
def site(article_nt, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    report = build_site(article_nt, out, permutations=0)  # every candidate edge: a network to check
    assert report.pages["disorder"] > 0 and (out / "index.html").is_file()
    return out


def pages(site: Path) -> list[Path]:
    found = sorted(site.rglob("*.html"))
    assert found, "no pages written"
    return found


def text_of(path: Path) -> str:
    from html import unescape

    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))))


def rows(store: Store, name: str, **values: str) -> list[dict[str, str]]:
    result = LIBRARY[name].run(store, values)
    return [{str(k): str(v) for k, v in b.items()} for b in result.bindings]


# -- what the pages say is what the queries answer ---------------------------------------------------

def test_every_disorder_of_the_graph_has_a_page(site, store):
    disorders = {curie(r["disorder"]) for r in rows(store, "40-disorder-descriptions")}
    assert MG in disorders
    assert {p.name for p in (site / "d").iterdir()} == {slug(d) for d in disorders}


def test_the_disorder_page_shows_its_symptoms_claims_treatments_and_identifiers(site, store):
    page = site / "d" / slug(MG)
    html = page.read_text(encoding="utf-8")
    text = text_of(page)
    assert "<h1>myasthenia gravis</h1>" in html
    # identifiers link to their home pages
    for identifier in ("OMIM:254200", "ORPHA:589", MG):
        assert f'href="{home_page(identifier)}"' in html, identifier
    # the disorder's own symptoms (query 05, via the disorder itself), each linked to its symptom page
    own = {(curie(r["phenotype"]), r["phenotypeLabel"]) for r in rows(store, "05-symptoms-of-a-disorder", disorder=MG)
           if r["via"] == r["disorder"]}
    assert own
    for phenotype, label in own:
        assert f'href="../s/{slug(phenotype)}">{label}</a>' in html
    # the treatments of query 08, with their pages
    treatments = {(curie(r["treatment"]), r["treatmentLabel"]) for r in rows(store, "08-treatments-for-a-disorder",
                                                                             disorder=MG)}
    assert any(label == "pyridostigmine" for _, label in treatments)
    for treatment, label in treatments:
        assert f'href="../t/{slug(treatment)}">{label}</a>' in html
    # the corrected claim about myasthenia gravis, side by side with its correction and its paper
    claims = [r for r in rows(store, "14-corrected-claims") if curie(r["subject"]) == MG]
    assert claims
    assert "The article says" in text and "Correction" in text
    for claim in claims:
        assert curie(claim["citation"]) in text
    assert DISCLAIMER in text


def test_every_page_carries_the_disclaimer(site):
    for page in pages(site):
        assert DISCLAIMER in text_of(page), page.name


def test_symptom_and_treatment_pages_list_their_disorders(site, store):
    weakness = site / "s" / slug("HP:0001324")
    assert 'href="../d/MONDO_0009688.html">myasthenia gravis</a>' in weakness.read_text(encoding="utf-8")
    pyridostigmine = next(r for r in rows(store, "08-treatments-for-a-disorder", disorder=MG)
                          if r["treatmentLabel"] == "pyridostigmine")
    page = site / "t" / slug(curie(pyridostigmine["treatment"]))
    assert 'href="../d/MONDO_0009688.html">myasthenia gravis</a>' in page.read_text(encoding="utf-8")


def test_every_fact_has_a_source_link_on_the_article_disorders(site):
    html = (site / "d" / slug(MG)).read_text(encoding="utf-8")
    assert "no source stated" not in html
    assert 'href="../sources.html#NMDKG_article-causes-autoimmune"' in html
    sources = (site / "sources.html").read_text(encoding="utf-8")
    assert f'id="{anchor("NMDKG:article-causes-autoimmune")}"' in sources


def test_the_search_index_holds_labels_and_synonyms(site):
    text = (site / "static" / "search-index.js").read_text(encoding="utf-8")
    assert text.startswith("window.NMDKG_SEARCH = ")
    index = json.loads(text[len("window.NMDKG_SEARCH = "):].rstrip().rstrip(";"))
    entry = next(e for e in index if e[0] == "myasthenia gravis")
    assert "MG" in entry[1] and entry[2] == "d/MONDO_0009688.html" and entry[3] == "disorder"
    for _, _, url, _ in index:
        assert (site / url).is_file(), url


def test_the_network_is_the_analysis_network_coloured_by_community(site, article_nt):
    from nmdkg.analysis.compute import analyze

    a = analyze(str(article_nt), n_permutations=0)
    text = (site / "static" / "network-data.js").read_text(encoding="utf-8")
    data = json.loads(text[len("window.NMDKG_NETWORK = "):].rstrip().rstrip(";"))
    assert data["nodes"] and data["edges"]
    assert {n["id"] for n in data["nodes"]} == {n for n in a.network if a.network.degree(n) > 0}
    assert len(data["edges"]) == a.network.number_of_edges()
    for node in data["nodes"]:
        assert node["community"] == a.membership[node["id"]]
    same = [n for n in data["nodes"] if n["community"] == data["nodes"][0]["community"]]
    assert len({n["color"] for n in same}) == 1
    assert any(n["article"] for n in data["nodes"])
    vis = (site / "static" / "vis-network.min.js").read_bytes()
    assert vis == vis_network_files()["vis-network.min.js"].read_bytes()


# -- links, remote resources, HTML -------------------------------------------------------------------

def test_no_internal_link_is_broken(site):
    ids: dict[Path, set[str]] = {}
    checked = 0
    for page in pages(site):
        for reference in local_references(page.read_text(encoding="utf-8")):
            parts = urlsplit(reference)
            if parts.scheme or parts.netloc:
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            assert target.is_file(), f"{page.relative_to(site)}: broken link {reference}"
            assert site.resolve() in target.parents, f"{page.relative_to(site)}: {reference} leaves the site"
            if parts.fragment and target.suffix == ".html":
                if target not in ids:
                    ids[target] = set(re.findall(r'\bid="([^"]+)"', target.read_text(encoding="utf-8")))
                assert parts.fragment in ids[target], f"{page.relative_to(site)}: no #{parts.fragment} in {target.name}"
            checked += 1
    assert checked > 500


def test_no_page_loads_a_remote_script_or_stylesheet(site):
    for page in pages(site):
        html = page.read_text(encoding="utf-8")
        for tag in re.findall(r"<(?:script|link|img|iframe)\b[^>]*>", html):
            source = re.search(r'\b(?:src|href)="([^"]*)"', tag)
            if source:
                assert not re.match(r"(?:[a-z]+:)?//", source.group(1)), f"{page.name}: remote {tag}"
        assert "@import" not in html
    for static in (site / "static").glob("*.css"):
        assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", static.read_text(encoding="utf-8")), static.name


def test_every_page_parses_without_an_html_error(site):
    import html5lib

    for page in pages(site):
        parser = html5lib.HTMLParser(strict=True)
        parser.parse(page.read_bytes())  # raises ParseError at the first parse error
        assert not parser.errors


def test_the_templates_escape_what_they_show(tmp_path):
    from nmdkg.publish.site.builder import _environment

    template = _environment().get_template("symptom.html")
    html = template.render(root="../", s={"id": "HP:1", "label": "<script>alert(1)</script>"}, listed=[],
                           disorders={}, title="<b>x</b>")
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>x</b>" not in html


# -- the command ---------------------------------------------------------------------------------------

def test_cli_writes_the_site(article_nt, tmp_path, capsys):
    out = tmp_path / "site"
    assert main(["site", "--data", str(article_nt), "--out", str(out), "--permutations", "5"]) == 0
    assert "pages" in capsys.readouterr().out
    assert (out / "index.html").is_file() and not (tmp_path / ".site.staging").exists()
    # a rebuild replaces the site in place
    assert main(["site", "--data", str(article_nt), "--out", str(out), "--permutations", "5"]) == 0


def test_cli_refuses_a_missing_build_and_a_foreign_folder(article_nt, tmp_path, capsys):
    assert main(["site", "--data", str(tmp_path / "nothing"), "--out", str(tmp_path / "s")]) == 2
    assert "no such file" in capsys.readouterr().err
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    assert main(["site", "--data", str(article_nt), "--out", str(foreign), "--permutations", "5"]) == 2
    assert "not a site" in capsys.readouterr().err
    assert (foreign / "notes.txt").read_text() == "keep me"
    assert not (tmp_path / ".mine.staging").exists()
