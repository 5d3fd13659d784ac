"""Which disorders best explain a patient's findings? A tour of ``nmdkg diagnose`` from Python.

Run it with ``python examples/diagnose_patient.py`` (it builds the default graph, about 15 seconds).
For research and education only: not for decisions about any person.

**1. A ranker over the graph.** :class:`nmdkg.diagnose.ranker.Ranker` reads the annotated diseases, their
phenotypes with frequencies, their negated annotations and the HPO hierarchy from the graph by SPARQL, and
precomputes the information content of every term and each disease's frequency-weighted annotations, so
that one patient then takes about a millisecond::

    ranker = Ranker.from_graph(graph)

**2. One patient.** Findings are HPO terms; :meth:`Ranker.rank` checks them (an obsolete identifier is an
error that names its replacement) and returns the best disorders, each explaining which finding matched
which annotation, through which common ancestor, with what information content and frequency. Findings
the patient is known *not* to have lower the disorders annotated with them, when the ranker is given a
``penalty`` (the shipped parameters, chosen by cross-validation on published patients, leave them out:
they did not help there; see docs/decisions/0008). The boy below has raised
creatine kinase, calf pseudohypertrophy, a muscular dystrophy and a late start of walking, and no
cardiomyopathy yet::

    penalised = ranker.with_scoring(Scoring(penalty=0.1, absent_power=3))
    results = penalised.rank(["HP:0003236", "HP:0003707", "HP:0003560", "HP:0031936"],
                             absent=["HP:0001638"], top=5)

**3. Many patients.** :func:`nmdkg.diagnose.ranker.rank_patients` ranks a list of :class:`Patient` records
(``nmdkg diagnose --patients FILE`` reads them from JSON Lines) and returns one JSON-ready record each.
"""

from __future__ import annotations

from typing import Any

PRESENT = ("HP:0003236", "HP:0003707", "HP:0003560", "HP:0031936")
ABSENT = ("HP:0001638",)


def main(graph: Any = None) -> dict[str, Any]:
    from nmdkg.diagnose.ranker import Patient, Ranker, Scoring, format_table, rank_patients

    if graph is None:
        from nmdkg.build.graph import build_graph

        graph = build_graph(scope="nmd")

    # 1. read the graph once
    ranker = Ranker.from_graph(graph)
    print(f"{len(ranker.diseases)} annotated diseases can be ranked\n")

    # 2. one patient, explained
    penalised = ranker.with_scoring(Scoring(penalty=0.1, absent_power=3))
    results = penalised.rank(PRESENT, absent=ABSENT, top=5)
    print(format_table(results, PRESENT, ABSENT, penalised))

    # 3. a batch: a myasthenic picture with and without fatigability
    patients = [
        Patient("mg-1", ("HP:0000508", "HP:0000651", "HP:0003473", "HP:0030319")),
        Patient("mg-2", ("HP:0000508", "HP:0000651", "HP:0030319"), absent=("HP:0003473",)),
    ]
    records = rank_patients(ranker, patients, top=3)
    for record in records:
        best = record["results"][0]
        print(f"{record['id']}: {best['label']} ({best['id']}), score {best['score']}")
    return {"results": results, "records": records}


if __name__ == "__main__":
    main()
