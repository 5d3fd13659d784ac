r"""Phenotype-driven ranking of disorders: which annotated diseases best explain a patient's findings.

For research and education only: not a medical device, not for decisions about any person.

The ranking (:class:`Ranker`) reads the graph once by SPARQL (:func:`nmdkg.analysis.network.read`) and scores every
annotated disease (OMIM, Orphanet) of the graph for a set of **present** findings :math:`Q` and a set of
findings the patient is known **not** to have, :math:`N` (HPO terms):

.. math::

    s_t(d) = \max_{h \in \mathrm{anc}(t)} \mathrm{IC}(h)\, W_{dh} \;-\; \kappa\,[\,W_{dt} = 0\,]

    \mathrm{score}(d) = \frac{1}{|Q|} \sum_{t \in Q} s_t(d) \;-\; \mu_d
        \;+\; \lambda\, \mathrm{JC}(Q, d)
        \;-\; \frac{1}{|Q|}\Big(\sum_{a \in N} \mathrm{IC}(a)\, F_{da}
        + \sum_{t \in Q} \max_{h \in \mathrm{anc}(t) \cap \mathrm{NOT}_d} \mathrm{IC}(h)\Big)

* :math:`s_t(d)` is the **best match** of finding ``t`` among the disease's annotations by Resnik
  similarity: :math:`\mathrm{anc}(t)` is ``t`` with its ancestors, :math:`\mathrm{IC}(h) = -\ln` (the
  share of the ranked diseases annotated with ``h`` or a descendant), and :math:`W_{dh}` is the largest
  **frequency weight** :math:`w(f) = w_0 + (1 - w_0) f` of the disease's annotations at or below ``h`` (0
  when it has none): a finding annotated *Very rare* (2.5 %) or 1/20 counts less than an *Obligate* one.
  A finding the disease does not imply at all (no annotation at or below ``t``, only a related one) also
  costs :math:`\kappa = \ln 20`, as if such a finding were 20 times less likely with the disease;
* the mean over the findings is the **best-match average** from the patient's terms to the disease's;
  :math:`\mu_d` is the same average for a random finding (the mean of :math:`s_t(d)` over every
  annotated term of the graph), so that a disease with many or broad annotations, which matches anything
  a little, does not win for that alone (the calibration the Phenomizer does with p-values);
* :math:`\mathrm{JC}(Q, d)` is the **Jiang-Conrath** set similarity (funSimAvg): the term similarity
  :math:`1 / (1 + \mathrm{IC}(t) + \mathrm{IC}(u) - 2\,\mathrm{IC}(\mathrm{MICA}(t, u)))`, 1 for an exact
  match and falling with the information between the two terms, averaged as the best match of each
  finding among the disease's annotations and of each annotation (weighted by :math:`w(f)`) among the
  findings, the two means averaged; :math:`\lambda` = ``jc``. The Resnik term rewards a match by what the
  two terms share; this one also charges what they do not, so a specific finding met exactly counts more
  than one met through a broad ancestor or by a much more specific annotation;
* the **penalties**: findings the patient does not have but the disease is annotated with (or with a more
  specific term of), by how strongly the disease implies them, :math:`\mathrm{IC}(a) F_{da}^{\gamma}`
  (:math:`F_{da}` the largest frequency of such annotations, :math:`\gamma` = ``absent_power``): excluding
  a finding that 1 in 40 patients have costs next to nothing, an obligate one much; and present findings
  that the disease's **negated** (``NOT``) annotations exclude. Both are multiplied by ``penalty``.
* **frequencies**: an ``n/m`` count of the annotations (pooled over the annotations of the same pair) is
  shrunk towards the prior :math:`p` (the frequency assumed when none is given),
  :math:`(n + a p) / (m + a)` with :math:`a` = ``prior_strength``, so that 1/1 from a single case report is
  not read as obligate; a frequency term (*Very frequent*...) counts by the middle of its range.

**Leave-publication-out**: given publications to exclude (``exclude``; ``--exclude-own-publication`` or
a patient's ``exclude_references``), the annotations that cite only those publications are left out, and
each disease so changed is rescored from what is left (its closure and background recomputed; a disease
with nothing left is not ranked). The information content stays that of the whole graph. This measures
the ranking honestly on published cases, whose diseases were often annotated from the very same papers.

The parameters of :class:`Scoring` were chosen by cross-validation on published cases (GA4GH
phenopacket-store), folds grouped by disease: ``benchmarks/bench_realcases.py`` and
``docs/decisions/0008-diagnosis-on-real-cases.md``.

Every result explains itself: which finding matched which annotation, through which common ancestor and
with what information content and frequency, and what it contributed; which penalties applied. The
article's MONDO disorders are reported through their annotated counterparts (``counterpart_of``).

Identifiers are checked against the HPO release the graph was built from (:func:`nmdkg.sources.hpo_obo.load`):
an unknown identifier, an obsolete one (the message names its replacement) or a term outside *Phenotypic
abnormality* is an :class:`~nmdkg.core.errors.InputError`; an alternative identifier is read as its primary term.

``benchmarks/bench_diagnose.py`` measures the ranking on simulated patients (see
``docs/decisions/0004-analysis.md``), ``benchmarks/bench_realcases.py`` on published ones.

References: Köhler S et al. Clinical diagnostics in human genetics with semantic similarity searches in
ontologies. Am J Hum Genet 2009;85:457-464 (the Phenomizer). Resnik P. IJCAI 1995. Pesquita C et al.
PLoS Comput Biol 2009;5:e1000443 (best-match average). Robinson PN et al. Interpretable clinical genomics
with a likelihood ratio paradigm. Am J Hum Genet 2020;107:403-417 (LIRICAL: findings as likelihood ratios).
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from nmdkg.analysis import similarity as sim
from nmdkg.analysis.network import (
    ANNOTATED_PREFIXES,
    ASSOCIATIONS_QUERY,
    PhenotypeData,
    SparqlSource,
    TriplesSource,
    curie,
    frequency_value,
    read,
)
from nmdkg.core.errors import InputError

PHENOTYPIC_ABNORMALITY = "HP:0000118"
_HPO_ID = re.compile(r"HP:[0-9]{7}\Z")
#: The frequency assumed for an annotation that gives none (most OMIM-derived annotations).
UNKNOWN_FREQUENCY = 0.5


@dataclass(frozen=True)
class Scoring:
    """The parameters of the score (see the module docstring).

    The defaults of ``floor``, ``prior_strength``, ``reverse``, ``penalty``, ``absent_power`` and ``jc``
    were chosen by cross-validation on published cases split by disease (``benchmarks/bench_realcases.py``;
    docs/decisions/0008).
    """

    #: w(f) = floor + (1 - floor) f: the weight of a match to an annotation of frequency f.
    floor: float = 0.5
    #: kappa, the cost of a finding the disease does not imply (no annotation at or below it), in nats.
    mismatch: float = math.log(20)
    #: Subtract each disease's mean score for a random finding (mu_d).
    calibrate: bool = True
    #: The frequency assumed when an annotation gives none; also the prior that n/m counts shrink to.
    unknown_frequency: float = UNKNOWN_FREQUENCY
    #: Multiplies both penalties (0 switches them off).
    penalty: float = 0.0
    #: a: an n/m frequency counts as (n + a p) / (m + a), p = unknown_frequency (0: n/m as given), so
    #: that 1/1 is no longer obligate.
    prior_strength: float = 4.0
    #: gamma: an absent finding costs IC x F^gamma, F the (shrunk) frequency with which the disease implies
    #: it; gamma > 1 spares the variable features a single patient often lacks.
    absent_power: float = 1.0
    #: rho: adds rho times the reverse best-match average, from the disease's annotations to the patient's
    #: findings (each annotation's best Resnik match among the findings, weighted by w(f)): a disease
    #: whose typical features the patient shows gains over one that matches a few findings only.
    reverse: float = 0.0
    #: lambda: adds lambda times the Jiang-Conrath set similarity (funSimAvg: the mean of the best-match
    #: averages both ways, term similarity 1 / (1 + IC(t) + IC(u) - 2 IC(MICA))): a match counts by how
    #: close the two terms are in information, so an exact match of a specific term counts most.
    jc: float = 8.0


@dataclass(frozen=True)
class Match:
    """One finding of the patient and the disease annotation that best matches it."""

    finding: str
    finding_label: str
    annotation: str
    annotation_label: str
    common_ancestor: str
    common_ancestor_label: str
    ic: float
    frequency: float | None
    contribution: float

    @property
    def exact(self) -> bool:
        """The disease is annotated with the finding itself."""
        return self.finding == self.annotation

    @property
    def implied(self) -> bool:
        """The disease is annotated with the finding or a more specific term of it."""
        return self.finding == self.common_ancestor


@dataclass(frozen=True)
class Penalty:
    """A finding that speaks against the disease."""

    kind: str  # "absent but annotated" or "present but excluded"
    finding: str
    finding_label: str
    annotation: str
    annotation_label: str
    ic: float
    frequency: float | None
    value: float


@dataclass(frozen=True)
class Result:
    rank: int
    id: str
    label: str
    score: float
    background: float = 0.0
    matched: tuple[Match, ...] = ()
    penalties: tuple[Penalty, ...] = ()
    counterpart_of: tuple[dict[str, str], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"rank": self.rank, "id": self.id, "label": self.label,
                               "score": round(self.score, 4), "background": round(self.background, 4)}
        out["matched"] = [{"finding": m.finding, "finding_label": m.finding_label, "annotation": m.annotation,
                           "annotation_label": m.annotation_label, "common_ancestor": m.common_ancestor,
                           "common_ancestor_label": m.common_ancestor_label, "frequency": m.frequency,
                           "ic": round(m.ic, 4), "contribution": round(m.contribution, 4)} for m in self.matched]
        out["penalties"] = [{"kind": p.kind, "finding": p.finding, "finding_label": p.finding_label,
                             "annotation": p.annotation, "annotation_label": p.annotation_label,
                             "frequency": p.frequency, "ic": round(p.ic, 4), "value": round(p.value, 4)}
                            for p in self.penalties]
        if self.counterpart_of:
            out["counterpart_of"] = list(self.counterpart_of)
        return out


@dataclass(frozen=True)
class Patient:
    id: str
    present: tuple[str, ...]
    absent: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=(), compare=False)
    #: The publications that report the patient (a phenopacket's metaData.externalReferences).
    references: tuple[str, ...] = ()
    #: Publications whose annotations are left out when this patient is ranked (leave-publication-out).
    exclude_references: tuple[str, ...] = ()
    #: Where the patient was read: a file name, and the line of a JSON Lines file.
    source: str = field(default="", compare=False)
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class BadPatient:
    """A patient that cannot be ranked, with every problem found (an error record of a batch)."""

    id: str | None
    source: str
    line: int | None
    problems: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "error": True, "source": self.source}
        if self.line is not None:
            out["line"] = self.line
        out["problems"] = list(self.problems)
        return out


# -- checking HPO identifiers ---------------------------------------------------------------------

def check_terms(present: Iterable[str], absent: Iterable[str] = (), hpo=None,
                where: str = "") -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """The present and absent terms as primary HPO identifiers, and notes on what was rewritten.

    Raises :class:`InputError` naming every problem: a malformed or unknown identifier (saying when it is
    newer than the shipped HPO release), an obsolete one (naming its replacement), a term outside
    Phenotypic abnormality, a term both present and absent, or no present term.

    >>> check_terms(["HP:0003560"], ["HP:0001324"])[:2]
    (('HP:0003560',), ('HP:0001324',))
    >>> check_terms(["HP:0002355"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    nmdkg.core.errors.InputError: HP:0002355 (Difficulty walking) is obsolete; use HP:0001288 (Gait ...) instead
    """
    present_ids, absent_ids, notes, problems = term_problems(present, absent, hpo)
    if problems:
        prefix = f"{where}: " if where else ""
        raise InputError(prefix + "; ".join(problems))
    return present_ids, absent_ids, notes


def term_problems(present: Iterable[str], absent: Iterable[str] = (), hpo=None
                  ) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], list[str]]:
    """Like :func:`check_terms`, but returns the list of every problem instead of raising."""
    from nmdkg.sources import hpo_obo

    hpo = hpo or hpo_obo.load()
    notes: list[str] = []
    problems: list[str] = []
    root_descendant = _phenotypic(hpo)

    def one(raw: str) -> str | None:
        curie = raw.strip() if isinstance(raw, str) else repr(raw)
        if not _HPO_ID.match(curie):
            problems.append(f"{raw!r} is not an HPO identifier (expected HP: and seven digits, e.g. HP:0001324)")
            return None
        term = hpo.terms.get(curie)
        if term is None:
            primary = hpo.alt_ids.get(curie)
            if primary is None:
                if int(curie[3:]) > _largest_id(hpo):
                    problems.append(f"HPO term {curie} is newer than the shipped HPO release {hpo.version} "
                                    "(not in it); use a term of that release")
                else:
                    problems.append(f"unknown HPO term {curie} (not in HPO release {hpo.version})")
                return None
            notes.append(f"{curie} is an alternative identifier of {primary} ({hpo.terms[primary].name})")
            term = hpo.terms[primary]
        if term.obsolete:
            name = term.name.removeprefix("obsolete ")
            if term.replaced_by:
                replacement = hpo.get(term.replaced_by)
                label = f" ({replacement.name})" if replacement else ""
                problems.append(f"{curie} ({name}) is obsolete; use {term.replaced_by}{label} instead")
            else:
                hint = f"; consider {', '.join(term.consider)}" if term.consider else ""
                problems.append(f"{curie} ({name}) is obsolete and has no replacement{hint}")
            return None
        if term.id not in root_descendant:
            problems.append(f"{curie} ({term.name}) is not a phenotypic abnormality "
                            f"(a descendant of {PHENOTYPIC_ABNORMALITY}); only findings can be ranked")
            return None
        return term.id

    present_ids = tuple(dict.fromkeys(t for t in map(one, present) if t))
    absent_ids = tuple(dict.fromkeys(t for t in map(one, absent) if t))
    if not present_ids and not problems:
        problems.append("no present finding given: name at least one HPO term the patient has")
    both = sorted(set(present_ids) & set(absent_ids))
    if both:
        problems.append(f"{', '.join(both)} given as both present and absent")
    return present_ids, absent_ids, tuple(notes), problems


_LARGEST: dict[int, int] = {}


def _largest_id(hpo) -> int:
    key = id(hpo)
    if key not in _LARGEST:
        _LARGEST[key] = max(int(t[3:]) for t in list(hpo.terms) + list(hpo.alt_ids) if _HPO_ID.match(t))
    return _LARGEST[key]


_PHENOTYPIC_CACHE: dict[int, frozenset[str]] = {}


def _phenotypic(hpo) -> frozenset[str]:
    key = id(hpo)
    if key not in _PHENOTYPIC_CACHE:
        children: dict[str, list[str]] = {}
        for term in hpo.terms.values():
            for parent in term.parents:
                children.setdefault(parent, []).append(term.id)
        seen, stack = set(), [PHENOTYPIC_ABNORMALITY]
        while stack:
            node = stack.pop()
            if node not in seen:
                seen.add(node)
                stack.extend(children.get(node, ()))
        _PHENOTYPIC_CACHE[key] = frozenset(seen)
    return _PHENOTYPIC_CACHE[key]


# -- the ranker -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Association:
    """One annotation of a disease: its frequency as given, and the publications it cites."""

    negated: bool
    count: int | None = None
    total: int | None = None
    value: float | None = None        # a frequency term's or percentage's value
    publications: frozenset[str] = frozenset()


def read_associations(store) -> dict[tuple[str, str], list[Association]]:
    """The annotations of every (disease, phenotype) pair, read by SPARQL from a ``network`` source.

    Equal annotations are one shared (immutable) object: most of the hundreds of thousands at
    ``--scope all`` give no frequency and cite the same few publications."""
    grouped = store.associations() if isinstance(store, TriplesSource) else None  # the build's triples
    if grouped is None:
        by_node: dict[str, tuple] = {}  # per association node: its first row's values, and its publications
        for node, *row, publication in store.select(ASSOCIATIONS_QUERY):
            entry = by_node.get(node)
            if entry is None:
                entry = by_node[node] = (*row, set())
            if publication is not None:
                entry[7].add(publication)
        grouped = list(by_node.values())
    out: dict[tuple[str, str], list[Association]] = {}
    read: dict[tuple, Association] = {}  # the Association of the values as read
    shared: dict[tuple, Association] = {}  # one object per distinct Association
    for d, p, negated, term, count, total, percentage, publications in grouped:
        given = (negated, term, count, total, percentage, frozenset(publications))
        association = read.get(given)
        if association is None:
            if count is not None and total is not None:
                count, total = int(count), int(total)
            else:
                count = total = None
            value = frequency_value(curie(term) if term else None, None, None, percentage)
            association = Association(negated is not None and negated.lower() in ("true", "1"), count, total,
                                      value, frozenset(map(curie, publications)))
            association = read[given] = shared.setdefault(
                (association.negated, count, total, value, association.publications), association)
        out.setdefault((curie(d), curie(p)), []).append(association)
    return out


def _kept(associations: Sequence[Association], exclude: frozenset[str]) -> list[Association]:
    """The annotations left when those citing only excluded publications are taken out."""
    if not exclude:
        return list(associations)
    return [a for a in associations if not a.publications or not a.publications <= exclude]


class Ranker:
    """Scores the annotated diseases of a graph for patients' findings (see the module docstring).

    Everything that does not depend on the patient (IC, the frequency-weighted annotation closure, the
    ancestor lists) is computed once here, so one patient takes about a millisecond. With publications to
    leave out, only the diseases annotated from them are recomputed, for that patient.
    """

    def __init__(self, data: PhenotypeData, scoring: Scoring | None = None, hpo=None,
                 associations: dict[tuple[str, str], list[Association]] | None = None):
        from nmdkg.sources import hpo_obo

        self.data = data
        self.scoring = scoring or Scoring()
        self.hpo = hpo or hpo_obo.load()
        B = data.bipartite
        self.diseases = [d for d in data.disorders() if d.startswith(ANNOTATED_PREFIXES)]
        if not self.diseases:
            raise InputError("the graph holds no annotated (OMIM, Orphanet) disease to rank: build it with "
                             "--scope nmd or --scope all")
        self.row = {d: i for i, d in enumerate(self.diseases)}
        self.terms = data.terms()
        self.column = {t: j for j, t in enumerate(self.terms)}
        self.X = sp.csr_array(_incidence(B, self.diseases, self.column))
        self.A = sim.ancestor_matrix(self.terms, data.parents)
        self.ic = sim.information_content(self.X, self.A)
        self._anc_ptr, self._anc_idx = self.A.indptr, self.A.indices
        self._ancestor_sets: dict[int, frozenset[int]] = {}
        # the annotations behind each edge (none known: the edge's own frequency), and who cites what
        associations = associations or {}
        # the negated annotations of each disease, in the order of ``associations`` (grouped once: looking
        # them up per disease over every annotation was quadratic, minutes at scope all)
        negated_of: dict[str, list[tuple[str, list[Association]]]] = {}
        for (disease, p), given in associations.items():
            if p in self.column and any(a.negated for a in given):
                negated_of.setdefault(disease, []).append((p, given))
        self.associations: list[dict[int, list[Association]]] = []
        self.cited_by: dict[str, set[int]] = {}
        for i, d in enumerate(self.diseases):
            per_term: dict[int, list[Association]] = {}
            for p in B.adj[d]:
                if p not in self.column:
                    continue
                given = [a for a in associations.get((d, p), ()) if not a.negated]
                per_term[self.column[p]] = given or [Association(False, value=B.edges[d, p].get("frequency"))]
            for p, given in negated_of.get(d, ()):
                per_term.setdefault(-1 - self.column[p], []).extend(a for a in given if a.negated)
            self.associations.append(per_term)
            for ref in frozenset().union(*(a.publications for given in per_term.values() for a in given)):
                self.cited_by.setdefault(ref, set()).add(i)
        self.annotations = self._profiles()
        self._parents = _parent_edges(data.parents, self.column)
        self.W, self.F, self._M = self._closures(self.annotations)
        negated = [(self.row[d], self.column[p]) for d, p in data.negated if p in self.column and d in self.row]
        self.NOT = sp.csr_array((np.ones(len(negated)), ([n[1] for n in negated], [n[0] for n in negated])),
                                shape=(len(self.terms), len(self.diseases)))
        self.negated_by_disease: dict[int, list[int]] = {}
        for row, col in negated:
            self.negated_by_disease.setdefault(row, []).append(col)
        self.seed_labels = {seed: data.label(seed) for seeds in data.counterparts.values() for seed in seeds}
        self._annotated_terms = np.array(sorted({u for annotations in self.annotations for u, _ in annotations}),
                                         dtype=np.int64)
        self.background = (self._background_of(self.W) if self.scoring.calibrate
                           else np.zeros(len(self.diseases)))

    def __getattr__(self, name: str) -> Any:
        # a ranker loaded from a build reads its annotations' publications and the parent edges when first
        # needed (leave-publication-out, other scoring parameters): see ranker_from_saved
        if name in ("associations", "cited_by", "_parents") and "_annotations_loader" in self.__dict__:
            _lazy_annotations(self)
            return self.__dict__[name]
        raise AttributeError(name)

    @classmethod
    def from_graph(cls, source: Any, scoring: Scoring | None = None, progress=None,
                   data: PhenotypeData | None = None) -> Ranker:
        """A ranker over a graph (anything :func:`nmdkg.analysis.network.read` takes); ``data``: that
        function's result for the same graph, when it has already been read."""
        store = source if isinstance(source, SparqlSource | TriplesSource) else SparqlSource(source)
        data = data if data is not None else read(store, progress=progress)
        return cls(data, scoring, associations=read_associations(store))

    def with_scoring(self, scoring: Scoring) -> Ranker:
        """The same graph scored with other parameters (reuses what does not depend on them)."""
        clone = object.__new__(Ranker)
        clone.__dict__.update(self.__dict__)
        clone.scoring = scoring
        if (scoring.floor, scoring.prior_strength, scoring.unknown_frequency, scoring.mismatch,
                scoring.calibrate) != (self.scoring.floor, self.scoring.prior_strength,
                                       self.scoring.unknown_frequency, self.scoring.mismatch,
                                       self.scoring.calibrate):
            clone.annotations = clone._profiles()
            clone.W, clone.F, clone._M = clone._closures(clone.annotations)
            clone.background = (clone._background_of(clone.W) if scoring.calibrate
                                else np.zeros(len(clone.diseases)))
        return clone

    def frequency(self, associations: Sequence[Association]) -> float | None:
        """The frequency of a disease-phenotype pair from its annotations: n/m counts are pooled and shrunk
        towards the prior, (n + a p) / (m + a); the largest of that and any frequency term or percentage."""
        n = sum(a.count for a in associations if a.count is not None and a.total is not None)
        m = sum(a.total for a in associations if a.count is not None and a.total is not None)
        values = [a.value for a in associations if a.value is not None]
        if m:
            a = self.scoring.prior_strength
            values.append((n + a * self.scoring.unknown_frequency) / (m + a))
        return max(values) if values else None

    def _profile(self, d: int, exclude: frozenset[str] = frozenset(), memo: dict | None = None
                 ) -> list[tuple[int, float | None]]:
        """The annotations of disease ``d`` (term column, frequency), without those citing only
        ``exclude``; ``memo`` keeps the frequency of each list of annotations (by their identities: equal
        annotations are one object, see :func:`read_associations`) across calls with the same scoring."""
        out = []
        for u, given in sorted(self.associations[d].items()):
            if u < 0:
                continue
            kept = _kept(given, exclude)
            if not kept:
                continue
            if memo is None:
                out.append((u, self.frequency(kept)))
                continue
            key = tuple(map(id, kept))
            found = memo.get(key)
            if found is None:
                found = memo[key] = (kept, self.frequency(kept))  # (the annotations kept alive with their ids)
            out.append((u, found[1]))
        return out

    def _profiles(self) -> list[list[tuple[int, float | None]]]:
        """The annotations of every disease (:meth:`_profile`)."""
        memo: dict[tuple[int, ...], tuple[list[Association], float | None]] = {}
        return [self._profile(i, memo=memo) for i in range(len(self.diseases))]

    def weight(self, frequency: float | None) -> float:
        f = self.scoring.unknown_frequency if frequency is None else frequency
        return self.scoring.floor + (1 - self.scoring.floor) * f

    def _closures(self, annotations: Sequence[Sequence[tuple[int, float | None]]]
                  ) -> tuple[Closure, Closure, Closure]:
        """The closures of ``annotations`` (one list per disease), terms x diseases, stored sparse:
        W, the best match weight of each disease's annotations at or below each term; F, the highest
        frequency of such annotations (for the absent-finding penalty); M, the smallest information content
        of such annotations (``inf`` where there is none; the Jiang-Conrath closure)."""
        H, D = len(self.terms), len(annotations)
        ann_terms = np.array([u for annotated in annotations for u, _ in annotated], dtype=np.int64)
        ann_disease = np.repeat(np.arange(D, dtype=np.int64), [len(annotated) for annotated in annotations])
        unknown = self.scoring.unknown_frequency
        ann_weight = np.array([self.weight(f) for annotated in annotations for _, f in annotated], dtype=np.float64)
        ann_freq = np.array([unknown if f is None else f for annotated in annotations for _, f in annotated],
                            dtype=np.float64)
        # every (ancestor, disease) pair of every annotation: the rows of A, expanded
        starts, lengths = self._anc_ptr[ann_terms], np.diff(self._anc_ptr)[ann_terms]
        which = np.repeat(np.arange(len(ann_terms)), lengths)
        offsets = np.cumsum(lengths) - lengths
        position = np.arange(int(lengths.sum()), dtype=np.int64) - np.repeat(offsets - starts, lengths)
        key = self._anc_idx[position].astype(np.int64) * D + ann_disease[which]
        order = np.argsort(key)  # (not stable: the maximum and minimum of a pair's values do not depend on order)
        key, which = key[order], which[order]
        first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else np.zeros(0, dtype=np.int64)
        pairs = key[first]
        rows = pairs // max(D, 1)
        indptr = np.zeros(H + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=H), out=indptr[1:])
        indices = (pairs % max(D, 1)).astype(np.int32)

        def reduce(values: np.ndarray, how) -> np.ndarray:
            return how.reduceat(values[which], first) if len(first) else np.zeros(0, dtype=np.float32)

        W = reduce(ann_weight.astype(np.float32), np.maximum)
        F = reduce(ann_freq.astype(np.float32), np.maximum)
        M = reduce(self.ic[ann_terms].astype(np.float32), np.minimum)
        shape = (H, D)
        return (Closure(indptr, indices, W, shape), Closure(indptr, indices, F, shape),
                Closure(indptr, indices, M, shape, fill=np.inf))

    # -- patient terms ----------------------------------------------------------------------------

    def ancestors_of(self, term: str) -> np.ndarray:
        """Column indices of ``term`` and its ancestors that the graph holds."""
        j = self.column.get(term)
        if j is not None:
            return self._anc_idx[self._anc_ptr[j]:self._anc_ptr[j + 1]]
        known = self.hpo.get(term)
        ancestors = self.hpo.ancestors(known.id) if known is not None else set()
        return np.array(sorted(self.column[a] for a in ancestors if a in self.column), dtype=np.int64)

    def label(self, term: str) -> str:
        if term in self.data.term_labels:
            return self.data.term_labels[term]
        known = self.hpo.get(term)
        return known.name if known is not None else term

    # -- scoring ----------------------------------------------------------------------------------

    def match_matrix(self, present: Sequence[str], W: Closure | np.ndarray | None = None) -> np.ndarray:
        r"""``len(present) x diseases``: for each finding and disease, the IC-weighted best match
        :math:`\max_h \mathrm{IC}(h) W_{dh}`."""
        W = self.W if W is None else W
        out = np.zeros((len(present), W.shape[1]), dtype=np.float32)
        for i, term in enumerate(present):
            anc = self.ancestors_of(term)
            anc = anc[self.ic[anc] > 0]
            if len(anc):
                np.max(W[anc] * self.ic[anc, None].astype(np.float32), axis=0, out=out[i])
        return out

    def term_scores(self, present: Sequence[str], W: Closure | np.ndarray | None = None) -> np.ndarray:
        """``len(present) x diseases``: :math:`s_t(d)`, the best match minus the cost of a finding the
        disease does not imply."""
        W = self.W if W is None else W
        out = self.match_matrix(present, W).astype(np.float64)
        for i, term in enumerate(present):
            j = self.column.get(term)
            implied = W[j] > 0 if j is not None else np.zeros(W.shape[1], dtype=bool)
            out[i] -= self.scoring.mismatch * ~implied
        return out

    def _background_of(self, W: Closure | np.ndarray) -> np.ndarray:
        r""":math:`\mu_d`: each disease's mean :math:`s_t(d)` over every term annotated to a ranked
        disease (for the columns of ``W``)."""
        terms = self._annotated_terms
        if not len(terms):
            return np.zeros(W.shape[1])
        if isinstance(W, Closure):
            return self._background_of_closure(W)
        weighted = W.astype(np.float64) * self.ic[:, None]
        if W.shape[1] <= 64 and np.all(np.diff(self._anc_ptr) > 0):
            # a few columns (leave-publication-out): every term's best match at once, by segments of A's rows
            best = np.maximum.reduceat(weighted[self._anc_idx], self._anc_ptr[:-1], axis=0)[terms]
            return (best - self.scoring.mismatch * (W[terms] <= 0)).sum(axis=0) / len(terms)
        total = np.zeros(W.shape[1])
        for j in terms:
            anc = self._anc_idx[self._anc_ptr[j]:self._anc_ptr[j + 1]]
            total += weighted[anc].max(axis=0) - self.scoring.mismatch * (W[j] <= 0)
        return total / len(terms)

    def _background_of_closure(self, W: Closure, block: int = 64) -> np.ndarray:
        r""":math:`\mu_d` of every disease from the sparse closure ``W``, by blocks of diseases.

        The best match of a term, :math:`\max_{h \in \mathrm{anc}(t)} \mathrm{IC}(h) W_{dh}`, is the
        larger of the term's own value and its parents' best matches, so it is propagated down the
        hierarchy one parent edge at a time (children by depth: a parent is always shallower) instead of
        taking the maximum over every ancestor of every term; the values and the order of the sum are those
        of the direct computation, so the result is the same to the last bit.

        The terms are renumbered for it, those that are no one's child first, then the children depth by
        depth and, within a depth, by their number of parents, so that the children of a depth that have a
        k-th parent are one slice of the block: taking the maximum with each k-th parent in turn needs
        neither scattering back nor a segmented reduction. The blocks are small (``block`` diseases) so
        that a block stays in the processor's cache."""
        terms = self._annotated_terms
        H, D = W.shape
        _, parent, groups = self._parents
        order, plan = [], []  # plan: (first, last row of the children, the row of each one's k-th parent)
        at = H - sum(len(g[2]) for g in groups)
        for lo, hi, children, starts in groups:
            degree = np.diff(np.r_[starts, hi - lo])
            by_degree = np.argsort(degree, kind="stable")
            order.append(children[by_degree])
            starts, degree = lo + starts[by_degree], degree[by_degree]
            for k in range(int(degree.max()) if len(degree) else 0):
                first = int(np.searchsorted(degree, k, side="right"))  # those with more than k parents
                plan.append((at + first, at + len(children), parent[starts[first:] + k]))
            at += len(children)
        kids = np.concatenate(order) if order else np.zeros(0, dtype=np.int64)
        is_kid = np.zeros(H, dtype=bool)
        is_kid[kids] = True
        position = np.empty(H, dtype=np.int64)
        position[np.r_[np.flatnonzero(~is_kid), kids]] = np.arange(H)
        plan = [(x, y, position[parents]) for x, y, parents in plan]
        rows = np.repeat(np.arange(H), np.diff(W.indptr))
        cols = np.asarray(W.indices, dtype=np.int64)
        data = np.asarray(W.data)
        by_disease = np.argsort(cols, kind="stable")  # the entries by disease, so that a block is one slice
        cols, weighted = cols[by_disease], (data.astype(np.float64) * self.ic[rows])[by_disease]
        term_row = np.full(H, -1, dtype=np.int64)
        term_row[terms] = np.arange(len(terms))
        implied_row = np.where(data[by_disease] > 0, term_row[rows[by_disease]], -1)  # an annotated term implied, or -1
        rows = position[rows[by_disease]]
        bounds = [*np.searchsorted(cols, np.arange(0, D, block)).tolist(), len(cols)]
        term_rows = position[terms]
        out = np.zeros(D)
        for n, c0 in enumerate(range(0, D, block)):
            c1 = min(c0 + block, D)
            inside = slice(bounds[n], bounds[n + 1])
            best = np.zeros((H, c1 - c0))
            best[rows[inside], cols[inside] - c0] = weighted[inside]
            for x, y, parents in plan:  # by depth: a parent's best match is final before its children's
                np.maximum(best[x:y], best[parents], out=best[x:y])
            # s_t(d): the best match, minus the mismatch cost where the disease does not imply the term (the
            # same subtraction as best - mismatch * ~implied, which subtracts 0.0 from the others)
            scored = best[term_rows]
            missed = np.ones(scored.shape, dtype=bool)
            hit = implied_row[inside] >= 0
            missed[implied_row[inside][hit], cols[inside][hit] - c0] = False
            np.subtract(scored, self.scoring.mismatch, out=scored, where=missed)
            # one row per annotated term, summed over axis 0 of a C-contiguous array: NumPy adds the rows
            # one after another, in order (no pairwise summation across them), as a loop over the terms would
            out[c0:c1] = scored.sum(axis=0) / len(terms)
        return out

    def _left_out(self, exclude: Iterable[str]) -> dict[int, Any]:
        """For leave-publication-out: each disease whose profile changes, with its recomputed closure
        columns, background and annotations (``None`` when nothing is left of it)."""
        exclude = frozenset(exclude)
        changed: dict[int, Any] = {}
        for d in sorted(set().union(*(self.cited_by.get(r, set()) for r in exclude)) if exclude else ()):
            profile = self._profile(d, exclude)
            negated = [u for u, given in self.associations[d].items() if u < 0 and not _kept(given, exclude)]
            if profile == self.annotations[d] and not negated:
                continue
            if not profile:
                changed[d] = None
                continue
            W, F, _ = (c.toarray() for c in self._closures([profile]))
            background = self._background_of(W) if self.scoring.calibrate else np.zeros(1)
            dropped_not = {-1 - u for u in negated}
            changed[d] = (W, F, float(background[0]), profile, dropped_not)
        return changed

    def scores(self, present: Sequence[str], absent: Sequence[str] = (),
               exclude: Iterable[str] = (), left_out: dict[int, tuple] | None = None) -> np.ndarray:
        """The score of every disease (in the order of :attr:`diseases`) for already checked terms, with
        the annotations citing only ``exclude`` left out (``-inf`` for a disease with none left)."""
        out = self._scores(present, absent, self.W, self.F, self.background, None)
        for d, view in (self._left_out(exclude) if left_out is None else left_out).items():
            if view is None:
                out[d] = -np.inf
            else:
                W, F, background, profile, dropped_not = view
                out[d] = self._scores(present, absent, W, F, np.array([background]), d, dropped_not,
                                      profile)[0]
        return out

    def _scores(self, present, absent, W, F, background, d: int | None, dropped_not=frozenset(),
                profile=None) -> np.ndarray:
        total = self.term_scores(present, W).sum(axis=0)
        if self.scoring.penalty:
            total -= self.scoring.penalty * self._penalties(present, absent, F, d, dropped_not)
        out = total / len(present) - background
        if self.scoring.reverse:
            out = out + self.scoring.reverse * self._reverse(present, profile)
        if self.scoring.jc:
            out = out + self.scoring.jc * self._jiang_conrath(present, profile)
        return out

    def _term_ic(self, term: str, anc: np.ndarray) -> float:
        """The IC of a finding for the Jiang-Conrath distance: its own, or (a term no ranked disease is
        annotated with) that of its most informative ancestor."""
        j = self.column.get(term)
        if j is not None and self.ic[j] > 0:
            return float(self.ic[j])
        return float(self.ic[anc].max()) if len(anc) else 0.0

    def _min_ic(self, annotations: Sequence[Sequence[tuple[int, float | None]]]) -> np.ndarray:
        """terms x diseases: the smallest IC among each disease's annotations at or below each term
        (``inf`` where it has none); the Jiang-Conrath closure."""
        M = np.full((len(self.terms), len(annotations)), np.inf, dtype=np.float32)
        rows, cols, values = [], [], []
        for d, annotated in enumerate(annotations):
            for u, _ in annotated:
                ancestors = self._anc_idx[self._anc_ptr[u]:self._anc_ptr[u + 1]]
                rows.append(ancestors)
                cols.append(np.full(len(ancestors), d))
                values.append(np.full(len(ancestors), self.ic[u], dtype=np.float32))
        if rows:
            np.minimum.at(M, (np.concatenate(rows), np.concatenate(cols)), np.concatenate(values))
        return M

    def _jiang_conrath(self, present: Sequence[str], profile=None) -> np.ndarray:
        r"""The Jiang-Conrath funSimAvg of the findings with every disease (or with one ``profile``):
        term similarity :math:`1 / (1 + \mathrm{IC}(t) + \mathrm{IC}(u) - 2\,\mathrm{IC}(\mathrm{MICA}))`,
        the forward best-match average over the findings and the reverse one over the disease's
        annotations (weighted by :math:`w(f)`), averaged. The closest annotation to ``t`` through a common
        ancestor ``h`` is the least informative one at or below ``h``, so the forward distance is
        :math:`\mathrm{IC}(t) + \min_{h \in \mathrm{anc}(t)} (M_{dh} - 2\,\mathrm{IC}(h))` with
        :math:`M_{dh}` the smallest IC of the disease's annotations at or below ``h``."""
        M = self._M if profile is None else self._min_ic([profile])
        forward = np.zeros(M.shape[1])
        closest = np.full(len(self.terms), np.inf)  # per term h: the smallest IC of a finding at or below h
        for term in present:
            anc = self.ancestors_of(term)
            if not len(anc):
                continue
            ic_t = self._term_ic(term, anc)
            distance = ic_t + np.min(M[anc] - 2 * self.ic[anc, None].astype(np.float32), axis=0)
            forward += 1 / (1 + np.maximum(distance, 0))
            closest[anc] = np.minimum(closest[anc], ic_t)
        forward /= len(present)
        distance = np.minimum.reduceat((closest - 2 * self.ic)[self._anc_idx], self._anc_ptr[:-1]) + self.ic
        best = 1 / (1 + np.maximum(distance, 0))  # per annotated term u: its best similarity to a finding
        return (forward + self._weighted_mean(best, profile)) / 2

    def _weighted_mean(self, best: np.ndarray, profile=None) -> np.ndarray:
        """Per disease (or for one ``profile``), the mean of ``best`` over its annotations weighted by
        :math:`w(f)`."""
        if profile is not None:
            weights = np.array([self.weight(f) for _, f in profile])
            return np.array([float(weights @ best[[u for u, _ in profile]]) / weights.sum()])
        if getattr(self, "_Xw", None) is None or getattr(self, "_Xw_key", None) != self.scoring:
            rows, cols, vals = [], [], []
            for i, annotations in enumerate(self.annotations):
                for u, f in annotations:
                    rows.append(i)
                    cols.append(u)
                    vals.append(self.weight(f))
            self._Xw = sp.csr_array((vals, (rows, cols)), shape=(len(self.diseases), len(self.terms)))
            self._Xw_sum = np.maximum(np.asarray(self._Xw.sum(axis=1)).ravel(), 1e-12)
            self._Xw_key = self.scoring
        return (self._Xw @ best) / self._Xw_sum

    def _reverse(self, present: Sequence[str], profile=None) -> np.ndarray:
        r"""The reverse best-match average: for each disease, the mean over its annotations :math:`u`
        (weighted by :math:`w(f_u)`) of :math:`\max_{h \in \mathrm{anc}(u) \cap \mathrm{anc}(Q)}
        \mathrm{IC}(h)`; of every disease, or of one ``profile`` (a list of (term, frequency))."""
        mark = np.zeros(len(self.terms))
        for term in present:
            mark[self.ancestors_of(term)] = 1.0
        best = np.maximum.reduceat((self.ic * mark)[self._anc_idx], self._anc_ptr[:-1])
        return self._weighted_mean(best, profile)

    def _penalties(self, present: Sequence[str], absent: Sequence[str], F: Closure | np.ndarray | None = None,
                   d: int | None = None, dropped_not=frozenset()) -> np.ndarray:
        F = self.F if F is None else F
        out = np.zeros(F.shape[1])
        power = self.scoring.absent_power
        for term in absent:
            j = self.column.get(term)
            if j is not None and self.ic[j] > 0:
                out += self.ic[j] * F[j].astype(np.float64) ** power
        NOT = self.NOT if d is None else self.NOT[:, [d]]
        if NOT.nnz:
            for term in present:
                anc = self.ancestors_of(term)
                if dropped_not:
                    anc = np.array([a for a in anc if a not in dropped_not], dtype=np.int64)
                hits = NOT[anc]
                if hits.nnz:
                    coo = hits.tocoo()
                    best = np.zeros(F.shape[1])
                    np.maximum.at(best, coo.col, self.ic[anc[coo.row]])
                    out += best
        return out

    def rank(self, present: Iterable[str], absent: Iterable[str] = (), top: int = 10,
             exclude: Iterable[str] = ()) -> list[Result]:
        """Check the terms, score every disease and return the ``top`` results, explained.

        Ties are broken by identifier.
        """
        present_ids, absent_ids, _ = check_terms(present, absent, self.hpo)
        return self.rank_checked(present_ids, absent_ids, top, exclude)

    def rank_checked(self, present: Sequence[str], absent: Sequence[str] = (), top: int = 10,
                     exclude: Iterable[str] = (), explain: int | None = None) -> list[Result]:
        """The ``top`` results for checked terms; only the first ``explain`` (default: all) are explained,
        the others carry their score alone."""
        left_out = self._left_out(exclude)
        scores = self.scores(present, absent, left_out=left_out)
        finite = np.flatnonzero(np.isfinite(scores))
        keys = np.round(scores[finite], 9)
        # best first, ties by identifier (the diseases are in identifier order)
        order = finite[np.lexsort((finite, -keys))][:top]
        explain = top if explain is None else explain
        out = []
        for rank, i in enumerate(order, 1):
            i = int(i)
            if rank <= explain:
                out.append(self.explain(i, rank, float(scores[i]), present, absent, left_out.get(i)))
            else:
                background = left_out[i][2] if i in left_out else float(self.background[i])
                out.append(Result(rank, self.diseases[i], self.data.label(self.diseases[i]), float(scores[i]),
                                  background, counterpart_of=self._seeds(self.diseases[i])))
        return out

    def _seeds(self, disease: str) -> tuple[dict[str, str], ...]:
        return tuple({"id": s, "label": self.seed_labels.get(s, s)} for s in self.data.counterparts.get(disease, ()))

    def explain(self, d: int, rank: int, score: float, present: Sequence[str],
                absent: Sequence[str], view: tuple | None = None) -> Result:
        """The result of disease ``d``, with what matched and what was held against it (``view``: its
        profile with publications left out, from :meth:`_left_out`)."""
        disease = self.diseases[d]
        if view is not None:
            W, F, background, annotations, dropped_not = view
            W, F = W[:, 0], F[:, 0]
        else:
            W, F, background, annotations, dropped_not = (self.W[:, d], self.F[:, d], float(self.background[d]),
                                                          self.annotations[d], frozenset())
        matches = []
        for term in present:
            anc = self.ancestors_of(term)
            anc = anc[self.ic[anc] > 0]
            values = W[anc] * self.ic[anc] if len(anc) else np.zeros(0)
            j = self.column.get(term)
            cost = 0.0 if j is not None and W[j] > 0 else self.scoring.mismatch
            if not len(values) or values.max() <= 0:
                continue  # nothing in common but the root: only the mismatch cost
            best = int(np.argmax(values))
            h = int(anc[best])
            annotation, frequency = self._annotation_under(annotations, h)
            matches.append(Match(term, self.label(term), self.terms[annotation],
                                 self.label(self.terms[annotation]), self.terms[h], self.label(self.terms[h]),
                                 float(self.ic[h]), frequency, (float(values[best]) - cost) / len(present)))
        penalties = []
        for term in absent if self.scoring.penalty else ():
            j = self.column.get(term)
            if j is not None and F[j] > 0 and self.ic[j] > 0:
                annotation, frequency = self._annotation_under(annotations, j, by="frequency")
                value = (float(self.ic[j]) * float(F[j]) ** self.scoring.absent_power
                         * self.scoring.penalty / len(present))
                penalties.append(Penalty("absent but annotated", term, self.label(term),
                                         self.terms[annotation], self.label(self.terms[annotation]),
                                         float(self.ic[j]), frequency, value))
        for term in present if self.scoring.penalty else ():
            ancestry = set(self.ancestors_of(term).tolist())
            excluded = [n for n in self.negated_by_disease.get(d, []) if n in ancestry and n not in dropped_not]
            if excluded:
                n = max(excluded, key=lambda j: (self.ic[j], -j))
                value = float(self.ic[n]) * self.scoring.penalty / len(present)
                penalties.append(Penalty("present but excluded", term, self.label(term), self.terms[n],
                                         self.label(self.terms[n]), float(self.ic[n]), None, value))
        return Result(rank, disease, self.data.label(disease), score, background,
                      tuple(matches), tuple(penalties), self._seeds(disease))

    def _annotation_under(self, annotations: Sequence[tuple[int, float | None]], h: int,
                          by: str = "weight") -> tuple[int, float | None]:
        """The annotation (of a disease's ``annotations``) at or below term ``h`` that gives its closure
        value (the least specific one among equals, i.e. the closest to ``h``)."""
        candidates = []
        for u, frequency in annotations:
            ancestors = self._ancestor_sets.get(u)
            if ancestors is None:
                ancestors = self._ancestor_sets[u] = frozenset(
                    self._anc_idx[self._anc_ptr[u]:self._anc_ptr[u + 1]].tolist())
            if h in ancestors:
                value = self.weight(frequency) if by == "weight" else (
                    self.scoring.unknown_frequency if frequency is None else frequency)
                candidates.append((-value, float(self.ic[u]), self.terms[u], u, frequency))
        _, _, _, u, frequency = min(candidates)
        return u, frequency


class Closure:
    """A terms x diseases matrix of float32 stored by term rows for the pairs where the disease has an
    annotation at or below the term (``indptr``, ``indices``, ``data`` as in a CSR matrix); every other entry
    is ``fill``. Indexing gives dense arrays, as a dense matrix would: ``C[j]`` a term's row, ``C[rows]``
    several rows, ``C[:, d]`` a disease's column."""

    def __init__(self, indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, shape: tuple[int, int],
                 fill: float = 0.0):
        self.indptr, self.indices, self.data = indptr, indices, data
        self.shape = (int(shape[0]), int(shape[1]))
        self.fill = float(fill)

    def rows(self, rows) -> np.ndarray:
        rows = np.asarray(rows, dtype=np.int64).reshape(-1)
        out = np.full((len(rows), self.shape[1]), self.fill, dtype=np.float32)
        starts = np.asarray(self.indptr[rows], dtype=np.int64)
        lengths = np.asarray(self.indptr[rows + 1], dtype=np.int64) - starts
        if lengths.sum():
            offsets = np.cumsum(lengths) - lengths
            position = np.arange(int(lengths.sum()), dtype=np.int64) - np.repeat(offsets - starts, lengths)
            out[np.repeat(np.arange(len(rows)), lengths), self.indices[position]] = self.data[position]
        return out

    def column(self, d: int) -> np.ndarray:
        position = np.flatnonzero(np.asarray(self.indices) == d)
        out = np.full(self.shape[0], self.fill, dtype=np.float32)
        out[np.searchsorted(self.indptr, position, side="right") - 1] = self.data[position]
        return out

    def toarray(self) -> np.ndarray:
        return self.rows(np.arange(self.shape[0]))

    def __getitem__(self, key):
        if isinstance(key, tuple):
            rows, d = key
            if rows != slice(None):
                raise IndexError("a closure gives whole columns only")
            return self.column(int(d))
        if isinstance(key, (int, np.integer)):
            return self.rows([key])[0]
        return self.rows(key)


def _parent_edges(parents: Mapping[Any, Sequence[Any]], column: Mapping[Any, int]
                  ) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int, np.ndarray, np.ndarray]]]:
    """The parent edges (child, parent) between the terms of ``column``, grouped for propagating values
    down the hierarchy: children by depth (longest path from a root), each group with its edges' span,
    its distinct children and where each child's edges start within the span."""
    edges = sorted({(column[c], column[p]) for c, ps in parents.items() if c in column
                    for p in ps if p in column and p != c})
    depth: dict[int, int] = {}
    up: dict[int, list[int]] = {}
    for c, p in edges:
        up.setdefault(c, []).append(p)

    def depth_of(t: int) -> int:
        stack = [t]
        while stack:
            node = stack[-1]
            pending = [p for p in up.get(node, ()) if p not in depth]
            if pending:
                stack.extend(pending)
                continue
            stack.pop()
            depth[node] = 1 + max((depth[p] for p in up.get(node, ())), default=-1)
        return depth[t]

    edges.sort(key=lambda e: (depth_of(e[0]), e[0], e[1]))
    child = np.array([c for c, _ in edges], dtype=np.int64)
    parent = np.array([p for _, p in edges], dtype=np.int64)
    groups = []
    level = np.array([depth[c] for c in child.tolist()], dtype=np.int64)
    bounds: Sequence[int] = (np.flatnonzero(np.r_[True, level[1:] != level[:-1], True]).tolist()
                             if len(child) else [])
    for lo, hi in itertools.pairwise(bounds):
        lo, hi = int(lo), int(hi)
        kids_at = np.flatnonzero(np.r_[True, child[lo + 1:hi] != child[lo:hi - 1]])
        groups.append((lo, hi, child[lo:hi][kids_at], kids_at))
    return child, parent, groups


