r"""Phenotype-driven ranking of disorders: which annotated diseases best explain a patient's findings.

For research and education only: not a medical device, not for decisions about any person.

The ranking (:class:`Ranker`) reads the graph once by SPARQL (:func:`nmdkg.network.read`) and scores every
annotated disease (OMIM, Orphanet) of the graph for a set of **present** findings :math:`Q` and a set of
findings the patient is known **not** to have, :math:`N` (HPO terms):

.. math::

    s_t(d) = \max_{h \in \mathrm{anc}(t)} \mathrm{IC}(h)\, W_{dh} \;-\; \kappa\,[\,W_{dt} = 0\,]

    \mathrm{score}(d) = \frac{1}{|Q|} \sum_{t \in Q} s_t(d) \;-\; \mu_d
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
* the **penalties**: findings the patient does not have but the disease is annotated with (or with a more
  specific term of), by their frequency :math:`F_{da}` (the largest frequency of such annotations):
  excluding a finding that 1 in 40 patients have costs little, an obligate one much; and present findings
  that the disease's **negated** (``NOT``) annotations exclude.

Every result explains itself: which finding matched which annotation, through which common ancestor and
with what information content and frequency, and what it contributed; which penalties applied. The
article's MONDO disorders are reported through their annotated counterparts (``counterpart_of``).

Identifiers are checked against the HPO release the graph was built from (:func:`nmdkg.sources.hpo_obo.load`):
an unknown identifier, an obsolete one (the message names its replacement) or a term outside *Phenotypic
abnormality* is an :class:`~nmdkg.errors.InputError`; an alternative identifier is read as its primary term.

``benchmarks/bench_diagnose.py`` measures the ranking on simulated patients; see
``docs/decisions/0004-analysis.md``.

References: Köhler S et al. Clinical diagnostics in human genetics with semantic similarity searches in
ontologies. Am J Hum Genet 2009;85:457-464 (the Phenomizer). Resnik P. IJCAI 1995. Pesquita C et al.
PLoS Comput Biol 2009;5:e1000443 (best-match average). Robinson PN et al. Interpretable clinical genomics
with a likelihood ratio paradigm. Am J Hum Genet 2020;107:403-417 (LIRICAL: findings as likelihood ratios).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from nmdkg import similarity as sim
from nmdkg.errors import InputError
from nmdkg.network import ANNOTATED_PREFIXES, PhenotypeData, read

PHENOTYPIC_ABNORMALITY = "HP:0000118"
_HPO_ID = re.compile(r"HP:[0-9]{7}\Z")
#: The frequency assumed for an annotation that gives none (most OMIM-derived annotations).
UNKNOWN_FREQUENCY = 0.5


@dataclass(frozen=True)
class Scoring:
    """The parameters of the score (see the module docstring)."""

    #: w(f) = floor + (1 - floor) f: the weight of a match to an annotation of frequency f.
    floor: float = 0.75
    #: kappa, the cost of a finding the disease does not imply (no annotation at or below it), in nats.
    mismatch: float = math.log(20)
    #: Subtract each disease's mean score for a random finding (mu_d).
    calibrate: bool = True
    #: The frequency assumed when an annotation gives none.
    unknown_frequency: float = UNKNOWN_FREQUENCY
    #: Multiplies both penalties (0 switches them off).
    penalty: float = 1.0


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
        out["matched"] = [{**{k: v for k, v in asdict(m).items() if k not in ("ic", "contribution")},
                           "ic": round(m.ic, 4), "contribution": round(m.contribution, 4)}
                          for m in self.matched]
        out["penalties"] = [{**{k: v for k, v in asdict(p).items() if k not in ("ic", "value")},
                             "ic": round(p.ic, 4), "value": round(p.value, 4)} for p in self.penalties]
        if self.counterpart_of:
            out["counterpart_of"] = list(self.counterpart_of)
        return out


@dataclass(frozen=True)
class Patient:
    id: str
    present: tuple[str, ...]
    absent: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=(), compare=False)


# -- checking HPO identifiers ---------------------------------------------------------------------

def check_terms(present: Iterable[str], absent: Iterable[str] = (), hpo=None,
                where: str = "") -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """The present and absent terms as primary HPO identifiers, and notes on what was rewritten.

    Raises :class:`InputError` for a malformed, unknown or obsolete identifier (naming its replacement),
    a term outside Phenotypic abnormality, a term both present and absent, or no present term.

    >>> check_terms(["HP:0003560"], ["HP:0001324"])[:2]
    (('HP:0003560',), ('HP:0001324',))
    >>> check_terms(["HP:0002355"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    nmdkg.errors.InputError: HP:0002355 (Difficulty walking) is obsolete; use HP:0001288 (Gait ...) instead
    """
    from nmdkg.sources import hpo_obo

    hpo = hpo or hpo_obo.load()
    prefix = f"{where}: " if where else ""
    notes: list[str] = []
    root_descendant = _phenotypic(hpo)

    def one(raw: str) -> str:
        curie = raw.strip()
        if not _HPO_ID.match(curie):
            raise InputError(f"{prefix}{raw!r} is not an HPO identifier (expected HP: and seven digits, "
                             "e.g. HP:0001324)")
        term = hpo.terms.get(curie)
        if term is None:
            primary = hpo.alt_ids.get(curie)
            if primary is None:
                raise InputError(f"{prefix}unknown HPO term {curie} (not in HPO release {hpo.version})")
            notes.append(f"{curie} is an alternative identifier of {primary} ({hpo.terms[primary].name})")
            term = hpo.terms[primary]
        if term.obsolete:
            name = term.name.removeprefix("obsolete ")
            if term.replaced_by:
                replacement = hpo.get(term.replaced_by)
                label = f" ({replacement.name})" if replacement else ""
                raise InputError(f"{prefix}{curie} ({name}) is obsolete; "
                                 f"use {term.replaced_by}{label} instead")
            hint = f"; consider {', '.join(term.consider)}" if term.consider else ""
            raise InputError(f"{prefix}{curie} ({name}) is obsolete and has no replacement{hint}")
        if term.id not in root_descendant:
            raise InputError(f"{prefix}{curie} ({term.name}) is not a phenotypic abnormality "
                             f"(a descendant of {PHENOTYPIC_ABNORMALITY}); only findings can be ranked")
        return term.id

    present_ids = tuple(dict.fromkeys(one(t) for t in present))
    absent_ids = tuple(dict.fromkeys(one(t) for t in absent))
    if not present_ids:
        raise InputError(f"{prefix}no present finding given: name at least one HPO term the patient has")
    both = sorted(set(present_ids) & set(absent_ids))
    if both:
        raise InputError(f"{prefix}{', '.join(both)} given as both present and absent")
    return present_ids, absent_ids, tuple(notes)


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

class Ranker:
    """Scores the annotated diseases of a graph for patients' findings (see the module docstring).

    Everything that does not depend on the patient (IC, the frequency-weighted annotation closure, the
    ancestor lists) is computed once here, so one patient takes about a millisecond.
    """

    def __init__(self, data: PhenotypeData, scoring: Scoring | None = None, hpo=None):
        from nmdkg.sources import hpo_obo

        self.data = data
        self.scoring = scoring or Scoring()
        self.hpo = hpo or hpo_obo.load()
        B = data.bipartite
        self.diseases = [d for d in data.disorders() if d.startswith(ANNOTATED_PREFIXES)]
        if not self.diseases:
            raise InputError("the graph holds no annotated (OMIM, Orphanet) disease to rank: build it with "
                             "--scope nmd or --scope all")
        self.terms = data.terms()
        self.column = {t: j for j, t in enumerate(self.terms)}
        self.X = sp.csr_array(_incidence(B, self.diseases, self.column))
        self.A = sim.ancestor_matrix(self.terms, data.parents)
        self.ic = sim.information_content(self.X, self.A)
        self._anc_ptr, self._anc_idx = self.A.indptr, self.A.indices
        # annotations of each disease, with their frequency (None when not given)
        self.annotations: list[list[tuple[int, float | None]]] = []
        for d in self.diseases:
            self.annotations.append(sorted((self.column[p], B.edges[d, p].get("frequency"))
                                           for p in B.adj[d] if p in self.column))
        self.W, self.F = self._closures()
        row_of = {d: i for i, d in enumerate(self.diseases)}
        negated = [(row_of[d], self.column[p]) for d, p in data.negated if p in self.column and d in row_of]
        self.NOT = sp.csr_array((np.ones(len(negated)), ([n[1] for n in negated], [n[0] for n in negated])),
                                shape=(len(self.terms), len(self.diseases)))
        self.negated_by_disease: dict[int, list[int]] = {}
        for row, col in negated:
            self.negated_by_disease.setdefault(row, []).append(col)
        self.seed_labels = {seed: data.label(seed) for seeds in data.counterparts.values() for seed in seeds}
        self.background = self._background() if self.scoring.calibrate else np.zeros(len(self.diseases))

    @classmethod
    def from_graph(cls, source: Any, scoring: Scoring | None = None, progress=None) -> Ranker:
        """A ranker over a graph (anything :func:`nmdkg.network.read` takes)."""
        return cls(read(source, progress=progress), scoring)

    def weight(self, frequency: float | None) -> float:
        f = self.scoring.unknown_frequency if frequency is None else frequency
        return self.scoring.floor + (1 - self.scoring.floor) * f

    def _closures(self) -> tuple[np.ndarray, np.ndarray]:
        """W (terms x diseases): the best match weight of each disease's annotations at or below each term;
        F: the highest frequency of such annotations (for the absent-finding penalty)."""
        H, D = len(self.terms), len(self.diseases)
        W = np.zeros((H, D), dtype=np.float32)
        F = np.zeros((H, D), dtype=np.float32)
        rows, cols, weights, freqs = [], [], [], []
        for d, annotated in enumerate(self.annotations):
            for u, frequency in annotated:
                f = self.scoring.unknown_frequency if frequency is None else frequency
                ancestors = self._anc_idx[self._anc_ptr[u]:self._anc_ptr[u + 1]]
                rows.append(ancestors)
                cols.append(np.full(len(ancestors), d))
                weights.append(np.full(len(ancestors), self.weight(frequency)))
                freqs.append(np.full(len(ancestors), f))
        if rows:
            r, c = np.concatenate(rows), np.concatenate(cols)
            np.maximum.at(W, (r, c), np.concatenate(weights).astype(np.float32))
            np.maximum.at(F, (r, c), np.concatenate(freqs).astype(np.float32))
        return W, F

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

    def match_matrix(self, present: Sequence[str]) -> np.ndarray:
        r"""``len(present) x diseases``: for each finding and disease, the IC-weighted best match
        :math:`\max_h \mathrm{IC}(h) W_{dh}`."""
        out = np.zeros((len(present), len(self.diseases)), dtype=np.float32)
        for i, term in enumerate(present):
            anc = self.ancestors_of(term)
            anc = anc[self.ic[anc] > 0]
            if len(anc):
                np.max(self.W[anc] * self.ic[anc, None].astype(np.float32), axis=0, out=out[i])
        return out

    def term_scores(self, present: Sequence[str]) -> np.ndarray:
        """``len(present) x diseases``: :math:`s_t(d)`, the best match minus the cost of a finding the
        disease does not imply."""
        out = self.match_matrix(present).astype(np.float64)
        for i, term in enumerate(present):
            j = self.column.get(term)
            implied = self.W[j] > 0 if j is not None else np.zeros(len(self.diseases), dtype=bool)
            out[i] -= self.scoring.mismatch * ~implied
        return out

    def _background(self, chunk: int = 512) -> np.ndarray:
        r""":math:`\mu_d`: each disease's mean :math:`s_t(d)` over every term annotated to a ranked
        disease."""
        annotated = sorted({self.terms[u] for annotations in self.annotations for u, _ in annotations})
        total = np.zeros(len(self.diseases))
        for start in range(0, len(annotated), chunk):
            total += self.term_scores(annotated[start:start + chunk]).sum(axis=0)
        return total / max(len(annotated), 1)

    def scores(self, present: Sequence[str], absent: Sequence[str] = ()) -> np.ndarray:
        """The score of every disease (in the order of :attr:`diseases`) for already checked terms."""
        total = self.term_scores(present).sum(axis=0)
        if self.scoring.penalty:
            total -= self.scoring.penalty * self._penalties(present, absent)
        return total / len(present) - self.background

    def _penalties(self, present: Sequence[str], absent: Sequence[str]) -> np.ndarray:
        out = np.zeros(len(self.diseases))
        for term in absent:
            j = self.column.get(term)
            if j is not None and self.ic[j] > 0:
                out += self.ic[j] * self.F[j]
        if self.NOT.nnz:
            for term in present:
                anc = self.ancestors_of(term)
                hits = self.NOT[anc]
                if hits.nnz:
                    coo = hits.tocoo()
                    best = np.zeros(len(self.diseases))
                    np.maximum.at(best, coo.col, self.ic[anc[coo.row]])
                    out += best
        return out

    def rank(self, present: Iterable[str], absent: Iterable[str] = (), top: int = 10) -> list[Result]:
        """Check the terms, score every disease and return the ``top`` results, explained.

        Ties are broken by identifier.
        """
        present_ids, absent_ids, _ = check_terms(present, absent, self.hpo)
        return self.rank_checked(present_ids, absent_ids, top)

    def rank_checked(self, present: Sequence[str], absent: Sequence[str] = (), top: int = 10) -> list[Result]:
        scores = self.scores(present, absent)
        order = sorted(range(len(scores)),
                       key=lambda i: (-round(float(scores[i]), 9), self.diseases[i]))[:top]
        return [self.explain(i, rank, float(scores[i]), present, absent) for rank, i in enumerate(order, 1)]

    def explain(self, d: int, rank: int, score: float, present: Sequence[str],
                absent: Sequence[str]) -> Result:
        """The result of disease ``d``, with what matched and what was held against it."""
        disease = self.diseases[d]
        matches = []
        for term in present:
            anc = self.ancestors_of(term)
            anc = anc[self.ic[anc] > 0]
            values = self.W[anc, d] * self.ic[anc] if len(anc) else np.zeros(0)
            j = self.column.get(term)
            cost = 0.0 if j is not None and self.W[j, d] > 0 else self.scoring.mismatch
            if not len(values) or values.max() <= 0:
                continue  # nothing in common but the root: only the mismatch cost
            best = int(np.argmax(values))
            h = int(anc[best])
            annotation, frequency = self._annotation_under(d, h)
            matches.append(Match(term, self.label(term), self.terms[annotation],
                                 self.label(self.terms[annotation]), self.terms[h], self.label(self.terms[h]),
                                 float(self.ic[h]), frequency, (float(values[best]) - cost) / len(present)))
        penalties = []
        for term in absent:
            j = self.column.get(term)
            if j is not None and self.F[j, d] > 0 and self.ic[j] > 0:
                annotation, frequency = self._annotation_under(d, j, by="frequency")
                value = float(self.ic[j] * self.F[j, d]) * self.scoring.penalty / len(present)
                penalties.append(Penalty("absent but annotated", term, self.label(term),
                                         self.terms[annotation], self.label(self.terms[annotation]),
                                         float(self.ic[j]), frequency, value))
        for term in present:
            ancestry = set(self.ancestors_of(term).tolist())
            excluded = [n for n in self.negated_by_disease.get(d, []) if n in ancestry]
            if excluded:
                n = max(excluded, key=lambda j: (self.ic[j], -j))
                value = float(self.ic[n]) * self.scoring.penalty / len(present)
                penalties.append(Penalty("present but excluded", term, self.label(term), self.terms[n],
                                         self.label(self.terms[n]), float(self.ic[n]), None, value))
        seeds = tuple({"id": s, "label": self.seed_labels.get(s, s)}
                      for s in self.data.counterparts.get(disease, ()))
        return Result(rank, disease, self.data.label(disease), score, float(self.background[d]),
                      tuple(matches), tuple(penalties), seeds)

    def _annotation_under(self, d: int, h: int, by: str = "weight") -> tuple[int, float | None]:
        """The annotation of disease ``d`` at or below term ``h`` that gives its closure value (the least
        specific one among equals, i.e. the closest to ``h``)."""
        candidates = []
        for u, frequency in self.annotations[d]:
            ancestors = self._anc_idx[self._anc_ptr[u]:self._anc_ptr[u + 1]]
            if h in ancestors:
                value = self.weight(frequency) if by == "weight" else (
                    self.scoring.unknown_frequency if frequency is None else frequency)
                candidates.append((-value, float(self.ic[u]), self.terms[u], u, frequency))
        _, _, _, u, frequency = min(candidates)
        return u, frequency


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

def read_patients(path: Path) -> list[Patient]:
    """Patients from a JSON Lines file: one object per line with ``id`` (a string), ``present`` (a list of
    HPO CURIEs) and optionally ``absent``. Blank lines are skipped; the terms are checked later."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: patients file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from exc
    patients: list[Patient] = []
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path.name}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{where}: not valid JSON: {exc.msg}") from None
        if not isinstance(record, dict):
            raise InputError(f"{where}: expected a JSON object with id, present and absent")
        unknown = sorted(set(record) - {"id", "present", "absent"})
        if unknown:
            raise InputError(f"{where}: unknown key(s) {', '.join(unknown)}; expected id, present, absent")
        identifier = record.get("id")
        if not isinstance(identifier, str) or not identifier:
            raise InputError(f"{where}: 'id' must be a non-empty string")
        if identifier in seen:
            raise InputError(f"{where}: duplicate patient id {identifier!r}")
        seen.add(identifier)
        lists = {}
        for key in ("present", "absent"):
            value = record.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise InputError(f"{where}: {key!r} must be a list of HPO CURIEs")
            lists[key] = tuple(value)
        patients.append(Patient(identifier, lists["present"], lists["absent"]))
    if not patients:
        raise InputError(f"{path}: no patient in the file")
    return patients


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
                 "finding the disease does not imply) minus the disease's mean for a random finding, minus "
                 "penalties.")
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


def rank_patients(ranker: Ranker, patients: Sequence[Patient], top: int = 10, progress=None) -> list[dict]:
    """Rank every patient (terms checked first, all of them, so a bad file fails before any output)."""
    checked = []
    for patient in patients:
        present, absent, notes = check_terms(patient.present, patient.absent, ranker.hpo,
                                             where=f"patient {patient.id!r}")
        checked.append((patient.id, present, absent, notes))
    out = []
    for n, (identifier, present, absent, notes) in enumerate(checked, start=1):
        out.append(result_json(ranker.rank_checked(present, absent, top), identifier, notes))
        if progress and n % 100 == 0:
            progress(f"{n} of {len(checked)} patients ranked")
    return out


__all__ = ["Match", "Patient", "Penalty", "Ranker", "Result", "Scoring", "check_terms", "format_table",
           "rank_patients", "read_patients", "result_json"]
