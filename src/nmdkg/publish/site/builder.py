"""Build the static site: gather every page's facts with one run of each library query, then render.

The pages come from the built graph only: the queries of the library (``queries/*.rq``) run on the store,
each once for all disorders (a parameter left unbound, or bound to the whole document), and the
shared-symptom network of :func:`nmdkg.analysis.compute.analyze` read by
:func:`nmdkg.analysis.network.read`. Nothing is read from the curated tables. The output is written to a
staged folder and moved into place at the end, so a failed build never leaves a half-written site.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nmdkg.core.errors import InputError

Progress = Callable[[str], None]

#: The three pictures of ``nmdkg analyze`` the network page shows, when the analysis folder holds them.
PICTURES = ("network.png", "article-heatmap.png", "symptom-hubs.png")
#: The root of HPO's phenotypic abnormalities: its children are the branches symptoms are grouped by.
PHENOTYPIC_ABNORMALITY = "HP:0000118"
#: Home pages of identifiers, by prefix (the resolvers each vocabulary documents).
HOME_PAGES = {
    "MONDO": "https://monarchinitiative.org/{curie}",
    "OMIM": "https://omim.org/entry/{local}",
    "ORPHA": "https://www.orpha.net/en/disease/detail/{local}",
    "HP": "https://hpo.jax.org/browse/term/{curie}",
    "HGNC": "https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/{curie}",
    "NCBIGene": "https://www.ncbi.nlm.nih.gov/gene/{local}",
    "PMID": "https://pubmed.ncbi.nlm.nih.gov/{local}/",
    "DECIPHER": "https://www.deciphergenomics.org/syndrome/{local}",
    "UMLS": "https://uts.nlm.nih.gov/uts/umls/concept/{local}",
    "MAXO": "http://purl.obolibrary.org/obo/MAXO_{local}",
    "CHEBI": "http://purl.obolibrary.org/obo/CHEBI_{local}",
    "DOI": "https://doi.org/{local}",
    "doi": "https://doi.org/{local}",
}
#: The relation names shown on pages, for the predicates the pages group facts by.
NMDKG = "https://w3id.org/nmdkg/ontology/"
DISCLAIMER = ("For research and education only: not medical advice. The graph may be incomplete or wrong; "
              "ask a clinician about any decision on care.")


@dataclass
class SiteReport:
    """What a build wrote, and how long each stage took."""

    out: Path
    pages: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    pictures: list[str] = field(default_factory=list)

    @property
    def total_pages(self) -> int:
        return sum(self.pages.values())


# -- identifiers and links -----------------------------------------------------------------------------

def curie(term: Any) -> str:
    from nmdkg.analysis.network import curie as fast_curie

    text = str(term)
    short = fast_curie(text)
    if short != text:
        return short
    for base, prefix in (("http://purl.obolibrary.org/obo/", None), ("https://w3id.org/biolink/vocab/", "biolink:"),
                         (NMDKG, "nmdkg:"), ("http://www.w3.org/2004/02/skos/core#", "skos:")):
        if text.startswith(base):
            local = text[len(base):]
            if prefix is None and "_" in local:
                return local.replace("_", ":", 1)
            if prefix:
                return prefix + local
    return text


def slug(node: str) -> str:
    """A file name for a node's page: its CURIE with every character outside [A-Za-z0-9_.-] as ``_``."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", node) + ".html"


def home_page(identifier: str) -> str | None:
    """The public page of an identifier (``OMIM:254200`` -> omim.org), or None when none is known."""
    if re.match(r"https?://", identifier):
        return identifier
    prefix, _, local = identifier.partition(":")
    pattern = HOME_PAGES.get(prefix)
    return pattern.format(curie=identifier, local=local) if pattern and local else None


def _value(term: Any) -> str | None:
    return None if term is None else str(term)


# -- reading the graph --------------------------------------------------------------------------------

