"""The pictures of a network analysis (PNG, by matplotlib without a display): the network, the heatmap of
the article's disorders and the symptom hubs."""

from __future__ import annotations

import io
import math
from collections import defaultdict

import networkx as nx
import numpy as np

from nmdkg.analysis.compute import (
    PICTURE_LIMIT,
    Analysis,
)
from nmdkg.analysis.network import ANNOTATED_PREFIXES

#: Above this many disorders drawn, the network picture is laid out community by community
#: (:func:`community_layout`; one spring layout of the whole takes 3.5 s at the default scope's 1,120).
COMMUNITY_LAYOUT_FROM = 500


def _figure(width: float, height: float):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt, plt.figure(figsize=(width, height), dpi=150)


def _png(plt, fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


def _short(text: str, width: int = 48) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def article_disorders(a: Analysis) -> list[tuple[str, str]]:
    """The article's disorders with phenotypes and their annotated counterparts, as (disorder, group)
    pairs, grouped by article disorder (what the heatmap shows)."""
    data = a.data
    seeds = sorted({d for d in a.weights.disorders if not d.startswith(ANNOTATED_PREFIXES)},
                   key=lambda d: (data.label(d).lower(), d))
    by_seed: dict[str, list[str]] = defaultdict(list)
    for disorder, parents in data.counterparts.items():
        if disorder in a.nodes:
            by_seed[parents[0]].append(disorder)
    rows: list[tuple[str, str]] = []
    for seed in seeds:
        rows.append((seed, seed))
        rows += [(d, seed) for d in sorted(by_seed.get(seed, []))]
    return rows


def _induced(G: nx.Graph, nodes: list[str]) -> nx.Graph:
    """The subgraph of ``G`` on ``nodes``, as a graph of its own whose nodes come in the order given.

    (A NetworkX subgraph view of a small part iterates over a set of the nodes, in an order that changes
    with Python's string hashing from one run to the next, and so did the layouts drawn from it.)
    """
    keep = set(nodes)
    H = nx.Graph()
    H.add_nodes_from(nodes)
    H.add_edges_from((u, v) for u, v in G.edges() if u in keep and v in keep)
    return H


def community_layout(H: nx.Graph, membership: dict[str, int], *, seed: int = 0) -> dict[str, np.ndarray]:
    """Positions for a large network, cheaper than one spring layout of the whole (12 s for 1,500 nodes and
    5,000 edges, 3.5 s for 1,120 nodes and 8,000 edges, against under half a second here): the communities
    are placed by a spring layout of the graph of communities (weighted by the edges between them), and each
    community's members by a spring layout of its own edges, within a disc whose area is in proportion to
    its size.

    >>> H = nx.Graph([("a", "b"), ("b", "c"), ("c", "a"), ("d", "e"), ("c", "d")])
    >>> pos = community_layout(H, {"a": 1, "b": 1, "c": 1, "d": 2, "e": 2})
    >>> sorted(pos) == sorted(H) and all(p.shape == (2,) for p in pos.values())
    True
    """
    groups: dict[int, list[str]] = defaultdict(list)
    for node in H:
        groups[membership[node]].append(node)
    links: dict[tuple[int, int], int] = defaultdict(int)
    for u, v in H.edges():
        cu, cv = sorted((membership[u], membership[v]))
        if cu != cv:
            links[cu, cv] += 1
    most = max(links.values(), default=1)
    between = nx.complete_graph(sorted(groups))  # a weak pull between all keeps unlinked communities near
    for cu, cv in between.edges():
        between.edges[cu, cv]["weight"] = 0.02 + links.get((cu, cv), 0) / most
    centres = nx.spring_layout(between, seed=seed, weight="weight") if len(between) > 1 \
        else {c: np.zeros(2) for c in groups}
    total = max(1, len(H))
    pos: dict[str, np.ndarray] = {}
    for community, members in sorted(groups.items()):
        inner = nx.spring_layout(_induced(H, sorted(members)), seed=seed, weight=None, iterations=60) \
            if len(members) > 1 else {members[0]: np.zeros(2)}
        radius = 0.5 * math.sqrt(len(members) / total)
        for node, xy in inner.items():
            pos[node] = np.asarray(centres[community]) + radius * np.asarray(xy)
    return pos


def network_png(a: Analysis) -> bytes:
    """The disorder network, nodes coloured by community (the ten largest), article disorders labelled."""
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D

    G = a.network
    nodes = [n for n in G if G.degree(n) > 0]
    note = ""
    if len(nodes) > PICTURE_LIMIT:  # each community keeps its best-connected, in proportion to its size
        by_community: dict[int, list[str]] = defaultdict(list)
        for n in nodes:
            by_community[a.membership[n]].append(n)
        kept = []
        for members in by_community.values():
            quota = max(1, round(PICTURE_LIMIT * len(members) / len(nodes)))
            kept += sorted(members, key=lambda n: (-a.nodes[n]["strength"], n))[:quota]
        kept_set = set(kept) | {n for n in nodes if not n.startswith(ANNOTATED_PREFIXES)}
        nodes = [n for n in nodes if n in kept_set]
        note = f" — {len(nodes):,} of {G.number_of_nodes():,} disorders, the best-connected of each community"
    H = _induced(G, sorted(nodes))
    if len(H) > COMMUNITY_LAYOUT_FROM:
        pos = community_layout(H, a.membership, seed=a.seed)
        note += ("," if note else " —") + " laid out community by community"
    else:
        pos = nx.spring_layout(H, seed=a.seed, weight=None, iterations=60) if len(H) else {}
    plt, fig = _figure(12, 10)
    ax = fig.add_subplot(111)
    tab10 = plt.get_cmap("tab10").colors
    palette = [c for i, c in enumerate(tab10) if i != 7] + [plt.get_cmap("Dark2").colors[5]]  # no grey
    main = [row["community"] for row in a.community_table if row["size"] > 1][:10]
    colour = {c: palette[i] for i, c in enumerate(main)}
    segments = [(pos[u], pos[v]) for u, v in H.edges()]
    ax.add_collection(LineCollection(segments, colors=(0.5, 0.5, 0.5, 0.12), linewidths=0.4, zorder=1))
    if len(H):
        xy = np.array([pos[n] for n in H])
        colours = [colour.get(a.membership[n], (0.8, 0.8, 0.8)) for n in H]
        sizes = [6 + 3 * math.sqrt(H.degree(n)) for n in H]
        article = {d for d, _ in article_disorders(a)}
        edge = ["black" if n in article else "none" for n in H]
        ax.scatter(xy[:, 0], xy[:, 1], s=sizes, c=colours, edgecolors=edge, linewidths=0.6, zorder=2)
        labelled = sorted((n for n in H if not n.startswith(ANNOTATED_PREFIXES)),
                          key=lambda n: (-pos[n][1], n))
        span = float(np.ptp(xy[:, 1])) or 1.0
        placed: list[tuple[float, float]] = []
        for n in labelled:  # nudge a label down while it would overlap one already placed
            x, y = float(pos[n][0]), float(pos[n][1])
            dy = 0.0
            while any(abs(x - px) < 0.25 * span and abs(y + dy - py) < 0.03 * span for px, py in placed):
                dy -= 0.03 * span
            placed.append((x, y + dy))
            ax.annotate(a.data.label(n), (x, y), xytext=(x + 0.01 * span, y + dy + 0.01 * span), fontsize=8,
                        fontweight="bold", zorder=3,
                        arrowprops={"arrowstyle": "-", "lw": 0.5} if dy else None,
                        bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.7})
        ax.update_datalim(xy)
        ax.autoscale_view()
    handles = []
    for row in a.community_table:
        if row["community"] in colour:
            name = row["top_phenotype_labels"][0] if row["top_phenotype_labels"] else row["main_category"]
            handles.append(Line2D([], [], marker="o", linestyle="", color=colour[row["community"]],
                                  label=f"{row['community']}: {_short(name, 44)} ({row['size']})"))
    handles.append(Line2D([], [], marker="o", linestyle="", markerfacecolor="white", markeredgecolor="black",
                          label="article disorder or its counterpart"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False,
              title="community: most characteristic phenotype (size)", title_fontsize=8)
    ax.set_title(f"Shared-symptom network of disorders ({a.metric}, {G.number_of_edges():,} edges{note})",
                 fontsize=11)
    ax.set_axis_off()
    return _png(plt, fig)


def heatmap_png(a: Analysis) -> bytes:
    """Similarity of the article's disorders and their OMIM/Orphanet counterparts under the metric."""
    rows = article_disorders(a)
    title = f"Similarity ({a.metric}) of the article's disorders and their counterparts"
    if len(rows) < 2:
        strongest = sorted(a.nodes, key=lambda n: (-a.nodes[n]["strength"], n))[:30]
        rows = [(d, "") for d in sorted(strongest)]
        title = f"Similarity ({a.metric}) of the 30 best-connected disorders"
    index = {d: i for i, d in enumerate(a.weights.disorders)}
    ids = np.array([index[d] for d, _ in rows], dtype=np.int64)
    n = len(ids)
    r, c = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    values = a.weights.pair_values(a.metric, ids[r.ravel()], ids[c.ravel()]).reshape(n, n)
    values[np.arange(n), np.arange(n)] = np.nan
    plt, fig = _figure(max(6.0, 0.22 * n + 4), max(5.0, 0.22 * n + 2.5))
    ax = fig.add_subplot(111)
    cmap = plt.get_cmap("viridis").with_extremes(bad=(0.9, 0.9, 0.9))
    image = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, interpolation="nearest")
    labels = [("▶ " if d == group else "") + _short(f"{a.data.label(d)} ({d})") for d, group in rows]
    ax.set_xticks(range(n), labels, rotation=90, fontsize=7)
    ax.set_yticks(range(n), labels, fontsize=7)
    for i, (d, group) in enumerate(rows):
        if d == group and i:
            ax.axhline(i - 0.5, color="white", linewidth=1.2)
            ax.axvline(i - 0.5, color="white", linewidth=1.2)
    fig.colorbar(image, ax=ax, fraction=0.04, pad=0.02, label=a.metric)
    ax.set_title(title + "\n(▶ the article's disorder; grey: a disorder with itself)", fontsize=10)
    return _png(plt, fig)


def hubs_png(a: Analysis, n: int = 25) -> bytes:
    """The symptom hubs: phenotypes annotated to the most disorders, coloured by how many communities they
    span (participation)."""
    rows = a.symptoms[:n][::-1]
    plt, fig = _figure(10, max(4.0, 0.28 * len(rows) + 1.5))
    ax = fig.add_subplot(111)
    cmap = plt.get_cmap("plasma")
    values = [r["participation"] for r in rows]
    bars = ax.barh(range(len(rows)), [r["n_disorders"] for r in rows], color=[cmap(v) for v in values])
    ax.set_yticks(range(len(rows)), [_short(f"{r['label']} ({r['id']})", 72) for r in rows], fontsize=8)
    ax.bar_label(bars, labels=[f"{r['n_disorders']} ({r['n_communities']} comm.)" for r in rows], fontsize=7,
                 padding=2)
    ax.set_xlabel("disorders annotated with the phenotype")
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    fig.colorbar(ScalarMappable(Normalize(0, 1), cmap), ax=ax, fraction=0.03, pad=0.02,
                 label="spread over communities (participation)")
    ax.set_title(f"Symptom hubs: the {len(rows)} phenotypes shared by most disorders", fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(plt, fig)
