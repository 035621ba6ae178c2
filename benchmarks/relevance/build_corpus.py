"""The Debian French corpus: two manuals Debian ships in French, one article a section.

Run from the repository root::

    .venv/bin/python benchmarks/relevance/build_corpus.py

It downloads ``debian-reference-fr`` 2.100 and ``maint-guide-fr`` 1.2.53
(checked by SHA-256, see ``debs``) into ``benchmarks/data/`` and writes
``benchmarks/data/relevance/debian-fr.jsonl``: the same bytes on every machine.

Why these two
-------------
* *Référence Debian* (Osamu Aoki, French translation by the Debian French
  team) covers the whole of running a system: packages, boot, accounts,
  network, data, security, programming. Its sections are three levels deep and
  mix prose, advice boxes and tables, the material users search.
* The *Guide du nouveau responsable Debian* (maint-guide) is prose on another
  subject (making a package), fully translated, and shares words with the
  first (paquet, dépôt, archive), so a query can meet near misses in both.

Neither was written by anyone on the project, and neither is one of the texts
kept for independent checks (the French man pages, the Debian handbook, the
Debian FAQ).

How the HTML becomes articles
-----------------------------
Both are DocBook's HTML. Each chapter, section and subsection is one article:
its title is the heading without its number, its paragraphs the blocks up to
the next heading. frsearch's JSON Lines cannot mark headings inside
``paragraphs`` (``frsearch/articles.py`` takes strings only), so a section that
only holds subsections is an article with a title and no paragraph, which
frsearch indexes as its headline. Blocks:

* a paragraph (``<p>``, list items and advice boxes included) is a passage;
* a table is a passage: its caption, then each row's cells. When its rows are
  in English (most package tables give Debian's English package descriptions),
  only the caption and the first column (package or command names) are kept;
* a footnote is a passage of the section that refers to it;
* code listings (``<pre>``), tables of contents and navigation are left out:
  they are not prose, and listings would make every query about a command a
  lottery between near-identical shell sessions.

*Référence Debian*'s translation is not finished: about a fifth of its
paragraphs are still English. An English paragraph is left out (counted in
the summary): this is a benchmark of French search, and a French reader would
not judge an English paragraph an answer. A paragraph counts as English when it
holds at least two of a few dozen function words of either language and more
English than French ones; others (a command, a name) are kept.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from debs import DATA, Deb, unpack  # noqa: E402

CORPUS = DATA / "relevance" / "debian-fr.jsonl"


@dataclass(frozen=True, slots=True)
class Manual:
    """A manual: its package, where its HTML pages are, and its articles' id prefix."""

    deb: Deb
    folder: str
    pattern: str
    prefix: str
    skip: tuple[str, ...] = ()


MANUALS = (
    Manual(Deb("debian-reference-fr", "2.100", "all",
               "01424cba9bfa2e13166da22d3d692d33a22ec7d8ef935ec81fd8802746087f65"),
           "usr/share/debian-reference", "*.fr.html", "reference",
           skip=("index.fr.html",)),  # the title page and the whole table of contents
    Manual(Deb("maint-guide-fr", "1.2.53", "all",
               "02e6c94eac2c471b898a160717d50f44a3696dfbffda7a9ee74017a6dcd00da8"),
           "usr/share/doc/maint-guide-fr/html", "*.fr.html", "maint-guide",
           skip=("index.fr.html",)),
)

_FRENCH = frozenset(
    "le la les des du un une et est sont pour dans que qui sur pas avec vous ce cette "
    "être par au aux ou mais peut votre il elle ne se".split())
_ENGLISH = frozenset(
    "the and is are for in that which on not with you this be by of to it can your "
    "an as or from".split())
_WORD = re.compile(r"[^\W\d_]+")
# "3.1.2. Titre", "Chapitre 3. Titre", "Annexe A. Titre": the number, then the title
_NUMBERED = re.compile(r"^(?:(?:Chapitre|Annexe)\s+)?((?:[0-9]+|[A-Z])(?:\.[0-9]+)*)\.\s+(.+)$")
_SKIPPED_DIVS = frozenset({"toc", "navheader", "navfooter"})
# advice boxes: their "title" heading is a label ("Astuce", "Note"), not a section
_ADMONITIONS = frozenset({"tip", "note", "caution", "warning", "important"})


