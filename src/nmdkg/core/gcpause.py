"""Pausing Python's cyclic garbage collector while a step makes millions of objects.

A build at full-HPO scale makes tens of millions of strings, tuples, lists and dictionaries, none of which
form reference cycles. The cyclic collector, run every few hundred allocations, walks the ever-growing
young and old generations all the same: a third of the time of building the graph and of the compiled SHACL
engine's indexes (measured in docs/benchmarks.md). Inside :func:`paused` it does not run; memory freed by
reference counting is freed as always, and any cycle made meanwhile is collected once it is over.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """Run the block with the cyclic garbage collector off (as it was, after; nesting is harmless)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
