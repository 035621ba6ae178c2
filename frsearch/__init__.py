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
    "NotAnIndexError": "frsearch.errors",
    "Index": "frsearch.index",
    "IndexStats": "frsearch.index",
    "RemoveReport": "frsearch.index",
    "check_index": "frsearch.index",
    "open_index": "frsearch.index",
    "IndexProgress": "frsearch.indexing",
    "IndexReport": "frsearch.indexing",
    "default_index_dir": "frsearch.locations",
    "seeds_dir": "frsearch.locations",
    "ArticleHit": "frsearch.results",
    "Duplicate": "frsearch.results",
    "Hit": "frsearch.results",
    "SearchResult": "frsearch.results",
    "export_opensearch": "frsearch.export",
    "connect_opensearch": "frsearch.opensearch",
    "CheckReport": "frsearch.storage",
    "SynonymError": "frsearch.synonyms",
}
"""The public API, name → the module it is imported from on first use. The
imports below say the same to type checkers (``tests/test_style.py`` checks
that the two agree)."""

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from frsearch.analysis import analyze as analyze
    from frsearch.articles import Article as Article
    from frsearch.articles import InputProblem as InputProblem
    from frsearch.articles import Passage as Passage
    from frsearch.articles import read_articles as read_articles
    from frsearch.errors import FrsearchError as FrsearchError
    from frsearch.errors import IndexClosedError as IndexClosedError
    from frsearch.errors import IndexDamagedError as IndexDamagedError
    from frsearch.errors import IndexExistsError as IndexExistsError
    from frsearch.errors import IndexLockedError as IndexLockedError
    from frsearch.errors import IndexNotFoundError as IndexNotFoundError
    from frsearch.errors import IndexTamperedError as IndexTamperedError
    from frsearch.errors import IndexWriteError as IndexWriteError
    from frsearch.errors import NotAnIndexError as NotAnIndexError
    from frsearch.export import export_opensearch as export_opensearch
    from frsearch.index import Index as Index
    from frsearch.index import IndexStats as IndexStats
    from frsearch.index import RemoveReport as RemoveReport
    from frsearch.index import check_index as check_index
    from frsearch.index import open_index as open_index
    from frsearch.indexing import IndexProgress as IndexProgress
    from frsearch.indexing import IndexReport as IndexReport
    from frsearch.locations import default_index_dir as default_index_dir
    from frsearch.locations import seeds_dir as seeds_dir
    from frsearch.opensearch import connect_opensearch as connect_opensearch
    from frsearch.results import ArticleHit as ArticleHit
    from frsearch.results import Duplicate as Duplicate
    from frsearch.results import Hit as Hit
    from frsearch.results import SearchResult as SearchResult
    from frsearch.storage import CheckReport as CheckReport
    from frsearch.synonyms import SynonymError as SynonymError


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'frsearch' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