def is_english(text: str) -> bool:
    """True when ``text`` reads as English (see the module docstring)."""
    words = [word.lower() for word in _WORD.findall(text)]
    french = sum(word in _FRENCH for word in words)
    english = sum(word in _ENGLISH for word in words)
    return french + english >= 2 and english > french


def _clean(text: str) -> str:
    return " ".join(text.split())


@dataclass(slots=True)
class Section:
    """An article as it is read: numbered heading, then its passages."""

    number: str
    title: str
    paragraphs: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Counts:
    english_dropped: int = 0
    english_table_rows: int = 0
    listings_dropped: int = 0
    footnotes: int = 0


class _DocBookPage(HTMLParser):
    """One DocBook HTML page → its sections, in reading order."""

    def __init__(self, page: str, counts: Counts):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.counts = counts
        self.sections: list[Section] = []
        self.unnumbered = False
        self.dropped: list[str] = []
        self.stack: list[str] = []
        self.classes: list[set[str]] = []  # the class names of each element of the stack
        self.skip_depth = 0  # > 0 inside something left out
        self.buffer: list[str] | None = None  # text of the heading or block being read
        self.heading_tag: str | None = None
        self.table: list[list[str]] | None = None  # rows of the table being read
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.caption: str | None = None
        self.in_caption = False
        self.footnote_owner: dict[str, Section] = {}  # footnote id → section citing it
        self.footnote: Section | None = None  # section a footnote being read belongs to
        self.footnote_depth = 0

    # -- the element stack -----------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        classes = set((attributes.get("class") or "").split())
        self.stack.append(tag)
        self.classes.append(classes)
        if self.skip_depth:
            self.skip_depth += 1
            return
        if (tag == "div" and classes & _SKIPPED_DIVS) or tag == "pre" or (
                tag == "sup" and classes & {"footnote", "para"}):
            if tag == "pre":
                self.counts.listings_dropped += 1
            self.skip_depth = 1
            return
        if tag == "a" and "footnote" in classes and self.sections:
            target = (attributes.get("href") or "").lstrip("#")
            self.footnote_owner[target] = self.sections[-1]
        if tag == "div" and "footnote" in classes:
            self.footnote = self.footnote_owner.get(attributes.get("id") or "")
            self.footnote_depth = len(self.stack)
        if tag in ("h1", "h2", "h3", "h4", "h5") and "title" in classes:
            if any(_ADMONITIONS & outer for outer in self.classes[:-1]):
                self.skip_depth = 1  # the box's label
            else:
                self.heading_tag, self.buffer = tag, []
        elif tag == "table" and ("table" in classes or "informaltable" in self.classes[-2]):
            self.table = []  # a data table (advice boxes are laid out as tables too)
        elif tag == "tr" and self.table is not None:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []
        elif (tag == "p" and "title" in classes and self.table is None
              and "table" in self.classes[-2]):
            self.in_caption, self.buffer = True, []  # a table's caption, just before it
        elif tag == "p" and self.table is None and self.buffer is None:
            self.buffer = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pass  # <a id="…"/>, <br/>, <col/>: no text, no nesting

    def handle_endtag(self, tag: str) -> None:
        if not self.stack:
            return
        # XHTML: every start tag is closed, so the stack's top is this tag
        self.stack.pop()
        self.classes.pop()
        if self.skip_depth:
            self.skip_depth -= 1
            return
        if self.footnote is not None and len(self.stack) < self.footnote_depth:
            self.footnote = None
        if tag == self.heading_tag and self.buffer is not None:
            self._heading(_clean("".join(self.buffer)))
            self.heading_tag, self.buffer = None, None
        elif tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append(_clean("".join(self.cell)))
            self.cell = None
        elif tag == "tr" and self.row is not None and self.table is not None:
            if any(self.row):
                self.table.append(self.row)
            self.row = None
        elif tag == "table" and self.table is not None and self.row is None:
            self._table(self.caption, self.table)
            self.table, self.caption = None, None
        elif tag == "p" and self.buffer is not None and self.heading_tag is None:
            text = _clean("".join(self.buffer))
            self.buffer = None
            if self.in_caption:
                self.in_caption = False
                self.caption = text
            elif text:
                self._paragraph(text)

    def handle_data(self, data: str) -> None:
        if self.skip_depth:
            return
        if self.cell is not None:
            self.cell.append(data)
        elif self.buffer is not None:
            self.buffer.append(data)

    # -- what the page holds ----------------------------------------------------

    def _heading(self, text: str) -> None:
        numbered = _NUMBERED.match(text)
        number, title = (numbered.group(1), numbered.group(2)) if numbered else ("", text)
        if not self.sections and not number:
            self.unnumbered = True  # the preface: its sections count 1, 2… again
        if self.unnumbered:
            number = f"{self.page}-{number}" if number else self.page
        self.sections.append(Section(number, title))

    def _paragraph(self, text: str) -> None:
        if self.footnote is not None:
            owner = self.footnote
            self.counts.footnotes += 1
        elif self.sections:
            owner = self.sections[-1]
        else:
            return  # nothing before the first heading but page furniture
        if is_english(text):
            self.counts.english_dropped += 1
            self.dropped.append(text)
            return
        owner.paragraphs.append(text)

    def _table(self, caption: str | None, rows: list[list[str]]) -> None:
        if not self.sections:
            return
        body = " ".join(" · ".join(cell for cell in row if cell) for row in rows[1:])
        header = " · ".join(rows[0]) if rows else ""
        if is_english(body):
            self.counts.english_table_rows += len(rows) - 1
            names = ", ".join(row[0] for row in rows[1:] if row and row[0])
            parts = [caption or "", names]
        else:
            parts = [caption or "", header, body]
        text = _clean(" : ".join(part for part in parts if part))
        if text:
            self.sections[-1].paragraphs.append(text)


