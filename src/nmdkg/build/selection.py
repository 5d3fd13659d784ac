"""Which annotated diseases are neuromuscular: the field's classification (MONDO), plus curated overrides.

An OMIM or Orphanet disease of the HPO annotations is **neuromuscular** when

1. **MONDO says so**: one of the MONDO classes it maps to exactly (MONDO's SSSOM exact matches, vendored in
   ``data/upstream/mondo/``) lies below a class of ``MONDO_ROOTS`` along MONDO's is-a edges: neuromuscular
   disease (MONDO:0019056), and myopathy (MONDO:0005336), which MONDO files under muscle tissue disease
   although the field counts every disease of skeletal muscle as neuromuscular; **or**
2. **a curated override** (``data/curated/neuromuscular_overrides.tsv``) puts it in, where MONDO's
   classification is incomplete (myasthenia gravis and Guillain-Barré syndrome have no path to
   MONDO:0019056 in the rare-disease subset's edges) or MONDO has no class for it; an ``out`` row takes out
   a disease MONDO puts in. Each row names its reason and a citable reference.

The former keyword rule (``keyword_rule``: a name pattern, or a share of neuromuscular phenotypes) stays as
a documented, measured second signal: ``compare`` reports where it and MONDO disagree
(``docs/decisions/0007-disease-classification.md`` has the figures). DECIPHER entries (chromosomal
syndromes) are never selected. The nmdkg class of a selected disease comes from its MONDO ancestors
(``CATEGORY_OF_CLASS``), or from its name when MONDO has no class for it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from nmdkg.core.errors import Problem
from nmdkg.sources.hpo_annotations import Annotation
from nmdkg.sources.hpo_obo import HPO
from nmdkg.sources.mondo import Mondo

NAME_PATTERN = re.compile(
    r"myopath|muscular dystroph|dystroph(y|ies), (limb|facio|congenital|myotonic)|myasthen|neuropath|"
    r"charcot-marie-tooth|spinal muscular atrophy|amyotrophic lateral sclerosis|motor neuron|neuronopathy|"
    r"myoton|periodic paralysis|guillain|polyneuropath|radiculoneuropath|neuromuscular|myositis|"
    r"muscular atrophy|nemaline|central core|multiminicore|minicore|myofibrillar|centronuclear|"
    r"fiber-type disproportion|emery-dreifuss|facioscapulohumeral|limb-girdle|rhabdomyolysis|"
    r"miller fisher|lambert-eaton|kennedy disease|bulbospinal|dystrophinopathy|duchenne|becker muscular|"
    r"glycogen storage disease (ii|iii|v|vii)\b|pompe|mcardle|carnitine palmitoyltransferase ii|"
    r"paramyotonia|myokymia|neuromyotonia|inclusion body",
    re.IGNORECASE,
)
EXCLUDE_PATTERN = re.compile(
    r"optic neuropath|optic atrophy and|auditory neuropath|^(familial |)(dilated |hypertrophic |"
    r"arrhythmogenic |restrictive |)cardiomyopath",
    re.IGNORECASE,
)

PRIMARY_BRANCHES = {
    "HP:0003198": "Myopathy",
    "HP:0003560": "Muscular dystrophy",
    "HP:0009830": "Peripheral neuropathy",
    "HP:0003398": "Abnormal synaptic transmission at the neuromuscular junction",
    "HP:0002398": "Degeneration of anterior horn cells",
    "HP:0002366": "Abnormal lower motor neuron morphology",
    "HP:0007373": "Motor neuron atrophy",
    "HP:0002486": "Myotonia",
    "HP:0003445": "EMG: neuropathic changes",
    "HP:0003458": "EMG: myopathic abnormalities",
}
NEUROMUSCULAR_BRANCHES = {
    "HP:0003011": "Abnormality of the musculature",
    "HP:0032120": "Abnormal peripheral nervous system physiology",
    "HP:0000759": "Abnormal peripheral nervous system morphology",
    **PRIMARY_BRANCHES,
}
MIN_SHARE = 0.3
PREFIXES = ("OMIM:", "ORPHA:")

#: Disorder groups recognised by name, for the nmdkg class of a selected disease (first match wins).
GROUPS = (
    (re.compile(r"myasthen|lambert-eaton", re.I), "NeuromuscularJunctionDisorder"),
    (re.compile(r"muscular dystroph|dystroph(y|ies), |duchenne|becker muscular|dystrophinopathy|"
                r"emery-dreifuss|facioscapulohumeral|limb-girdle", re.I), "MuscularDystrophy"),
    (re.compile(r"spinal muscular atrophy|amyotrophic lateral sclerosis|motor neuron|bulbospinal|"
                r"kennedy disease|neuronopathy, distal hereditary motor", re.I), "MotorNeuronDisease"),
    (re.compile(r"polyradiculoneuropath|guillain|miller fisher", re.I), "Polyradiculoneuropathy"),
    (re.compile(r"neuropath|charcot-marie-tooth", re.I), "PeripheralNeuropathy"),
)


NEUROMUSCULAR_DISEASE = "MONDO:0019056"
#: The MONDO classes whose descendants are neuromuscular. In the graph, each other root is made a subclass of
#: neuromuscular disease, so that every selected disease is reachable from it.
MONDO_ROOTS = {
    "MONDO:0019056": "neuromuscular disease",
    "MONDO:0005336": "myopathy",
}
#: The nmdkg class of a disease, by the first of these MONDO classes among its ancestors.
CATEGORY_OF_CLASS = (
    ("MONDO:0020124", "NeuromuscularJunctionDisorder"),   # neuromuscular junction disease
    ("MONDO:0009688", "NeuromuscularJunctionDisorder"),   # myasthenia gravis
    ("MONDO:0020121", "MuscularDystrophy"),               # muscular dystrophy
    ("MONDO:0020128", "MotorNeuronDisease"),              # motor neuron disease
    ("MONDO:0001516", "MotorNeuronDisease"),              # spinal muscular atrophy
    ("MONDO:0016218", "Polyradiculoneuropathy"),          # Guillain-Barre syndrome
    ("MONDO:0005244", "PeripheralNeuropathy"),            # peripheral neuropathy
)


@dataclass(frozen=True)
class Override:
    """A curated decision on one annotated disease (a row of ``neuromuscular_overrides.tsv``)."""

    disease: str
    include: bool
    line: int = 0
    under: str | None = None   # the MONDO class of the slice an ``in`` row places the disease under


@dataclass(frozen=True)
class Selected:
    disease: str
    name: str
    by_name: bool          # the keyword rule's name part
    by_phenotype: bool     # the keyword rule's phenotype part
    category: str          # an nmdkg disorder class
    by_mondo: bool = False
    by_override: bool = False
    mondo: tuple[str, ...] = ()   # the MONDO classes it maps to exactly (in the slice)
    under: tuple[str, ...] = ()   # the MONDO class an override places it under


def name_matches(name: str) -> bool:
    """The name rule.

    >>> name_matches("Myasthenia gravis"), name_matches("Leber hereditary optic neuropathy")
    (True, False)
    >>> name_matches("Cardiomyopathy, dilated, 1A"), name_matches("Multiple sclerosis, susceptibility to")
    (False, False)
    """
    return bool(NAME_PATTERN.search(name)) and not EXCLUDE_PATTERN.search(name)


def category_of(name: str) -> str:
    """The nmdkg disorder class of a selected disease, from its name (``NeuromuscularDisorder`` if none).

    >>> category_of("Spinal muscular atrophy, type I"), category_of("Charcot-Marie-Tooth disease, type 1A")
    ('MotorNeuronDisease', 'PeripheralNeuropathy')
    """
    for pattern, category in GROUPS:
        if pattern.search(name):
            return category
    return "NeuromuscularDisorder"


def keyword_rule(annotations: Iterable[Annotation], hpo: HPO) -> dict[str, tuple[str, bool, bool]]:
    """The former rule, kept as a second signal: disease -> (name, by name, by phenotypes), for the diseases
    it selects. A disease matches by name (``name_matches``), or when its positive phenotypes include one of
    ``PRIMARY_BRANCHES`` and at least ``MIN_SHARE`` of them lie in ``NEUROMUSCULAR_BRANCHES``."""
    primary = hpo.descendants(PRIMARY_BRANCHES)
    neuromuscular = hpo.descendants(NEUROMUSCULAR_BRANCHES)
    phenotypes: dict[str, set[str]] = defaultdict(set)
    names = disease_names(annotations)
    for a in annotations:
        if a.disease in names and a.aspect == "P" and not a.negated:
            phenotypes[a.disease].add(a.hpo_id)
    out: dict[str, tuple[str, bool, bool]] = {}
    for disease, name in names.items():
        terms = phenotypes[disease]
        by_name = name_matches(name)
        by_phenotype = bool(terms & primary) and len(terms & neuromuscular) >= MIN_SHARE * len(terms)
        if by_name or by_phenotype:
            out[disease] = (name, by_name, by_phenotype)
    return out


def disease_names(annotations: Iterable[Annotation]) -> dict[str, str]:
    """The OMIM and Orphanet diseases of the annotations, with their names (first seen)."""
    names: dict[str, str] = {}
    for a in annotations:
        if a.disease.startswith(PREFIXES):
            names.setdefault(a.disease, a.disease_name)
    return names


def mondo_classes(disease: str, mondo: Mondo) -> tuple[str, ...]:
    """The MONDO classes of the slice that ``disease`` (OMIM or ORPHA) maps to exactly."""
    return tuple(sorted(mondo.mondo_of.get(disease, ())))


def by_mondo(disease: str, mondo: Mondo) -> bool:
    """MONDO's verdict: some exactly matching class lies below one of ``MONDO_ROOTS``."""
    return any(mondo.ancestors(m) & MONDO_ROOTS.keys() for m in mondo.mondo_of.get(disease, ()))


