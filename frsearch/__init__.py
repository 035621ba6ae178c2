"""frsearch: full-text passage search over French text.

>>> import frsearch
>>> frsearch.analyze("L’Ukraine et les États-Unis")
['ukrain', 'etat', 'unis']

``open_index(path)`` opens an index (``create=True`` makes one), ``.add(paths)``
indexes articles, ``.search(query)`` returns ranked passages with highlights.
Names are imported on first use, so ``import frsearch`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

_EXPORTS = {
    "analyze": "frsearch.analysis",
    "Article": "frsearch.articles",
    "InputProblem": "frsearch.articles",
    "Passage": "frsearch.articles",
    "read_articles": "frsearch.articles",
    "FrsearchError": "frsearch.errors",
    "IndexClosedError": "frsearch.errors",
    "IndexDamagedError": "frsearch.errors",
    "IndexExistsError": "frsearch.errors",
    "IndexLockedError": "frsearch.errors",
    "IndexNotFoundError": "frsearch.errors",
    "IndexTamperedError": "frsearch.errors",
    "IndexWriteError": "frsearch.errors",
    "Index": "frsearch.index",
    "IndexStats": "frsearch.index",
    "open_index": "frsearch.index",
    "check_index": "frsearch.index",
    "CheckReport": "frsearch.storage",
    "IndexProgress": "frsearch.indexing",
    "IndexReport": "frsearch.indexing",
    "default_index_dir": "frsearch.locations",
    "seeds_dir": "frsearch.locations",
    "Hit": "frsearch.searching",
    "SearchResult": "frsearch.searching",
}

__all__ = [
    "Article",
    "FrsearchError",
    "Hit",
    "Index",
    "IndexClosedError",
    "IndexDamagedError",
    "IndexExistsError",
    "IndexLockedError",
    "IndexNotFoundError",
    "IndexProgress",
    "IndexTamperedError",
    "IndexWriteError",
    "IndexReport",
    "IndexStats",
    "InputProblem",
    "Passage",
    "SearchResult",
    "CheckReport",
    "analyze",
    "check_index",
    "default_index_dir",
    "open_index",
    "read_articles",
    "seeds_dir",
]

if TYPE_CHECKING:
    from frsearch.analysis import analyze
    from frsearch.articles import Article, InputProblem, Passage, read_articles
    from frsearch.errors import (
        FrsearchError,
        IndexClosedError,
        IndexDamagedError,
        IndexExistsError,
        IndexLockedError,
        IndexNotFoundError,
        IndexTamperedError,
        IndexWriteError,
    )
    from frsearch.index import Index, IndexStats, check_index, open_index
    from frsearch.indexing import IndexProgress, IndexReport
    from frsearch.locations import default_index_dir, seeds_dir
    from frsearch.searching import Hit, SearchResult
    from frsearch.storage import CheckReport


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'frsearch' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
