"""The figures: MRR@10, nDCG@10, and a paired bootstrap of a difference between two systems.

* MRR@10: 1 / rank of the first passage of grade 1 or 2 in the top 10, else 0;
* nDCG@10: gain ``2**grade - 1`` (3 for an answer, 1 for a partial one),
  discount ``log2(rank + 1)``, divided by the same sum over the best possible
  order of the query's judged passages;
* a query none of whose read passages is relevant has neither figure and is
  left out of every mean (the run names it).
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

DEPTH = 10
RESAMPLES = 1000
BOOTSTRAP_SEED = 7


def reciprocal_rank(ranked: Sequence[str], grades: dict[str, int], depth: int = DEPTH) -> float:
    for rank, passage_id in enumerate(ranked[:depth], start=1):
        if grades.get(passage_id, 0) > 0:
            return 1.0 / rank
    return 0.0


def _dcg(levels: Sequence[int]) -> float:
    return sum((2**level - 1) / math.log2(rank + 1) for rank, level in enumerate(levels, start=1))


def ndcg(ranked: Sequence[str], grades: dict[str, int], depth: int = DEPTH) -> float:
    ideal = _dcg(sorted((g for g in grades.values() if g > 0), reverse=True)[:depth])
    if ideal == 0:
        raise ValueError("no relevant passage: nDCG is undefined")
    return _dcg([grades.get(passage_id, 0) for passage_id in ranked[:depth]]) / ideal


def judged_share(ranked: Sequence[str], grades: dict[str, int], depth: int = DEPTH) -> float:
    """Share of the top ``depth`` that was read (1.0 for an empty list: nothing unread)."""
    top = ranked[:depth]
    return sum(passage_id in grades for passage_id in top) / len(top) if top else 1.0


@dataclass(frozen=True, slots=True)
class Interval:
    """A mean difference (a − b) over queries and its 95 % bootstrap interval."""

    mean: float
    low: float
    high: float
    queries: int

    def verdict(self) -> str:
        if self.low > 0:
            return "ahead"
        if self.high < 0:
            return "behind"
        return "within noise"

    def __str__(self) -> str:
        return f"{self.mean:+.3f} [{self.low:+.3f}, {self.high:+.3f}]"


def paired_bootstrap(a: Sequence[float], b: Sequence[float], resamples: int = RESAMPLES,
                     seed: int = BOOTSTRAP_SEED) -> Interval:
    """The mean of ``a[i] - b[i]`` and its 95 % percentile interval, resampling
    queries with replacement ``resamples`` times (the same queries for both
    systems, so that what the two share cancels out)."""
    if len(a) != len(b):
        raise ValueError("paired figures need the same queries")
    differences = [x - y for x, y in zip(a, b, strict=True)]
    count = len(differences)
    if count == 0:
        return Interval(0.0, 0.0, 0.0, 0)
    rng = random.Random(seed)
    means = sorted(sum(differences[rng.randrange(count)] for _ in range(count)) / count
                   for _ in range(resamples))
    low = means[int(0.025 * resamples)]
    high = means[min(resamples - 1, int(math.ceil(0.975 * resamples)) - 1)]
    return Interval(sum(differences) / count, low, high, count)
