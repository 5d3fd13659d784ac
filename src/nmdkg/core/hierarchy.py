"""Walking a class hierarchy (HPO, MONDO): the one transitive closure every reader uses.

>>> parents = {"b": ["a"], "c": ["b"], "d": ["b", "a"]}
>>> sorted(closure(["c"], lambda node: parents.get(node, ())))
['a', 'b', 'c']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable


def closure(starts: Iterable[str], step: Callable[[str], Iterable[str]]) -> set[str]:
    """``starts`` and every node reached from them by following ``step`` (parents, or children) again and
    again; each node is visited once, so a cycle ends the walk."""
    seen: set[str] = set()
    stack = list(starts)
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            stack.extend(step(node))
    return seen
