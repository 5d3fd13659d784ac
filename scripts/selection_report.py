"""Print the figures of docs/decisions/0007-disease-classification.md: the neuromuscular selection's size,
its precision and recall against MONDO and against the former keyword rule, and the disagreements grouped
into classes by name (descriptive buckets: the first pattern of ``CLASSES`` that matches a disease's name).

Usage::

    python scripts/selection_report.py
"""

from __future__ import annotations

import re
from collections import Counter

from nmdkg.build.hpo import load_sources, overrides_of
from nmdkg.build.selection import compare, disease_names
from nmdkg.curated.tables import load_curated

CLASSES = [
    ("heart muscle (cardiomyopathy)", r"cardiomyopath|cardio"),
    ("gut (visceral)", r"visceral"),
    ("spastic paraplegia / upper motor neuron", r"spastic"),
    ("pontocerebellar hypoplasia", r"pontocerebellar"),
    ("mitochondrial / metabolic multisystem", r"mitochondri|coenzyme q10|pyruvate|peroxisome|zellweger|leigh|"
     r"complex|depletion|lipoamide|fumarase|oxoglutar|acidemia|biotinidase|carboxylase|trifunctional|"
     r"hydroxyacyl|lactic|melas|narp|kearns|ophthalmoplegia"),
    ("leukodystrophy / lysosomal", r"leukodystroph|krabbe|sandhoff|mannosid|leukoencephal|xanthomatosis|refsum"),
    ("amyloidosis", r"amyloid"),
    ("cranial / focal nerve disorders", r"neuralgia|palsy|horner|entrapment|meralgia|thoracic outlet|"
     r"mononeuropathy|cranial nerve"),
    ("infection / toxin", r"botulism|polio"),
    ("lipodystrophy", r"lipodystrophy|lipomatosis"),
    ("ataxia", r"ataxia"),
    ("syndromic (neuro/myopathy one feature of many)", r" with |-| and |syndrome"),
]
OTHER = "other single-system neuromuscular name"


def main() -> None:
    sources, data = load_sources(), load_curated()
    annotations = sources.annotations.annotations
    report = compare(annotations, sources.ontology, sources.mondo, overrides_of(data))
    names = disease_names(annotations)
    print(f"{report['diseases']} OMIM/Orphanet diseases annotated; {report['selected']} selected")
    for key in ("mondo", "keyword rule"):
        v = report[key]
        print(f"against {key}: size {v['size']}, precision {v['precision']:.3f}, recall {v['recall']:.3f}, "
              f"{len(v['only_selected'])} selected only, {len(v['only_reference'])} {key} only")
    groups = (("selected, not by the keyword rule", report["keyword rule"]["only_selected"]),
              ("keyword rule only, not selected", report["keyword rule"]["only_reference"]),
              ("selected by override only (MONDO silent)", report["mondo"]["only_selected"]))
    for title, diseases in groups:
        print(f"{title} ({len(diseases)}):")
        counts: Counter[str] = Counter()
        examples: dict[str, list[str]] = {}
        for disease in diseases:
            name = names[disease]
            label = next((label for label, pattern in CLASSES if re.search(pattern, name.lower())), OTHER)
            counts[label] += 1
            examples.setdefault(label, []).append(f"{disease} {name}")
        for label, n in counts.most_common():
            print(f"  {n:4d} {label}: e.g. {'; '.join(examples[label][:3])}")


if __name__ == "__main__":
    main()