def _incidence(B, diseases: Sequence[str], column: dict[str, int]) -> sp.csr_array:
    rows, cols = [], []
    for i, d in enumerate(diseases):
        for p in B.adj[d]:
            j = column.get(p)
            if j is not None:
                rows.append(i)
                cols.append(j)
    return sp.csr_array((np.ones(len(rows)), (rows, cols)), shape=(len(diseases), len(column)))


# -- patients files and output --------------------------------------------------------------------

_PATIENT_KEYS = ("id", "present", "absent", "references", "exclude_references")


def iter_patients(path: Path) -> Iterator[Patient | BadPatient]:
    """Patients from a JSON Lines file, one at a time: one object per line with ``id`` (a string),
    ``present`` (a list of HPO CURIEs) and optionally ``absent``, ``references`` (the publications that
    report the patient) and ``exclude_references`` (publications to leave out when ranking it). Blank
    lines are skipped; a line that cannot be read is yielded as a :class:`BadPatient` naming every
    problem; the terms are checked later."""
    path = Path(path)
    try:
        handle = path.open(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: patients file not found") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc}") from exc
    seen: set[str] = set()
    with handle:
        number = 0
        while True:
            try:
                line = handle.readline()
            except UnicodeDecodeError as exc:
                raise InputError(f"{path.name}:{number + 1}: not UTF-8: {exc.reason}") from None
            if not line:
                break
            number += 1
            if line.strip():
                yield _patient_of(line, path.name, number, seen)