class _Reader:
    """Runs the library's queries on one store, each for all disorders at once."""

    def __init__(self, store, library):
        self.store, self.library = store, library

    def rows(self, name: str, values: dict[str, str] | None = None) -> list[dict[str, str | None]]:
        named = self.library[name]
        bindings = named.bindings(values or {}) if values else {
            p.name: p.bind(p.default) for p in named.parameters
            if p.default is not None and p.name not in ("disorder", "subject", "phenotype")}
        result = self.store.query(named.text, bindings)
        names = [str(v) for v in result.vars]
        return [{n: _value(row[i]) for i, n in enumerate(names)} for row in result]


def gather(store, analysis, library, progress: Progress) -> dict[str, Any]:
    """Everything the pages show, keyed by CURIE."""
    from nmdkg.analysis.network import ANNOTATED_PREFIXES

    read = _Reader(store, library)
    data = analysis.data
    term_labels = dict(data.term_labels)

    disorders: dict[str, dict[str, Any]] = {}

    def disorder(node: str) -> dict[str, Any]:
        return disorders.setdefault(node, {
            "id": node, "labels": [], "synonyms": [], "definitions": [], "identifiers": [], "xrefs": [],
            "parents": [], "children": [], "types": [], "symptoms": [], "subtype_symptoms": {}, "causes": [],
            "genes": [], "treatments": [], "claims": [], "facts": [], "neighbours": [], "community": None,
            "article": False})

    labels: dict[str, str] = {}
    for row in read.rows("40-disorder-descriptions"):
        node, key, value = curie(row["disorder"]), row["key"], row["value"]
        if value is None:
            continue
        d = disorder(node)
        if key == "label":
            d["labels"].append(value)
        elif key == "synonym":
            d["synonyms"].append(value)
        elif key == "definition":
            d["definitions"].append(value)
        elif key == "identifier":
            d["identifiers"].append(value)
        elif key in ("exactMatch", "narrowMatch", "closeMatch", "seeAlso"):
            d["xrefs"].append((key, curie(value)))
        elif key == "parent":
            d["parents"].append(curie(value))
            if row["valueLabel"]:
                labels.setdefault(curie(value), row["valueLabel"])
        elif key == "type" and value.startswith(NMDKG):
            d["types"].append((curie(value), row["valueLabel"] or curie(value)))
    if not disorders:
        raise InputError("the graph has no disorders (nothing typed with a subclass of nmdkg:Disorder): "
                         "is it a build of `nmdkg build`?")
    for node, d in disorders.items():
        d["label"] = min(d["labels"]) if d["labels"] else node
        labels[node] = d["label"]
        d["article"] = not node.startswith(ANNOTATED_PREFIXES)
        d["synonyms"] = sorted(set(d["synonyms"]) - {d["label"]}, key=str.lower)
        d["parents"] = sorted(set(d["parents"]))
        d["types"] = sorted(set(d["types"]))
    for node, d in disorders.items():
        for parent in d["parents"]:
            if parent in disorders:
                disorders[parent]["children"].append(node)
    for d in disorders.values():
        d["children"] = sorted(set(d["children"]), key=lambda n: str(labels.get(n) or n).lower())
    progress(f"{len(disorders)} disorders (query 40)")

    # Sources and qualifiers of every stated fact, keyed by (subject, predicate, object).
    provenance: dict[tuple[str, str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    fact_rows = read.rows("41-association-sources")
    for row in fact_rows:
        fact = (curie(row["subject"]), curie(row["predicate"]), curie(row["object"]))
        p = provenance[fact]
        for column in ("section", "knowledgeSource", "publication", "frequency", "onset", "evidence"):
            if row[column] is not None:
                p[column].add(curie(row[column]))
        if row["count"] is not None and row["total"] is not None:
            p["count"].add(f"{row['count']}/{row['total']}")
        if row["negated"] is not None:
            p["negated"].add("true")
    progress(f"{len(fact_rows)} stated facts with their sources (query 41)")

    # Symptoms (query 05, unbound: every disorder and every broader one at once).
    symptoms: dict[str, dict[str, Any]] = {}
    for row in read.rows("05-symptoms-of-a-disorder"):
        node, phenotype, via = curie(row["disorder"]), curie(row["phenotype"]), curie(row["via"])
        if node not in disorders:
            continue
        label = row["phenotypeLabel"] or term_labels.get(phenotype, phenotype)
        term_labels.setdefault(phenotype, label)
        if via == node:
            p = provenance.get((node, "nmdkg:hasPhenotype", phenotype), {})
            disorders[node]["symptoms"].append({
                "id": phenotype, "label": label, "branch": None,
                "frequency": sorted(term_labels.get(f, f) for f in p.get("frequency", ())),
                "count": sorted(p.get("count", ())), "onset": sorted(term_labels.get(o, o) for o in p.get("onset", ())),
                "sources": _sources(p)})
            symptoms.setdefault(phenotype, {"id": phenotype, "label": label, "disorders": set()})["disorders"].add(node)
        else:
            disorders[node]["subtype_symptoms"].setdefault(phenotype, label)
    branches = _branches(data.parents)
    for d in disorders.values():
        grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for s in d["symptoms"]:
            branch = branches.get(s["id"])
            grouped[term_labels.get(branch, branch) if branch else "Other findings"].append(s)
        d["symptom_groups"] = sorted(grouped.items(), key=lambda item: (item[0] == "Other findings", item[0].lower()))
        own = {s["id"] for s in d["symptoms"]}
        d["subtype_symptoms"] = sorted(((k, v) for k, v in d["subtype_symptoms"].items() if k not in own),
                                       key=lambda kv: kv[1].lower())
    progress(f"{len(symptoms)} symptoms stated for a disorder (query 05)")

    # Causes (query 02, unbound).
    for row in read.rows("02-causes-of-a-disorder"):
        node = curie(row["disorder"])
        if node in disorders:
            cause = curie(row["cause"])
            disorders[node]["causes"].append({
                "id": cause, "label": row["causeLabel"] or cause, "kind": curie(row["kind"]).split(":")[-1],
                "relation": curie(row["relation"]).split(":")[-1],
                "involves": curie(row["involves"]) if row["involves"] else None,
                "involves_label": row["involvesLabel"],
                "sources": _sources(provenance.get((node, curie(row["relation"]), cause), {}))})

    shown_causes = {(n, c["relation"], c["id"]) for n, d in disorders.items() for c in d["causes"]}

    # Treatments (query 08, unbound): whatever relation, route and target the graph holds.
    treatments: dict[str, dict[str, Any]] = {}
    for row in read.rows("08-treatments-for-a-disorder"):
        node = curie(row["disorder"])
        if node not in disorders:
            continue
        treatment, target = curie(row["treatment"]), curie(row["target"])
        relation = curie(row["relation"])
        p = provenance.get((treatment, relation, target), {})
        entry = {"id": treatment, "label": row["treatmentLabel"] or treatment, "relation": relation.split(":")[-1],
                 "target": target, "target_label": row["targetLabel"] or target, "route": row["route"],
                 "corrected": row["correction"] is not None, "sources": _sources(p),
                 "evidence": sorted(p.get("evidence", ()))}
        disorders[node]["treatments"].append(entry)
        t = treatments.setdefault(treatment, {"id": treatment, "label": entry["label"], "uses": []})
        t["uses"].append({"disorder": node, "label": disorders[node]["label"], "route": row["route"],
                          "relation": entry["relation"], "target": target, "target_label": entry["target_label"]})
    for t in treatments.values():
        t["uses"].sort(key=lambda u: (u["route"] != "the disorder", u["label"].lower()))
    progress(f"{len(treatments)} treatments (query 08)")

    # Other stated facts about each disorder (genes, inheritance, clinical course ...): query 41's rows.
    shown = {"nmdkg:hasPhenotype"}
    for (subject, predicate, obj), p in sorted(provenance.items()):
        if (subject in disorders and predicate not in shown and "negated" not in p
                and (subject, predicate.split(":")[-1], obj) not in shown_causes):
            target = disorders[subject]["genes" if "Gene" in predicate or "Mutation" in predicate else "facts"]
            target.append({"predicate": predicate.split(":")[-1], "id": obj,
                           "label": labels.get(obj) or term_labels.get(obj) or obj, "sources": _sources(p)})

    # Claims of the article with their corrections (query 14, the default document).
    claims = read.rows("14-corrected-claims")
    for row in claims:
        claim: dict[str, Any] = {
            "subject": curie(row["subject"]), "subject_label": row["subjectLabel"] or curie(row["subject"]),
            "predicate": curie(row["predicate"]).split(":")[-1], "object": curie(row["object"]),
            "object_label": row["objectLabel"] or curie(row["object"]),
            "kind": curie(row["correctionKind"]).split(":")[-1], "asserted": row["asserted"] in ("true", "1"),
            "reason": row["reason"], "citation": curie(row["citation"]) if row["citation"] else None,
            "section": curie(row["section"])}
        for node in (claim["subject"], claim["object"]):
            if node in disorders:
                disorders[node]["claims"].append(claim)
    progress(f"{len(claims)} corrected claims (query 14)")
    impacts = read.rows("12-emotional-impacts-and-coping")
    documents = []
    for row in read.rows("42-source-documents"):
        node = curie(row["source"])
        documents.append({"id": node, "anchor": anchor(node), "title": row["title"], "date": row["date"],
                          "citation": row["citation"], "page": curie(row["page"]) if row["page"] else None,
                          "part_of": curie(row["partOf"]) if row["partOf"] else None})
    progress(f"{len(documents)} source documents and sections (query 42)")

    # The shared-symptom network of nmdkg.analysis.compute: communities and nearest disorders.
    from nmdkg.analysis.compute import shared_phenotypes

    G = analysis.network
    for node, d in disorders.items():
        d["community"] = analysis.membership.get(node)
        if node in G:
            near = sorted(G.adj[node].items(), key=lambda item: (-item[1].get("weight", 0), item[0]))[:10]
            for other, edge in near:
                shared = shared_phenotypes(data, node, other)
                d["neighbours"].append({
                    "id": other, "label": data.label(other), "weight": edge.get("weight", 0.0),
                    "shared": [(s, term_labels.get(s, data.label(s))) for s in shared]})
    return {"disorders": disorders, "symptoms": symptoms, "treatments": treatments, "impacts": impacts,
            "documents": documents,
            "labels": labels, "term_labels": term_labels}


#: The sources of the graph (query 42), by CURIE: what a fact's source links to on the sources page.
_SOURCE_PAGE = "sources.html#"


def anchor(node: str) -> str:
    """An element id for a node (its slug without ``.html``)."""
    return slug(node)[: -len(".html")]


def _sources(p: dict[str, set[str]]) -> list[tuple[str, str | None]]:
    """The sources of a fact as (name, link) pairs: claiming sections, knowledge sources, publications.
    A link starting with ``sources.html#`` is relative to the site's root (the template adds it)."""
    out = []
    for column in ("section", "knowledgeSource", "publication"):
        for value in sorted(p.get(column, ())):
            link = _SOURCE_PAGE + anchor(value) if value.startswith("NMDKG:") else home_page(value)
            out.append((value, link))
    return out


def _branches(parents: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """The HPO branch of each term: its first ancestor (alphabetically) among the children of
    HP:0000118 (Phenotypic abnormality)."""
    top = {term for term, ups in parents.items() if PHENOTYPIC_ABNORMALITY in ups}
    memo: dict[str, str | None] = {}

    def branch(term: str, seen: frozenset = frozenset()) -> str | None:
        if term in memo:
            return memo[term]
        if term in top:
            memo[term] = term
            return term
        found = sorted(b for b in (branch(p, seen | {term}) for p in parents.get(term, ()) if p not in seen) if b)
        memo[term] = found[0] if found else None
        return memo[term]

    return {term: b for term in parents if (b := branch(term))}


# -- rendering ----------------------------------------------------------------------------------------

def _environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(loader=PackageLoader("nmdkg.publish.site", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(slug=slug, anchor=anchor, home_page=home_page, disclaimer=DISCLAIMER)
    return env


def vis_network_files() -> dict[str, Path]:
    """vis-network's script and stylesheet inside the installed pyvis package (the declared dependency)."""
    try:
        import pyvis
    except ImportError:  # pragma: no cover - a declared dependency
        raise InputError("pyvis is not installed (pip install -e .): the network page ships its vis-network") from None
    root = Path(pyvis.__file__).parent / "lib"
    found = sorted(root.glob("vis-*/vis-network.min.js"))
    if not found:
        raise InputError(f"{root}: no vis-network.min.js in the installed pyvis package")
    folder = found[-1].parent
    return {"vis-network.min.js": folder / "vis-network.min.js", "vis-network.css": folder / "vis-network.css"}


def build_site(data: Path, out: Path, *, analysis_dir: Path | None = None, permutations: int = 100,
               progress: Progress = lambda message: None) -> SiteReport:
    """Write the site of the build ``data`` (a build folder or its ``nmdkg.nt``) into ``out``."""
    from nmdkg.analysis.compute import analyze
    from nmdkg.core.paths import build_file
    from nmdkg.query.library import load_library
    from nmdkg.store import Store

    report = SiteReport(out=out)
    started = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal started
        report.timings[name] = time.perf_counter() - started
        progress(f"      {name}: {report.timings[name]:.1f} s")
        started = time.perf_counter()

    graph_file = build_file(data)
    if out.exists() and (not out.is_dir() or (not (out / "index.html").is_file() and any(out.iterdir()))):
        raise InputError(f"{out}: not empty and not a site of `nmdkg site`; give another --out")
    progress(f"reading {graph_file}")
    store = Store.from_files([graph_file])
    lap("load")
    progress("the shared-symptom network (nmdkg.analysis.compute)")
    source = store.oxigraph if store.oxigraph is not None else store  # the same loaded graph, not a second copy
    analysis = analyze(source, n_permutations=permutations, progress=lambda m: None)
    lap("network")
    progress("the library's queries, each once for all disorders")
    facts = gather(store, analysis, load_library(), lambda m: progress(f"      {m}"))
    lap("queries")

    stage = out.parent / f".{out.name}.staging"
    if stage.exists():
        shutil.rmtree(stage)
    (stage / "d").mkdir(parents=True)
    (stage / "s").mkdir()
    (stage / "t").mkdir()
    (stage / "static").mkdir()
    try:
        _render(facts, analysis, stage, report, analysis_dir)
        lap("render")
        if out.exists():
            shutil.rmtree(out)
        stage.rename(out)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return report


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def _render(facts: dict[str, Any], analysis, stage: Path, report: SiteReport, analysis_dir: Path | None) -> None:
    env = _environment()
    disorders = facts["disorders"]
    order = sorted(disorders, key=lambda n: (disorders[n]["label"].lower(), n))
    communities = {n: d["community"] for n, d in disorders.items()}
    page = env.get_template("disorder.html")
    for node in order:
        d = disorders[node]
        _write(stage / "d" / slug(node), page.render(
            root="../", d=d, disorders=disorders, title=d["label"], impacts=bool(facts["impacts"])))
    report.pages["disorder"] = len(order)

    page = env.get_template("symptom.html")
    for s in facts["symptoms"].values():
        listed = sorted(s["disorders"], key=lambda n: disorders[n]["label"].lower())
        _write(stage / "s" / slug(s["id"]), page.render(root="../", s=s, listed=listed, disorders=disorders,
                                                         title=s["label"]))
    report.pages["symptom"] = len(facts["symptoms"])
    page = env.get_template("treatment.html")
    for t in facts["treatments"].values():
        _write(stage / "t" / slug(t["id"]), page.render(root="../", t=t, title=t["label"]))
    report.pages["treatment"] = len(facts["treatments"])

    groups: dict[str, list[str]] = defaultdict(list)
    for node in order:
        types = disorders[node]["types"] or [("", "Other disorders")]
        for _, label in types:
            groups[label].append(node)
    _write(stage / "index.html", env.get_template("index.html").render(
        root="", title="Neuromuscular disorders", groups=sorted(groups.items(), key=lambda g: g[0].lower()),
        disorders=disorders, article=[n for n in order if disorders[n]["article"]],
        counts={"disorders": len(order), "symptoms": len(facts["symptoms"]),
                "treatments": len(facts["treatments"])}))
    treatments = sorted(facts["treatments"].values(), key=lambda t: t["label"].lower())
    symptoms = sorted(facts["symptoms"].values(), key=lambda s: s["label"].lower())
    _write(stage / "treatments.html", env.get_template("treatments.html").render(
        root="", title="Treatments", treatments=treatments))
    _write(stage / "symptoms.html", env.get_template("symptoms.html").render(
        root="", title="Symptoms", symptoms=symptoms))
    _write(stage / "living.html", env.get_template("living.html").render(
        root="", title="Living with a neuromuscular disorder", impacts=facts["impacts"], curie=curie))
    _write(stage / "sources.html", env.get_template("sources.html").render(
        root="", title="Sources", documents=facts["documents"]))
    report.pages["index"] = 6

    # The search index: labels and synonyms of disorders, labels of symptoms and treatments.
    index = [[d["label"], d["synonyms"], "d/" + slug(n), "disorder"] for n, d in
             ((n, disorders[n]) for n in order)]
    index += [[s["label"], [], "s/" + slug(s["id"]), "symptom"] for s in symptoms]
    index += [[t["label"], [], "t/" + slug(t["id"]), "treatment"] for t in treatments]
    _write(stage / "static" / "search-index.js",
           "window.NMDKG_SEARCH = " + json.dumps(index, ensure_ascii=False, separators=(",", ":")) + ";\n")

    # The network: positions computed here (no physics in the browser), coloured by community.
    _write(stage / "static" / "network-data.js", "window.NMDKG_NETWORK = "
           + json.dumps(_network_data(analysis, disorders), separators=(",", ":")) + ";\n")
    pictures = []
    if analysis_dir is not None:
        for name in PICTURES:
            if (analysis_dir / name).is_file():
                shutil.copyfile(analysis_dir / name, stage / "static" / name)
                pictures.append(name)
    report.pictures = pictures
    _write(stage / "network.html", env.get_template("network.html").render(
        root="", title="Shared-symptom network", pictures=pictures, communities=_community_legend(communities),
        metric=analysis.metric))
    report.pages["index"] += 1
    for name, path in vis_network_files().items():
        shutil.copyfile(path, stage / "static" / name)
    static = Path(__file__).parent / "static"
    for path in sorted(static.iterdir()):
        if path.is_file():
            shutil.copyfile(path, stage / "static" / path.name)


#: Colours of the ten largest communities (Okabe-Ito and Tol's palettes, readable by colour-blind people).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#332288",
           "#882255", "#44AA99")
OTHER_COLOUR = "#9a9a9a"


def _colour(community: int | None) -> str:
    return PALETTE[community - 1] if community and community <= len(PALETTE) else OTHER_COLOUR


def _community_legend(communities: dict[str, int | None]) -> list[tuple[int, str, int]]:
    sizes: dict[int, int] = defaultdict(int)
    for c in communities.values():
        if c:
            sizes[c] += 1
    return [(c, _colour(c), n) for c, n in sorted(sizes.items()) if c <= len(PALETTE)]


def _network_data(analysis, disorders: dict[str, dict[str, Any]]) -> dict[str, Any]:
    import networkx as nx

    G = analysis.network
    nodes = [n for n in G if G.degree(n) > 0]
    H = G.subgraph(nodes)
    positions = nx.spring_layout(H, seed=0, iterations=60, weight="weight") if nodes else {}
    out_nodes = []
    for n in sorted(nodes):
        d = disorders.get(n)
        x, y = positions[n]
        community = analysis.membership.get(n)
        out_nodes.append({
            "id": n, "label": d["label"] if d else analysis.data.label(n), "x": round(float(x) * 1500, 1),
            "y": round(float(y) * 1500, 1), "color": _colour(community), "community": community,
            "article": bool(d and d["article"]), "url": "d/" + slug(n) if d else None})
    edges = [[a, b, round(float(w), 3)] for a, b, w in sorted(H.edges(data="weight", default=0.0))]
    return {"nodes": out_nodes, "edges": edges}


def local_references(html: str) -> Iterable[str]:
    """The href and src values of a page (for the link checks of the tests)."""
    return re.findall(r'(?:href|src)="([^"]*)"', html)
