"""Facets: how the matches of a query spread over months and over the values
of a metadata field (``source``, ``author``, ``tags``…), counted over every
passage matched, not only the page shown, so that a search page can offer
them to narrow the search (``source:lemonde``, ``date:2021-12``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping

from frsearch.catalog import Catalog

__all__ = ["MAX_VALUES", "count_facets"]

MAX_VALUES = 100
"""Values of a field listed at most, the most frequent (months: the latest)."""


def count_facets(names: Iterable[str], matched: Collection[int], catalog: Catalog,
                 articles: Mapping[int, str] | None = None,
                 ) -> tuple[dict[str, list[tuple[str, int]]], list[str]]:
    """For each facet of ``names``, its values among the ``matched`` passages
    and how many hold each (with ``articles``, docnum → article id: how many
    articles), and the warnings for names that cannot be counted.

    ``date`` counts by month (``YYYY-MM``; a date of only ``YYYY`` under
    ``YYYY``), in order; other names are metadata fields, their values as
    filters take them (lowercased), most frequent first, equal counts in
    alphabetical order.
    """
    counts: dict[str, list[tuple[str, int]]] = {}
    warnings: list[str] = []
    matched_set = matched if isinstance(matched, (set, frozenset)) else set(matched)
    for name in dict.fromkeys(name.strip().lower() for name in names):
        if not name:
            continue
        if name == "date":
            dates = catalog.dates()
            months: dict[str, set] = {}
            for docnum in matched_set:
                written = dates.get(docnum)
                if written is not None:
                    months.setdefault(written[:7], set()).add(
                        docnum if articles is None else articles.get(docnum))
            counts[name] = sorted((month, len(held)) for month, held in months.items()
                                  )[-MAX_VALUES:]
            continue
        values = catalog.keyword(name) if name not in ("id", "title") else {}
        if not values:
            warnings.append(f"facet {name!r} was left out: no article has a field {name!r}"
                            if name not in ("id", "title") else
                            f"facet {name!r} was left out: only date and metadata "
                            "fields have facets")
            continue
        found: Counter[str] = Counter()
        for value, docnums in values.items():
            held = docnums & matched_set
            if held:
                found[value] = len(held) if articles is None else len(
                    {articles.get(docnum) for docnum in held})
        counts[name] = sorted(found.items(), key=lambda item: (-item[1], item[0]))[:MAX_VALUES]
    return counts, warnings