def _patient_of(line: str, source: str, number: int, seen: set[str]) -> Patient | BadPatient:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return BadPatient(None, source, number, (f"not valid JSON: {exc.msg}",))
    if not isinstance(record, dict):
        return BadPatient(None, source, number, ("expected a JSON object with id, present and absent",))
    problems = []
    identifier = record.get("id")
    if not isinstance(identifier, str) or not identifier:
        problems.append("'id' must be a non-empty string")
        identifier = None
    elif identifier in seen:
        problems.append(f"duplicate patient id {identifier!r}")
    else:
        seen.add(identifier)
    unknown = sorted(set(record) - set(_PATIENT_KEYS))
    if unknown:
        problems.append(f"unknown key(s) {', '.join(unknown)}; expected {', '.join(_PATIENT_KEYS)}")
    lists = {}
    for key in _PATIENT_KEYS[1:]:
        value = record.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            problems.append(f"{key!r} must be a list of strings" if "references" in key
                            else f"{key!r} must be a list of HPO CURIEs")
            value = []
        lists[key] = tuple(value)
    if problems or identifier is None:
        return BadPatient(identifier, source, number, tuple(problems))
    return Patient(identifier, lists["present"], lists["absent"], references=lists["references"],
                   exclude_references=lists["exclude_references"], source=source, line=number)


