"""What a search knows of every passage without reading its stored fields:
its article, its date, its metadata keywords. Sorting by date, grouping by
article and counting facets ask this of every passage a query matches, and
reading a stored passage costs a decompression: these come from the index's
terms instead (``article_id``, ``date``, ``keywords``), read once per commit
and kept while its reader lives.
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

__all__ = ["Catalog", "catalog"]


class Catalog:
    """Per document number, the terms one field gives it, read on first use."""

    __slots__ = ("__weakref__", "_fields", "_keywords", "_reader")

    def __init__(self, reader) -> None:
        self._reader = reader
        self._fields: dict[str, dict[int, str]] = {}
        self._keywords: dict[str, dict[str, frozenset[int]]] = {}

    def _of(self, fieldname: str) -> dict[int, str]:
        """Document number → its term in ``fieldname`` (an ID field, one term a
        passage), for the passages not deleted."""
        found = self._fields.get(fieldname)
        if found is None:
            found = self._fields[fieldname] = {}
            if fieldname in self._reader.schema:
                for segment, offset in self._reader.leaf_readers():
                    for term in segment.lexicon(fieldname):
                        text = term.decode("utf-8")
                        found.update((docnum + offset, text) for docnum
                                     in segment.postings(fieldname, term).all_ids())
        return found

    def dates(self) -> dict[int, str]:
        """Document number → the date of its article as written (``2021-12``)."""
        return self._of("date")

    def articles(self) -> dict[int, str]:
        """Document number → its article's id."""
        return self._of("article_id")

    def keyword(self, name: str) -> dict[str, frozenset[int]]:
        """Each value of metadata ``name`` (as ``indexing.keyword_term`` writes
        it, lowercased) → the document numbers holding it."""
        found = self._keywords.get(name)
        if found is None:
            held: dict[str, set[int]] = {}
            prefix = f"{name}="
            if "keywords" in self._reader.schema:
                for segment, offset in self._reader.leaf_readers():
                    for term in segment.expand_prefix("keywords", prefix):
                        text = term.decode("utf-8") if isinstance(term, bytes) else term
                        held.setdefault(text[len(prefix):], set()).update(
                            docnum + offset for docnum
                            in segment.postings("keywords", term).all_ids())
            found = self._keywords[name] = {value: frozenset(docnums)
                                            for value, docnums in held.items()}
        return found


_CATALOGS: WeakKeyDictionary = WeakKeyDictionary()


def catalog(reader) -> Catalog:
    """The catalog of ``reader``'s commit, made once while the reader lives."""
    found = _CATALOGS.get(reader)
    if found is None:
        found = _CATALOGS[reader] = Catalog(reader)
    return found