def read_manual(manual: Manual, counts: Counts) -> Iterator[dict]:
    """The articles of one manual, in the order of its pages and sections."""
    root = unpack(manual.deb) / manual.folder
    pages = sorted(page for page in root.glob(manual.pattern) if page.name not in manual.skip)
    if not pages:
        raise SystemExit(f"no {manual.pattern} page under {root}")
    for page in pages:
        parser = _DocBookPage(page.name.split(".")[0], counts)
        parser.feed(page.read_text(encoding="utf-8"))
        parser.close()
        for section in parser.sections:
            yield {"id": f"{manual.prefix}-{section.number}", "title": section.title,
                   "paragraphs": section.paragraphs}


def build(target: Path = CORPUS) -> dict:
    """Write the corpus to ``target``; returns what it holds."""
    counts = Counts()
    articles = [article for manual in MANUALS for article in read_manual(manual, counts)]
    ids = [article["id"] for article in articles]
    duplicates = sorted({article_id for article_id in ids if ids.count(article_id) > 1})
    if duplicates:
        raise SystemExit(f"two sections share an id: {', '.join(duplicates)}")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".tmp")
    with partial.open("w", encoding="utf-8") as out:
        for article in articles:
            out.write(json.dumps(article, ensure_ascii=False) + "\n")
    partial.replace(target)
    return {
        "articles": len(articles),
        "passages": sum(1 + len(article["paragraphs"]) for article in articles),
        "articles without paragraphs": sum(not article["paragraphs"] for article in articles),
        "English paragraphs left out": counts.english_dropped,
        "English table rows cut to their first cell": counts.english_table_rows,
        "code listings left out": counts.listings_dropped,
        "footnotes": counts.footnotes,
    }


def corpus_path() -> Path:
    """The corpus file, built on first use."""
    if not CORPUS.exists():
        print("building the Debian French corpus (once)…", file=sys.stderr, flush=True)
        build()
    return CORPUS


def main() -> int:
    summary = build()
    print(f"wrote {CORPUS}")
    for what, count in summary.items():
        print(f"  {what}: {count:,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