def read_patients(path: Path) -> list[Patient]:
    """Every patient of a JSON Lines file (:func:`iter_patients`); the first bad line is an
    :class:`InputError` naming its line."""
    patients = []
    for item in iter_patients(path):
        if isinstance(item, BadPatient):
            raise InputError(f"{item.source}:{item.line}: {'; '.join(item.problems)}")
        patients.append(item)
    if not patients:
        raise InputError(f"{path}: no patient in the file")
    return patients


def patients_of_phenopackets(path: Path) -> Iterator[Patient | BadPatient]:
    """Patients from a phenopacket file or a folder of them (:mod:`nmdkg.diagnose.phenopackets`)."""
    from nmdkg.diagnose import phenopackets

    for item in phenopackets.iter_folder(path):
        if isinstance(item, phenopackets.Unreadable):
            yield BadPatient(None, item.source, None, (item.reason,))
        else:
            yield Patient(item.id, item.present, item.absent, references=item.references, source=item.source)


def format_table(results: Sequence[Result], present: Sequence[str], absent: Sequence[str] = (),
                 ranker: Ranker | None = None) -> str:
    """Results as a plain-text table, each with the findings it matched and the penalties it took."""
    lines = []
    if ranker is not None:
        lines.append("Findings: " + "; ".join(f"{t} {ranker.label(t)}" for t in present))
        if absent:
            lines.append("Absent:   " + "; ".join(f"{t} {ranker.label(t)}" for t in absent))
        lines.append("")
    lines.append(f"{'rank':>4}  {'score':>6}  {'disorder':<14} label")
    for r in results:
        via = f"  [{', '.join(s['label'] for s in r.counterpart_of)}]" if r.counterpart_of else ""
        lines.append(f"{r.rank:>4}  {r.score:>6.3f}  {r.id:<14} {r.label}{via}")
        for m in r.matched:
            if m.exact:
                how = "exact"
            elif m.implied:
                how = "more specific annotation"
            elif m.common_ancestor == m.annotation:
                how = "more general annotation"
            else:
                how = f"related, via {m.common_ancestor} {m.common_ancestor_label}"
            freq = "" if m.frequency is None else f", frequency {m.frequency:.0%}"
            lines.append(f"{'':>14}{'+' if m.contribution > 0 else '~'} {m.finding} {m.finding_label} -> "
                         f"{m.annotation} {m.annotation_label} ({how}, IC {m.ic:.2f}{freq})")
        for p in r.penalties:
            freq = "" if p.frequency is None else f", frequency {p.frequency:.0%}"
            lines.append(f"{'':>14}- {p.kind}: {p.finding} {p.finding_label} vs {p.annotation} "
                         f"{p.annotation_label} (-{p.value:.2f}{freq})")
    lines.append("")
    lines.append("score: mean best match of the findings (Resnik IC x frequency weight, minus ln 20 for a "
                 "finding the disease does not imply) minus the disease's mean for a random finding, plus the "
                 "reverse match of the disease's annotations to the findings and the Jiang-Conrath set "
                 "similarity, minus penalties.")
    lines.append("For research and education only; not for clinical decisions.")
    return "\n".join(lines) + "\n"


