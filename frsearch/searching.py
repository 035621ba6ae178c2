"""Where the result model lived before the search path became stages; kept so
that ``from frsearch.searching import Hit`` goes on working.

A search runs through four modules, in this order, each importing only from
those before it: ``planning`` (a query tree compiled against the index's
vocabulary), ``execution`` (the plan run: passages and the scores they are
ranked by), ``results`` (hits: stored fields, matched words, snippets) and
``collapsing`` (near-duplicates grouped). ``Index.search`` calls them in turn.
"""

from __future__ import annotations

from frsearch.results import ArticleHit, Duplicate, Hit, SearchResult

__all__ = ["ArticleHit", "Duplicate", "Hit", "SearchResult"]