def mondo_category(classes: Iterable[str], mondo: Mondo) -> str | None:
    """The nmdkg class given by the MONDO ancestors of ``classes`` (``CATEGORY_OF_CLASS``), if any."""
    ancestors = set().union(*(mondo.ancestors(m) for m in classes))
    return next((category for cls, category in CATEGORY_OF_CLASS if cls in ancestors), None)


def select_neuromuscular(annotations: Iterable[Annotation], hpo: HPO, mondo: Mondo,
                         overrides: Iterable[Override] = ()) -> dict[str, Selected]:
    """The neuromuscular diseases of ``annotations``: MONDO's, plus and minus the overrides, by identifier."""
    annotations = tuple(annotations)
    names = disease_names(annotations)
    keyword = keyword_rule(annotations, hpo)
    overrides = tuple(overrides)
    decided = {o.disease: o.include for o in overrides}
    placed = {o.disease: (o.under,) for o in overrides if o.include and o.under}
    selected: dict[str, Selected] = {}
    for disease, name in names.items():
        in_mondo = by_mondo(disease, mondo)
        if not decided.get(disease, in_mondo):
            continue
        classes = mondo_classes(disease, mondo)
        _, by_name, by_phenotype = keyword.get(disease, (name, False, False))
        under = placed.get(disease, ())
        category = mondo_category((*classes, *under), mondo) or category_of(name)
        selected[disease] = Selected(disease, name, by_name, by_phenotype, category, in_mondo,
                                     disease in decided, classes, under)
    return selected