def result_json(results: Sequence[Result], patient_id: str | None = None, notes: Sequence[str] = ()) -> dict:
    out: dict[str, Any] = {}
    if patient_id is not None:
        out["id"] = patient_id
    out["results"] = [r.as_dict() for r in results]
    if notes:
        out["notes"] = list(notes)
    return out


def rank_stream(ranker: Ranker, patients: Iterable[Patient | BadPatient], top: int = 10,
                exclude_own_publication: bool = False, explain: int | None = None) -> Iterator[dict]:
    """One JSON-ready record per patient, as each is ranked: its results, or an error record naming its
    id, source, line and every problem. A bad patient never stops the others."""
    for patient in patients:
        if isinstance(patient, BadPatient):
            yield patient.as_dict()
            continue
        present, absent, notes, problems = term_problems(patient.present, patient.absent, ranker.hpo)
        if problems:
            yield BadPatient(patient.id, patient.source, patient.line, tuple(problems)).as_dict()
            continue
        exclude = set(patient.exclude_references)
        if exclude_own_publication:
            exclude |= set(patient.references)
        record = result_json(ranker.rank_checked(present, absent, top, exclude, explain), patient.id, notes)
        if exclude:
            record["excluded_references"] = sorted(exclude)
        yield record


def rank_patients(ranker: Ranker, patients: Sequence[Patient], top: int = 10, progress=None) -> list[dict]:
    """Rank every patient (a list of records, as :func:`rank_stream` yields them)."""
    out = []
    for n, record in enumerate(rank_stream(ranker, patients, top), start=1):
        out.append(record)
        if progress and n % 100 == 0:
            progress(f"{n} of {len(patients)} patients ranked")
    return out


