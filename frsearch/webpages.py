"""Web pages in: the main text of a news page, its title, date and author.

A saved page is mostly what a reader skips: menus, headers and footers,
"most read" sidebars, cookie banners, scripts and styles. Indexed as it is,
its markup is found (``div class``) and its title is ``<!DOCTYPE html>``.
trafilatura, an extractor made for news pages, finds the article in it; this
module turns what it finds into blocks ``articles`` makes passages of: the
section titles (``<h2>``…) as headings, the paragraphs, list items and table
rows as paragraphs, in page order.

trafilatura takes a third of a second to import, so it is imported the first
time a page is read: a search never pays for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["PageText", "extract_page"]

_SPACES = re.compile(r"\s+")
# Words left of a byline once trafilatura took its name and time out of it:
# "Par <span>Claire Martin</span>, publié le <time>…</time>" reads "Par , publié le".
_BYLINE_WORDS = frozenset({
    "par", "de", "du", "des", "et", "le", "la", "les", "à", "a", "publié", "publiée",
    "mis", "mise", "jour", "modifié", "modifiée", "actualisé", "actualisée", "hier",
    "aujourd'hui", "by", "and", "published", "updated", "on", "at",
})
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
# What trafilatura returns in place of a body when all it found is page furniture.
_FURNITURE = frozenset({"nav", "header", "footer", "aside"})


@dataclass(frozen=True, slots=True)
class PageText:
    """What a page holds for a reader: ``blocks`` are (kind, text) in page
    order, kind ``"heading"`` or ``"paragraph"``; the title, date (YYYY-MM-DD)
    and author are None where the page gives none."""

    title: str | None
    date: str | None
    author: str | None
    blocks: tuple[tuple[str, str], ...]


def extract_page(markup: str) -> PageText:
    """The main text of the page ``markup`` (see the module docstring).

    Raises ValueError, saying why, when the page holds no text to index
    (only navigation, scripts or markup): a page is never indexed as markup.
    """
    import trafilatura  # costly: only when a page is read

    found = trafilatura.bare_extraction(
        markup, with_metadata=True, include_comments=False, include_tables=True,
        include_images=False, favor_precision=True,
        # a copyright year is no publication date: no guessing from the text
        date_extraction_params={"extensive_search": False, "original_date": True})
    if not isinstance(found, trafilatura.settings.Document) or found.body is None \
            or found.body.tag in _FURNITURE:
        raise ValueError("no main text found in this page (only navigation, scripts or markup)")
    body = found.body
    author = _clean(found.author or "") or None
    blocks = tuple(_blocks(body, author))
    title = _clean(found.title or "") or None
    if blocks and title and blocks[0] == ("heading", title):
        blocks = blocks[1:]  # the <h1> is the title
    if not any(kind == "paragraph" for kind, _ in blocks) and not title:
        raise ValueError("no main text found in this page (only navigation, scripts or markup)")
    return PageText(title=title, date=found.date or None, author=author, blocks=blocks)


def _blocks(body, author: str | None) -> list[tuple[str, str]]:
    """(kind, text) of each block of trafilatura's body: ``head`` a heading;
    ``p``, ``quote``, ``code`` a paragraph; each ``item`` of a list and each
    ``row`` of a table a paragraph (a row's cells joined); byline residue out."""
    blocks: list[tuple[str, str]] = []
    for element in body:
        tag = element.tag
        if tag == "list":
            parts = [("paragraph", _text(item)) for item in element.iter("item")]
        elif tag == "table":
            parts = [("paragraph", " · ".join(filter(None, map(_text, row.iter("cell")))))
                     for row in element.iter("row")]
        elif tag == "head":
            parts = [("heading", _text(element))]
        elif tag == "graphic":
            continue
        else:
            parts = [("paragraph", _text(element))]
        blocks.extend((kind, text) for kind, text in parts
                      if text and not _is_byline(text, author))
    return blocks


def _text(element) -> str:
    """The text of ``element``, a line break (``<lb/>``) read as a space."""
    parts = [element.text or ""]
    for child in element:
        parts.append(" " if child.tag == "lb" else _text(child))
        parts.append(child.tail or "")
    return _clean("".join(parts))


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _is_byline(text: str, author: str | None) -> bool:
    """A block of byline words only, once the author's name is taken out:
    "Par Claire Martin, publié le <time>", or what trafilatura leaves of it
    when it moved the author and the date to the metadata ("Par , publié le").
    The author and the date are kept, as metadata. A block with no word at
    all (a lone figure, a dash) goes too."""
    if author:
        text = text.replace(author, " ")
    words = _WORD.findall(text.lower())
    return all(word in _BYLINE_WORDS for word in words)