def check_overrides(overrides: Iterable[Override], annotations: Iterable[Annotation], mondo: Mondo,
                    path: Path) -> list[Problem]:
    """An override must name a disease of the annotations and must change MONDO's verdict."""
    names = disease_names(annotations)
    problems = []
    for o in overrides:
        if o.disease not in names:
            problems.append(Problem(path, o.line, "disease", f"{o.disease} is not a disease of the HPO annotations"))
        elif by_mondo(o.disease, mondo) == o.include:
            verdict = "in" if o.include else "out"
            problems.append(Problem(path, o.line, "decision", f"{o.disease} is already {verdict} by MONDO; "
                                    "an override must change MONDO's verdict (remove the row)"))
    return problems


def compare(annotations: Iterable[Annotation], hpo: HPO, mondo: Mondo,
            overrides: Iterable[Override] = ()) -> dict[str, object]:
    """Precision and recall of the final selection against MONDO and against the keyword rule.

    Each reference set is taken as the truth in turn: precision = |selected & truth| / |selected|,
    recall = |selected & truth| / |truth|. Returns the sets, their sizes and the disagreements."""
    annotations = tuple(annotations)
    names = disease_names(annotations)
    final = set(select_neuromuscular(annotations, hpo, mondo, overrides))
    truth = {"mondo": {d for d in names if by_mondo(d, mondo)}, "keyword rule": set(keyword_rule(annotations, hpo))}
    out: dict[str, object] = {"selected": len(final), "diseases": len(names)}
    for key, reference in truth.items():
        both = len(final & reference)
        out[key] = {"size": len(reference), "precision": both / len(final), "recall": both / len(reference),
                    "only_selected": sorted(final - reference), "only_reference": sorted(reference - final)}
    return out