__all__ = [
    "Association",
    "BadPatient",
    "Match",
    "Patient",
    "Penalty",
    "Ranker",
    "Result",
    "Scoring",
    "check_terms",
    "format_table",
    "iter_patients",
    "patients_of_phenopackets",
    "rank_patients",
    "rank_stream",
    "read_associations",
    "read_patients",
    "result_json",
    "term_problems",
]


# -- the ranker as data files ---------------------------------------------------------------------

#: The arrays of a saved ranker (see :meth:`Ranker.arrays`), each written as ``NAME.npy``.
SAVED_ARRAYS = ("ic", "anc_ptr", "anc_idx", "closure_indptr", "closure_indices", "W", "F", "M", "background",
                "annotated_terms", "ann_ptr", "ann_terms", "ann_freq", "not_terms", "not_diseases")


class _SavedLabels:
    """What a loaded ranker keeps of the graph's :class:`PhenotypeData`: the labels and counterparts."""

    def __init__(self, diseases: Sequence[str], disease_labels: Sequence[str], term_labels: dict[str, str],
                 counterparts: dict[str, Sequence[str]]):
        self.disease_labels = dict(zip(diseases, disease_labels, strict=True))
        self.term_labels = term_labels
        self.counterparts = {d: tuple(seeds) for d, seeds in counterparts.items()}

    def label(self, node: str) -> str:
        return self.disease_labels.get(node) or self.term_labels.get(node, node)


