"""Collapsing, the last stage of a search: near-duplicate passages (wire copy
repeated across articles) grouped under the best-ranked of them, and the page
of hits filled from the rest in rank order."""

from __future__ import annotations

from collections.abc import Callable

from frsearch.duplicates import are_near_duplicates
from frsearch.results import Found, Hit

__all__ = ["collapse"]


def collapse(found: list[Found], limit: int, group: bool,
             expired: Callable[[], bool] = lambda: False) -> list[Hit]:
    """The ``limit`` best hits of ``found`` (in rank order), in that order.

    With ``group``, a passage that nearly duplicates a better-ranked one (or
    repeats it word for word, however short) is listed under it instead of
    taking a place of its own. Once ``expired()``, passages are no longer read
    to be compared: the next ones are shown as they rank (still at most ``limit``).
    """
    groups: list[tuple[Found, list[Found]]] = []
    for passage in found:
        comparing = group and not expired()
        if comparing:
            leader = next((g for g in groups if _same_passage(g[0], passage)), None)
            if leader is not None:
                leader[1].append(passage)
                continue
        if len(groups) < limit:
            groups.append((passage, []))
        elif not comparing:
            break
    return [leader.hit(copies) for leader, copies in groups]


def _same_passage(leader: Found, other: Found) -> bool:
    """Near-duplicates, or the same words however short. (The same words have
    the same sketch: texts are only compared when sketches are equal.)"""
    if leader.sketch == other.sketch and leader.stored.text == other.stored.text:
        return True
    return leader.comparable and other.comparable and are_near_duplicates(leader.sketch,
                                                                          other.sketch)
