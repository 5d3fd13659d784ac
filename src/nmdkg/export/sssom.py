"""Graph -> SSSOM: every identifier mapping the graph holds, as one SSSOM/TSV mapping set.

The mappings are the graph's SKOS mapping triples (``skos:exactMatch``, ``closeMatch``, ``narrowMatch``,
``broadMatch``, ``relatedMatch``): a curated disorder's MONDO/OMIM/Orphanet/UMLS identifiers, its
counterparts among the annotated diseases, a gene's NCBI Gene number, a symptom group's HPO term, an
ontology class's MONDO class, and whatever later sources add in the same form. The file starts with the
YAML metadata block SSSOM asks for (``curie_map``, ``mapping_set_id``, licence, version), holding exactly
the prefixes its rows use; rows are sorted, so the same graph gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from nmdkg.core.namespaces import prefix_of
from nmdkg.core.ntriples import NTriple, parse_object

_SKOS = "http://www.w3.org/2004/02/skos/core#"
_MAPPING = {f"<{_SKOS}{name}>": f"skos:{name}"
            for name in ("exactMatch", "closeMatch", "narrowMatch", "broadMatch", "relatedMatch")}
_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
#: Every mapping of the graph comes from a curated table (see data/curated/README.md).
JUSTIFICATION = "semapv:ManualMappingCuration"
COLUMNS = ("subject_id", "subject_label", "predicate_id", "object_id", "object_label", "mapping_justification")
LICENSE = "https://creativecommons.org/licenses/by/4.0/"


def _curie(iri: str, prefixes: dict[str, str]) -> str | None:
    match = prefix_of(iri)
    if match is None:
        return None
    prefix, namespace = match
    prefixes[prefix] = namespace
    return f"{prefix}:{iri[len(namespace):]}"


def mappings(triples: Iterable[NTriple]) -> tuple[list[dict[str, str]], dict[str, str]]:
    """The mapping rows (sorted) and the prefix map they use."""
    triples = list(triples)
    labels: dict[str, str] = {}
    for s, p, o in triples:
        if p == _LABEL and s not in labels:
            labels[s] = parse_object(o)[1]
    prefixes = {"skos": _SKOS, "semapv": "https://w3id.org/semapv/vocab/"}
    rows = []
    for s, p, o in triples:
        if p not in _MAPPING or not o.startswith("<"):
            continue
        subject, obj = _curie(s[1:-1], prefixes), _curie(o[1:-1], prefixes)
        if subject is None or obj is None:
            continue  # an IRI no prefix covers cannot be an SSSOM identifier
        rows.append({"subject_id": subject, "subject_label": labels.get(s, ""), "predicate_id": _MAPPING[p],
                     "object_id": obj, "object_label": labels.get(o, ""), "mapping_justification": JUSTIFICATION})
    rows.sort(key=lambda row: (row["subject_id"], row["predicate_id"], row["object_id"]))
    return rows, dict(sorted(prefixes.items()))


def _yaml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def document(triples: Iterable[NTriple], version: str) -> bytes:
    """The SSSOM/TSV text: a ``#``-commented YAML metadata block, then the table."""
    rows, prefixes = mappings(triples)
    header = [
        f"mapping_set_id: {_yaml_string(f'https://w3id.org/nmdkg/releases/{version}/nmdkg.sssom.tsv')}",
        f"mapping_set_version: {_yaml_string(version)}",
        f"mapping_set_title: {_yaml_string('nmdkg identifier mappings')}",
        f"mapping_set_description: {_yaml_string('Every identifier mapping the nmdkg graph holds.')}",
        f"license: {_yaml_string(LICENSE)}",
        "curie_map:",
        *(f"  {prefix}: {_yaml_string(namespace)}" for prefix, namespace in prefixes.items()),
    ]
    clean = str.maketrans({"\t": " ", "\n": " ", "\r": " "})
    lines = [f"#{line}" for line in header] + ["\t".join(COLUMNS)]
    lines += ["\t".join(row[column].translate(clean) for column in COLUMNS) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def write(triples: Iterable[NTriple], target: Path, version: str, staged=None) -> Path:
    """Write the mapping set to ``target`` atomically (or staged in a ``nmdkg.core.io.StagedFiles``)."""
    from nmdkg.core.io import write_bytes_atomic

    data = document(triples, version)
    if staged is not None:
        staged.write(target, data)
    else:
        write_bytes_atomic(target, data)
    return target