def ranker_arrays(ranker: Ranker) -> dict[str, np.ndarray]:
    """The ranker's numbers as arrays (:data:`SAVED_ARRAYS`)."""
    lengths = [len(a) for a in ranker.annotations]
    not_pairs = sorted((col, row) for row, cols in ranker.negated_by_disease.items() for col in cols)
    return {
        "ic": np.asarray(ranker.ic, dtype=np.float64),
        "anc_ptr": np.asarray(ranker._anc_ptr), "anc_idx": np.asarray(ranker._anc_idx),
        "closure_indptr": np.asarray(ranker.W.indptr), "closure_indices": np.asarray(ranker.W.indices),
        "W": np.asarray(ranker.W.data), "F": np.asarray(ranker.F.data), "M": np.asarray(ranker._M.data),
        "background": np.asarray(ranker.background, dtype=np.float64),
        "annotated_terms": np.asarray(ranker._annotated_terms, dtype=np.int64),
        "ann_ptr": np.r_[0, np.cumsum(lengths)].astype(np.int64),
        "ann_terms": np.array([u for a in ranker.annotations for u, _ in a], dtype=np.int64),
        "ann_freq": np.array([np.nan if f is None else f for a in ranker.annotations for _, f in a],
                             dtype=np.float64),
        "not_terms": np.array([c for c, _ in not_pairs], dtype=np.int64),
        "not_diseases": np.array([r for _, r in not_pairs], dtype=np.int64),
    }


def ranker_documents(ranker: Ranker) -> tuple[dict[str, Any], dict[str, Any]]:
    """The ranker's names and labels (loaded with it), and its annotations with their publications and the
    hierarchy's parent edges (loaded only when leave-publication-out or other scoring parameters need them)."""
    names = {
        "scoring": {k: getattr(ranker.scoring, k) for k in Scoring.__dataclass_fields__},
        "diseases": ranker.diseases,
        "disease_labels": [ranker.data.label(d) for d in ranker.diseases],
        "terms": ranker.terms,
        "term_labels": {t: label for t, label in ranker.data.term_labels.items() if t in ranker.column},
        "counterparts": {d: list(s) for d, s in ranker.data.counterparts.items() if d in ranker.row},
        "seed_labels": ranker.seed_labels,
    }
    child, parent, _ = ranker._parents
    rows: dict[int, list] = {}  # each annotation's row, made once (equal annotations are one object)

    def row(a: Association) -> list:
        found = rows.get(id(a))
        if found is None:
            found = rows[id(a)] = [a.negated, a.count, a.total, a.value, sorted(a.publications)]
        return found

    annotations = {
        "associations": [[[u, [row(a) for a in given]] for u, given in per_term.items()]
                         for per_term in ranker.associations],
        "parent_edges": [child.tolist(), parent.tolist()],
    }
    return names, annotations


def hpo_document(hpo) -> dict[str, Any]:
    """What the ranking needs of the HPO release (checking and labelling terms, their ancestors): each
    term's name, parents, alternative identifiers, obsolescence and replacements (no definitions or
    synonyms); parsing hp.obo takes most of a second, reading this a few hundredths."""
    return {"version": hpo.version, "sha256": hpo.sha256, "alt_ids": hpo.alt_ids,
            "terms": [[t.id, t.name, t.parents, t.alt_ids, t.obsolete, t.replaced_by, t.consider]
                      for t in hpo.terms.values()]}


def hpo_of_document(document: dict[str, Any]):
    """The HPO release of :func:`hpo_document` (terms without definitions or synonyms)."""
    from nmdkg.sources.hpo_obo import HPO, Term

    terms = {row[0]: Term(row[0], row[1], parents=row[2], alt_ids=row[3], obsolete=row[4], replaced_by=row[5],
                          consider=row[6]) for row in document["terms"]}
    return HPO(document["version"], document["sha256"], terms, document["alt_ids"])


def ranker_from_saved(names: dict[str, Any], arrays: dict[str, np.ndarray], annotations_loader, hpo=None
                      ) -> Ranker:
    """A ranker from what :func:`ranker_arrays` and :func:`ranker_documents` gave (arrays may be
    memory-mapped); ``annotations_loader()`` returns the second document when it is first needed."""
    from nmdkg.sources import hpo_obo

    ranker = object.__new__(Ranker)
    ranker.scoring = Scoring(**names["scoring"])
    ranker.hpo = hpo or hpo_obo.load()
    ranker.diseases = list(names["diseases"])
    ranker.row = {d: i for i, d in enumerate(ranker.diseases)}
    ranker.terms = list(names["terms"])
    ranker.column = {t: j for j, t in enumerate(ranker.terms)}
    ranker.data = _SavedLabels(  # type: ignore[assignment]  # labels and counterparts only
        ranker.diseases, names["disease_labels"], names["term_labels"], names["counterparts"])
    ranker.seed_labels = dict(names["seed_labels"])
    ranker.ic = arrays["ic"]
    ranker._anc_ptr, ranker._anc_idx = arrays["anc_ptr"], arrays["anc_idx"]
    ranker._ancestor_sets = {}
    shape = (len(ranker.terms), len(ranker.diseases))
    indptr, indices = arrays["closure_indptr"], arrays["closure_indices"]
    ranker.W = Closure(indptr, indices, arrays["W"], shape)
    ranker.F = Closure(indptr, indices, arrays["F"], shape)
    ranker._M = Closure(indptr, indices, arrays["M"], shape, fill=np.inf)
    ranker.background = arrays["background"]
    ranker._annotated_terms = arrays["annotated_terms"]
    ptr, terms, freqs = arrays["ann_ptr"].tolist(), arrays["ann_terms"].tolist(), arrays["ann_freq"].tolist()
    ranker.annotations = [[(terms[k], None if math.isnan(freqs[k]) else freqs[k]) for k in range(ptr[d], ptr[d + 1])]
                          for d in range(len(ranker.diseases))]
    not_terms, not_diseases = arrays["not_terms"], arrays["not_diseases"]
    ranker.NOT = sp.csr_array((np.ones(len(not_terms)), (not_terms, not_diseases)), shape=shape)
    ranker.negated_by_disease = {}
    for col, row in zip(not_terms.tolist(), not_diseases.tolist(), strict=True):
        ranker.negated_by_disease.setdefault(row, []).append(col)
    ranker._annotations_loader = annotations_loader  # type: ignore[attr-defined]  # see Ranker.__getattr__
    return ranker


def _lazy_annotations(ranker: Ranker) -> None:
    """Fill a loaded ranker's annotations with their publications and its parent edges."""
    document = ranker.__dict__.pop("_annotations_loader")()
    column = {j: j for j in range(len(ranker.terms))}
    child, parent = document["parent_edges"]
    parents: dict[int, list[int]] = {}
    for c, p in zip(child, parent, strict=True):
        parents.setdefault(c, []).append(p)
    ranker._parents = _parent_edges(parents, column)
    ranker.associations = []
    ranker.cited_by = {}
    for i, per_term in enumerate(document["associations"]):
        given = {u: [Association(bool(n), c, t, v, frozenset(pubs)) for n, c, t, v, pubs in entries]
                 for u, entries in per_term}
        ranker.associations.append(given)
        for entries in given.values():
            for a in entries:
                for ref in a.publications:
                    ranker.cited_by.setdefault(ref, set()).add(i)
