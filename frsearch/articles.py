"""Reading articles: files and folders in, articles split into passages out.

Two input formats:

* text (``*.txt``): paragraphs separated by blank lines. The first line is either
  `` date YYYY-MM Title`` (or ``YYYY``, ``YYYY-MM-DD``) or a title line, possibly
  followed, before the first paragraph, by page residue (``• Copié``) and a byline
  (``Alexis Guilleux, édité par Manon Fossat``). Short lines without final
  punctuation are section headings.
* JSON Lines (``*.jsonl``): one article a line,
  ``{"id", "title", "date"?, "paragraphs": [...]}`` or ``"text"`` instead of
  ``"paragraphs"`` (split on blank lines), or ``"html"``: a web page.
* web pages (``*.html``, ``*.htm``, and JSON's ``"html"``): their main text,
  title, date and author, as ``webpages.extract_page`` finds them; the markup
  is never indexed.

The headline is passage 0, so an article whose body never repeats its headline's
words is still found by them. A file that cannot be read is reported to the
caller's ``on_problem`` and skipped; the other files are read.

Bounds: a passage longer than ``MAX_PASSAGE_CHARS`` is cut into several, between
sentences, and the cut is reported as a notice (an ``InputProblem`` whose
``skipped`` is False): nothing is lost. An article id is checked the same way
whether it comes from JSON or from a file name (``id_fault``). A date that is
none (``hier soir``, ``2021-13-45``) is left out, the article read, and the
notice says so (``checked_date``).
"""

from __future__ import annotations

import codecs
import datetime
import errno
import hashlib
import json
import os
import re
import stat
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

from frsearch.analysis import INVISIBLE
from frsearch.webpages import extract_page

__all__ = [
    "Article",
    "InputProblem",
    "MAX_PASSAGE_CHARS",
    "Passage",
    "as_paths",
    "checked_date",
    "file_article_id",
    "file_article_ids",
    "id_fault",
    "input_size",
    "parse_html_article",
    "parse_text_article",
    "read_articles",
]

FORMAT_VERSION = "4"
"""Bumped when parsing changes, so that re-indexing replaces every article."""

TEXT_SUFFIXES = (".txt",)
JSONL_SUFFIXES = (".jsonl",)
HTML_SUFFIXES = (".html", ".htm")

# "date <something that starts like a year> <title>"; the date is checked after
_DATE_LINE = re.compile(r"^\s*date\s+(\d{4}\S*)\s+(.+?)\s*$")
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
# An ISO 8601 time after a full date (what most news feeds write): the day is kept.
_ISO_TIME = re.compile(r"[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?")
# "Biden/Poutine 1:13": a video player's duration glued to the title.
_DURATION = re.compile(r"\s+\d{1,2}:\d{2}(?::\d{2})?$")
# Share buttons and similar page furniture: a bullet or arrow and a word or two.
_RESIDUE = re.compile(r"^[•·►▶|*–—-]\s*[\w\s]{0,24}$")
_RESIDUE_WORDS = frozenset({"copié", "copier", "partager", "imprimer", "lire la suite"})
_BYLINE = re.compile(
    r"^(?:par\s+\w+|[A-ZÀ-Ý][\w'’-]+(?:\s+[A-ZÀ-Ý][\w'’-]+)+\s*(?:,|$|\s+et\s))",
)
_SENTENCE_END = ".!?…:;,"
# Runs of spaces to make one plain space. A lone plain space is left out: it
# needs no change, and replacing each of them would rebuild the line from a
# piece per word (half a gigabyte for a 50 MB line).
_SPACES = re.compile(r"(?! (?![ \t\u00a0\u2009\u202f]))[ \t\u00a0\u2009\u202f]+")
# Control characters (a stray ESC would drive the terminal that shows a hit),
# and lone surrogates, which JSON's "\ud800" escapes can make but UTF-8 cannot store.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
# A no-break space between digit groups is a thousands separator: kept.
_GROUPED_NUMBER = re.compile(r"(?<=\d)[\u00a0\u202f\u2009](?=\d{3}(?!\d))")
_KEEP_GROUP = "\u202f"

MAX_ID_CHARS = 200
MAX_HEADING_CHARS = 80
MAX_HEADING_WORDS = 12
MAX_PASSAGE_CHARS = 20_000
"""Longest passage; a longer paragraph is cut into passages this long at most.

No paragraph of news comes near: the seeds' longest is 569 characters, and
20,000 is some ten printed pages. What does: a page whose line breaks were
lost, a book pasted as one JSON line, an inline image. As one passage such
a text is a poor hit (its snippet shows 240 characters of it, its BM25 length
norm buries it) and a costly one: indexing holds every position of its words at
once, and highlighting reads it whole for every search that finds it.
"""

# Where a sentence ends: its final mark, closing quotes or brackets, then spaces.
_SENTENCE_GAP = re.compile(r"[.!?…][»”’\"')\]]*\s+")
# How a file name's control characters show in an article id: C0 as their
# Unicode pictures (ESC as ␛), DEL as ␡, C1 and lone surrogates as U+FFFD.
_ID_PICTURES = {
    **{code: chr(0x2400 + code) for code in range(0x20)},
    0x7F: "\u2421",
    **dict.fromkeys(range(0x80, 0xA0), "\ufffd"),
    **dict.fromkeys(range(0xD800, 0xE000), "\ufffd"),
}


@dataclass(frozen=True, slots=True)
class Passage:
    """One searchable unit: the headline, a section heading or a paragraph.

    ``number`` is 0 for the headline and counts on through the body, so
    ``<article id>:<number>`` names the passage across re-indexing.
    ``heading`` is the section heading the passage sits under, if any.
    """

    number: int
    text: str
    heading: str | None = None
    kind: str = "paragraph"  # "headline", "heading" or "paragraph"


@dataclass(frozen=True, slots=True)
class Article:
    """An article as read from its source, split into passages."""

    id: str
    title: str
    date: str | None
    passages: tuple[Passage, ...]
    source: str
    byline: str | None = None
    fingerprint: str = ""
    meta: dict = field(default_factory=dict, compare=False, hash=False)
    """The other fields of a JSON Lines article (``url``, ``author``, ``tags``…),
    as written: kept with its passages and returned on its hits."""
    path_ids: tuple[str, ...] = ()
    """For an article named by its file: every id its path can give, from the
    file's stem alone to its whole absolute path (``file_article_ids``); ``id``
    is one of them. Indexing settles on another if another file holds ``id``
    already (``indexing.settled_id``). Empty for a JSON id."""
    line: int | None = None
    """For a JSON Lines article, its line in ``source``: messages name it."""

    @property
    def where(self) -> str:
        """``source``, with the line of a JSON Lines article (``feed.jsonl:12``)."""
        return self.source if self.line is None else f"{self.source}:{self.line}"


@dataclass(frozen=True, slots=True)
class InputProblem:
    """Why an input (a file, or one line of a JSON Lines file) was skipped, or,
    for a notice (``skipped`` False), how it was changed to be read in full."""

    source: str
    reason: str
    skipped: bool = True

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


def _clean_line(line: str) -> str:
    if line.isprintable() and "  " not in line:
        # no control character, no space but single plain ones: nothing to replace
        return _trimmed(unicodedata.normalize("NFC", line))
    return _clean_spaces(unicodedata.normalize("NFC", _CONTROLS.sub(" ", line)))


def _clean_spaces(line: str) -> str:
    if _GROUPED_NUMBER.search(line):
        # hold the thousands separators aside (NUL cannot occur: _CONTROLS)
        line = _SPACES.sub(" ", _GROUPED_NUMBER.sub("\x00", line))
        return _trimmed(line.replace("\x00", _KEEP_GROUP))
    return _trimmed(_SPACES.sub(" ", line))


def _trimmed(line: str) -> str:
    """``line`` without spaces or invisible characters at its ends: a line that
    holds only a zero-width space is blank (it separates paragraphs), and
    ``fin.`` + zero-width space ends with its full stop (it is no heading).
    Invisible characters inside the line stay: the analysis reads past them."""
    while True:
        trimmed = line.strip().strip(INVISIBLE)
        if len(trimmed) == len(line):
            return line
        line = trimmed


def _blocks(lines: Iterable[str]) -> list[list[str]]:
    """Groups of consecutive non-blank lines."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if line:
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _is_heading(text: str) -> bool:
    return (
        len(text) <= MAX_HEADING_CHARS
        and len(text.split()) <= MAX_HEADING_WORDS
        and text[-1] not in _SENTENCE_END
    )


def _is_residue(line: str) -> bool:
    return bool(_RESIDUE.match(line)) or line.lower().strip("•· ") in _RESIDUE_WORDS


def _is_byline(line: str) -> bool:
    return (
        len(line) <= 100
        and line[-1] not in _SENTENCE_END
        and (" par " in line or bool(_BYLINE.match(line)))
    )


def _passages(title: str, body: list[list[str]]) -> tuple[Passage, ...]:
    """Headline, then one passage per block; a short final-punctuation-free
    block that is not the last one is a heading for the blocks under it."""
    passages = [Passage(0, title, None, "headline")] if title else []
    heading: str | None = None
    for index, block in enumerate(body):
        text = " ".join(block)
        number = len(passages) if title else len(passages) + 1
        if len(block) == 1 and index < len(body) - 1 and _is_heading(text):
            heading = text
            passages.append(Passage(number, text, None, "heading"))
        else:
            passages.append(Passage(number, text, heading, "paragraph"))
    return tuple(passages)


def parse_text_article(text: str, article_id: str, source: str = "") -> Article:
    """Parse one article in the seed text format (see the module docstring)."""
    lines = [_clean_line(line) for line in text.splitlines()]
    while lines and not lines[0]:
        lines.pop(0)
    if not lines:
        raise ValueError("empty file")
    date: str | None = None
    byline: str | None = None
    dated = _DATE_LINE.match(lines[0])
    if dated:
        date, title = dated.group(1), dated.group(2)
        body = _blocks(lines[1:])
    else:
        blocks = _blocks(lines)
        head, body = blocks[0], blocks[1:]
        title = _DURATION.sub("", head[0])
        rest = head[1:]
        # Page furniture sits between the title and the first paragraph.
        while rest and _is_heading(rest[0]) and (_is_residue(rest[0]) or _is_byline(rest[0])):
            if not _is_residue(rest[0]) and byline is None:
                byline = rest[0]
            rest = rest[1:]
        if rest:
            body = [rest, *body]
        if len(title) > 200:  # no title line: the file starts with a paragraph
            body = [[title], *body]
            title = ""
    return Article(
        id=article_id,
        title=title,
        date=date,
        passages=_passages(title, body),
        source=source,
        byline=byline,
        fingerprint=_fingerprint([text]),
    )


def checked_date(value: str) -> str:
    """``value`` as the date an article is indexed with, or ValueError saying why
    it cannot be one.

    A date is ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, and a real one of the
    calendar: dates are compared as text when filtering and sorting, so
    ``hier soir`` or ``2021-13-45`` would sort and filter as nonsense. Spaces
    around it are dropped, and so is an ISO 8601 time after a full date
    (``2021-12-07T18:30:00+01:00`` is ``2021-12-07``, the day as written).

    >>> checked_date("2021-12-07T18:30:00Z"), checked_date("2021-06")
    ('2021-12-07', '2021-06')
    """
    text = value.strip()
    dated = _DATE.match(text)
    rest = text[dated.end():] if dated else text
    if dated and rest and dated.group(3) and _ISO_TIME.fullmatch(rest):
        text, rest = dated.group(0), ""
    if not dated or rest:
        raise ValueError("it is not written YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = (int(part) if part else 1 for part in dated.groups())
    try:
        datetime.date(year, month, day)
    except ValueError:
        raise ValueError("it is no date of the calendar") from None
    return text


def _date_notice(value: object, article_id: str, why: str) -> str:
    """The notice for a date left out of article ``article_id``."""
    shown = repr(value) if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    shown = shown if len(shown) <= 60 else shown[:59] + "…"
    return (f"nothing skipped: the date {shown} of article {article_id!r} is left out "
            f"({why}); the article is indexed without a date")


def _dated(article: Article, where: str,
           on_problem: Callable[[InputProblem], None]) -> Article:
    """``article`` with its date checked (``checked_date``): a date that is none
    is reported as a notice and left out, the article kept."""
    if article.date is None:
        return article
    try:
        date = checked_date(article.date)
    except ValueError as why:
        on_problem(InputProblem(where, _date_notice(article.date, article.id, str(why)),
                                skipped=False))
        return replace(article, date=None)
    return article if date == article.date else replace(article, date=date)


def id_fault(candidate: str) -> str | None:
    """Why ``candidate`` cannot be an article id, or None if it can.

    The one rule for ids from JSON and from file names: an id is written to the
    index in UTF-8 (a lone surrogate cannot be), shown on one line (a newline or
    ESC would break or drive the terminal) and typed back: at most
    ``MAX_ID_CHARS`` characters, none of them a control character.
    """
    if not candidate.strip():
        return "it is empty"
    if len(candidate) > MAX_ID_CHARS:
        return f"it is {len(candidate):,} characters long"
    if _CONTROLS.search(candidate):
        return "it holds a control character"
    return None


def _json_type(value: object) -> str:
    """What JSON calls the type of ``value``, for a message."""
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, dict):
        return "an object"
    return "a list" if isinstance(value, list) else type(value).__name__


def _optional_string(record: dict, key: str) -> str:
    """``record[key]``, a string or absent ("" then); any other type is refused
    rather than turned into text (a title ``['a', 'b']`` would be searchable as
    "a b", a date ``2021`` compared as the text "2021")."""
    value = record.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f'"{key}" must be a string, not {_json_type(value)}')
    return value


_ARTICLE_FIELDS = frozenset({"id", "title", "date", "paragraphs", "text", "html"})
"""The fields of a JSON Lines article that frsearch reads; the others are its
metadata (``Article.meta``)."""


def _article_from_json(record: object, source: str,
                       on_problem: Callable[[InputProblem], None] = lambda problem: None,
                       where: str = "") -> Article:
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")
    article_id = record.get("id")
    if (not isinstance(article_id, (str, int)) or isinstance(article_id, bool)
            or str(article_id).strip() == ""):
        raise ValueError('missing "id"')
    fault = id_fault(str(article_id))
    if fault:
        # refused, not repaired: the id is the producer's key to the article
        raise ValueError(f'"id" must be one line of at most {MAX_ID_CHARS} characters ({fault})')
    title = _clean_line(_optional_string(record, "title"))
    date = record.get("date")
    if date is not None and not isinstance(date, str):
        # left out, not turned into text: 2021 would sort as the text "2021"
        on_problem(InputProblem(where or source, _date_notice(
            date, str(article_id), f"a date is a string, not {_json_type(date)}"),
            skipped=False))
        date = None
    meta = {key: value for key, value in record.items() if key not in _ARTICLE_FIELDS}
    paragraphs = record.get("paragraphs")
    if paragraphs is None and record.get("text") is None and record.get("html") is not None:
        markup = record["html"]
        if not isinstance(markup, str):
            raise ValueError(f'"html" must be a string, not {_json_type(markup)}')
        page = extract_page(markup)
        title = title or _clean_line(page.title or "")
        if date is None and page.date:
            date = page.date
        if page.author and "author" not in meta:
            meta["author"] = page.author
        passages = list(_page_passages(title, page.blocks))
    else:
        if paragraphs is None:
            text = record.get("text")
            if not isinstance(text, str):
                raise ValueError('needs "paragraphs" (a list of strings), "text" or "html"')
            body = _blocks(_clean_line(line) for line in text.splitlines())
        elif isinstance(paragraphs, list) and all(isinstance(p, str) for p in paragraphs):
            body = [[line] for line in map(_clean_line, paragraphs) if line]
        else:
            raise ValueError('"paragraphs" must be a list of strings')
        passages = [Passage(0, title, None, "headline")] if title else []
        for block in body:
            passages.append(Passage(len(passages) + (0 if title else 1), " ".join(block)))
    if not passages:
        # indexed, it would leave no trace: "added" again at every run, found by nothing
        raise ValueError(f"no text to index: article {str(article_id)!r} has an empty "
                         "title and no paragraph with text")
    return Article(
        id=str(article_id),
        title=title,
        date=date or None,
        passages=tuple(passages),
        source=source,
        # of what is indexed and shown, not of the line: key order may change
        fingerprint=_fingerprint([str(article_id), title, date or "",
                                  json.dumps(meta, sort_keys=True, ensure_ascii=False),
                                  *(passage.text for passage in passages)]),
        meta=meta,
    )


def _page_passages(title: str, blocks: Iterable[tuple[str, str]]) -> Iterator[Passage]:
    """Passages of a web page's title and blocks (``webpages.PageText``): its
    headings are known from its markup, so none is guessed."""
    if title:
        yield Passage(0, title, None, "headline")
    number, heading = 1, None
    for kind, text in blocks:
        text = _clean_line(text)
        if not text:
            continue
        if kind == "heading":
            heading = text
            yield Passage(number, text, None, "heading")
        else:
            yield Passage(number, text, heading, "paragraph")
        number += 1


def parse_html_article(markup: str, article_id: str, source: str = "") -> Article:
    """The article of web page ``markup``: its main text, title, date
    (YYYY-MM-DD) and author (in ``meta``), as ``webpages.extract_page`` finds
    them. Raises ValueError, saying why, for a page with no text to index."""
    page = extract_page(markup)
    title = _clean_line(page.title or "")
    passages = tuple(_page_passages(title, page.blocks))
    if not passages:
        raise ValueError("no main text found in this page (only navigation, scripts or markup)")
    return Article(
        id=article_id,
        title=title,
        date=page.date,
        passages=passages,
        source=source,
        fingerprint=_fingerprint([markup]),
        meta={"author": page.author} if page.author else {},
    )


def _pieces(text: str, limit: int = MAX_PASSAGE_CHARS) -> list[str]:
    """``text`` cut into pieces of at most ``limit`` characters: each after the
    last sentence end that fits, else at the last space that fits, else (a
    "word" longer than ``limit``: an inline image) at ``limit`` itself."""
    pieces: list[str] = []
    start = 0
    while len(text) - start > limit:
        end = start + limit
        cut = 0
        for gap in _SENTENCE_GAP.finditer(text, start, end + 1):
            cut = gap.end()
        if cut <= start:
            cut = text.rfind(" ", start + 1, end + 1)
        if cut <= start:
            cut = end
        pieces.append(text[start:cut].strip())
        start = cut
    pieces.append(text[start:].strip())
    return [piece for piece in pieces if piece]


def _bounded(article: Article, source: str,
             on_problem: Callable[[InputProblem], None]) -> Article:
    """``article`` with no passage longer than ``MAX_PASSAGE_CHARS``: a longer one
    is cut (``_pieces``) into passages numbered on from its own number, so that
    numbers stay unique and the same at every reading. A title that long is no
    headline: it becomes the first paragraph, as a text file's first line does.
    Each change is reported as a notice."""
    if all(len(passage.text) <= MAX_PASSAGE_CHARS for passage in article.passages):
        return article
    title, passages = article.title, list(article.passages)
    if len(title) > MAX_PASSAGE_CHARS:
        on_problem(InputProblem(source, f"nothing skipped: the title of article {article.id!r} "
                                f"is {len(title):,} characters long, indexed as its first "
                                "paragraph", skipped=False))
        title = ""
        passages[0] = Passage(1, passages[0].text)
    bounded: list[Passage] = []
    for passage in passages:
        number = passages[0].number + len(bounded)
        pieces = _pieces(passage.text)
        if len(pieces) > 1:
            on_problem(InputProblem(
                source, f"nothing skipped: a passage of article {article.id!r} is "
                f"{len(passage.text):,} characters long, indexed as {len(pieces)} passages "
                f"({number} to {number + len(pieces) - 1}) cut between sentences, "
                f"{MAX_PASSAGE_CHARS:,} characters at most", skipped=False))
        bounded.extend(replace(passage, number=number + offset, text=piece)
                       for offset, piece in enumerate(pieces))
    return replace(article, title=title, passages=tuple(bounded))


def _fingerprint(parts: Iterable[str]) -> str:
    """Hash of ``parts`` and of the parsing's version, encoded a megabyte at a
    time (a part may be a book: encoding it whole would copy it)."""
    digest = hashlib.blake2b(digest_size=12)
    for part in parts:
        for start in range(0, len(part), 1 << 20):
            digest.update(part[start:start + (1 << 20)].encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")  # never in a part: _CONTROLS
    digest.update(FORMAT_VERSION.encode())
    return digest.hexdigest()


def decode_bytes(data: bytes) -> str:
    """Text of a file: UTF-8 if it is, else Windows-1252 (Latin-1's superset).

    UTF-16 with a byte order mark (Notepad's "Unicode") is read too, and UTF-8
    with a few damaged bytes (a file cut in the middle of a character) stays
    UTF-8. Raises ValueError for what is not text (NUL bytes, control characters).
    """
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom) and not data.startswith(codecs.BOM_UTF32_LE):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                raise ValueError("invalid UTF-16 text") from None
    sample = data[:65536]
    if b"\x00" in sample:
        raise ValueError("binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("utf-8-sig", errors="replace")
        damaged = text.count("\ufffd")
        if damaged >= sum(1 for ch in text if ord(ch) > 127) - damaged:
            # more bytes that are not UTF-8 than characters that are: a
            # Windows-1252 or Latin-1 file (its accents are never valid UTF-8)
            text = data.decode("cp1252", errors="replace")
    controls = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\t\n\r\f")
    if controls > max(8, len(text[:65536]) // 100):
        raise ValueError("binary file, not text")
    return text


def _open_regular(path: Path) -> BinaryIO:
    """``path`` opened for reading if it is a regular file; ValueError if not.

    Opened without waiting: a named pipe (or a device) put where a listed file
    was would otherwise block the run on ``open`` until something writes to it.
    """
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
                         | getattr(os, "O_BINARY", 0))
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise ValueError(_not_regular(mode))
        if hasattr(os, "set_blocking"):
            os.set_blocking(descriptor, True)
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def _not_regular(mode: int) -> str:
    """Why a file of this ``st_mode`` is not read."""
    kinds = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a character device"),
             (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))
    kind = next((name for test, name in kinds if test(mode)), None)
    return f"not a regular file ({kind})" if kind else "not a regular file"


class _JsonLines:
    """Numbered lines of an open JSON Lines file, read and decoded one at a
    time: a corpus file may hold hundreds of megabytes, and one line a book.

    An iterator object, not a generator: a suspended generator would keep its
    last line (and ``enumerate`` its last pair) alive while the article made
    from it is indexed. Raises OSError, or ValueError for what is not text.
    """

    def __init__(self, handle: BinaryIO, on_read: Callable[[int], None]):
        head = handle.read(65536)
        self._whole: Iterator[str] | None = None
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text = decode_bytes(head + handle.read())  # rare: read whole
            self._whole = iter(text.split("\n"))
        else:
            decode_bytes(head)  # refuses binary files
            handle.seek(0)
        self._handle = handle
        self._on_read = on_read
        self._number = 0

    def __iter__(self) -> _JsonLines:
        return self

    def __next__(self) -> tuple[int, str]:
        if self._whole is not None:
            self._number += 1
            return self._number, next(self._whole)
        # binary lines end at b"\n" only: str.splitlines() would also cut at
        # U+2028 and U+0085, which JSON strings may hold as they are
        raw = self._handle.readline()
        if not raw:
            raise StopIteration
        self._number += 1
        self._on_read(len(raw))
        if self._number == 1:
            raw = raw.removeprefix(codecs.BOM_UTF8)
        try:
            return self._number, raw.decode("utf-8")
        except UnicodeDecodeError:
            return self._number, raw.decode("cp1252", errors="replace")


def _reason(error: OSError | ValueError) -> str:
    """Why a file could not be read, in a few words."""
    if isinstance(error, OSError):
        return error.strerror or str(error)
    return str(error)


def _read_jsonl(path: Path, on_problem: Callable[[InputProblem], None],
                on_read: Callable[[int], None]) -> Iterator[Article]:
    found = written = False
    try:
        with _open_regular(path) as handle:
            for number, line in _JsonLines(handle, on_read):
                if not line or line.isspace():
                    continue
                written = True
                article = _jsonl_article(line, number, str(path), on_problem)
                del line  # while the article is indexed: the line may be a book
                if article is not None:
                    found = True
                    yield article
    except (OSError, ValueError) as error:
        on_problem(InputProblem(str(path), _reason(error)))
        return
    if not found:
        on_problem(InputProblem(str(path), "no article in this file" if written
                                else "empty file"))


def _jsonl_article(line: str, number: int, source: str,
                   on_problem: Callable[[InputProblem], None]) -> Article | None:
    """The article of line ``number`` of the JSON Lines file ``source``,
    bounded (``_bounded``); None, reported, if the line holds none."""
    where = f"{source}:{number}"
    try:
        article = replace(_article_from_json(json.loads(line), source, on_problem, where),
                          line=number)
    except json.JSONDecodeError as error:
        reason = f"invalid JSON ({error.msg.removesuffix(' at')} at column {error.colno})"
    except RecursionError:
        reason = "invalid JSON (nested too deeply)"
    except ValueError as error:
        reason = str(error)
    else:
        return _bounded(_dated(article, where, on_problem), where, on_problem)
    on_problem(InputProblem(where, reason))
    return None


def _read_file(path: Path, on_problem: Callable[[InputProblem], None],
               on_read: Callable[[int], None], folder: Path | None = None) -> Iterator[Article]:
    if path.suffix.lower() in JSONL_SUFFIXES:
        yield from _read_jsonl(path, on_problem, on_read)
        return
    try:
        with _open_regular(path) as handle:
            data = handle.read()
        on_read(len(data))
        text = decode_bytes(data)
    except (OSError, ValueError) as error:
        on_problem(InputProblem(str(path), _reason(error)))
        return
    if not text.strip():
        on_problem(InputProblem(str(path), "empty file"))
        return
    article_id, path_ids = file_article_ids(path, folder)
    parse = parse_html_article if path.suffix.lower() in HTML_SUFFIXES else parse_text_article
    try:
        article = parse(text, article_id, str(path))
    except ValueError as error:
        on_problem(InputProblem(str(path), str(error)))
        return
    article = replace(article, path_ids=path_ids)
    yield _bounded(_dated(article, str(path), on_problem), str(path), on_problem)


def _id_part(name: bytes) -> str:
    """One file or folder name as it shows in an id (see ``file_article_id``)."""
    try:
        text = name.decode("utf-8")
    except UnicodeDecodeError:
        text = name.decode("cp1252", errors="replace")
    return text if _CONTROLS.search(text) is None else text.translate(_ID_PICTURES)


def _fitted_id(text: str) -> str:
    """``text`` as an id: cut with ``~`` and a hash of the whole if too long."""
    if id_fault(text) is None:
        return text
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=4).hexdigest()
    return f"{text[:MAX_ID_CHARS - len(digest) - 1]}~{digest}"


def file_article_ids(path: Path, folder: Path | None = None) -> tuple[str, tuple[str, ...]]:
    """The id of the article of file ``path``, and every id its path can give.

    Read from ``folder`` (a folder given to index), the id is the file's path
    relative to it without the extension, folder names joined by ``/`` on every
    system: ``2021-12-07/article``. A file given itself keeps its stem:
    ``article``. The other ids each name one more folder above, up to the whole
    absolute path (``b/article``, ``archives/b/article``…): indexing takes the
    next one when another file holds the id already, and recognises a file
    indexed before under any of them (``indexing.settled_id``). Names are made
    fit to be ids as ``file_article_id`` says.

    >>> file_article_ids(Path("/archives/2021-12-07/article.txt"), Path("/archives"))
    ('2021-12-07/article', ('article', '2021-12-07/article', 'archives/2021-12-07/article'))
    """
    absolute = Path(os.path.abspath(path))
    names = [_id_part(os.fsencode(part)) for part in absolute.parent.parts[1:]]
    names.append(_id_part(os.fsencode(absolute.stem)))
    ids = (file_article_id(absolute),
           *(_fitted_id("/".join(names[-count:])) for count in range(2, len(names) + 1)))
    depth = 1
    if folder is not None:
        try:
            depth = len(absolute.relative_to(os.path.abspath(folder)).parts)
        except ValueError:
            depth = 1
    return ids[min(depth, len(ids)) - 1], ids


def file_article_id(path: Path) -> str:
    """The id of the article in text file ``path``: its name without ``.txt``,
    made fit to be an id (``id_fault``) where it is not.

    A name is repaired, not refused as a JSON id is: nobody chose it to be a
    key, and leaving a readable article out of the index for its name would
    surprise. So the id stays as close to the name as it can: a name that is
    not UTF-8 (Latin-1 from an old system) is read as Windows-1252, as the
    content of such a file is (``caf\\xe9.txt`` is ``café``); control
    characters show as their Unicode pictures (ESC as ``␛``, newline as ``␊``),
    so two names that differ only there keep apart; a name longer than
    ``MAX_ID_CHARS`` is cut, and ``~`` and a hash of the whole name are added,
    so that cut names stay distinct. The same name always gives the same id.
    """
    name = os.fsencode(path.stem)
    try:
        stem = name.decode("utf-8")
    except UnicodeDecodeError:
        stem = name.decode("cp1252", errors="replace")
    if id_fault(stem) is None:
        return stem
    shown = stem.translate(_ID_PICTURES)
    if id_fault(shown) is None:
        return shown
    digest = hashlib.blake2b(name, digest_size=4).hexdigest()
    return f"{shown[:MAX_ID_CHARS - len(digest) - 1]}~{digest}"


def _files(path: Path, on_problem: Callable[[InputProblem], None]
           ) -> Iterator[tuple[Path, Path | None]]:
    """The files to read under ``path``, each with the folder given it was
    found in (None for a file given itself)."""
    if path.is_dir():
        suffixes = TEXT_SUFFIXES + JSONL_SUFFIXES + HTML_SUFFIXES
        found = False
        entries, unlisted = _entries(path)
        for folder, error in unlisted:
            on_problem(InputProblem(str(folder), f"folder not read: {_reason(error)}"))
        for child in entries:
            if child.suffix.lower() not in suffixes or child.is_dir():
                continue
            found = True  # named like an article: read, or said why not
            if child.is_file():
                yield child, path
            else:
                on_problem(InputProblem(str(child), _why_not_read(child)))
        if not found and not unlisted:
            on_problem(InputProblem(str(path), "no *.txt, *.jsonl or *.html file in this folder"))
    elif path.is_file():
        yield path, None
    else:
        on_problem(InputProblem(str(path), _why_not_read(path)))


def _entries(folder: Path) -> tuple[list[Path], list[tuple[Path, OSError]]]:
    """Everything under ``folder`` (symbolic links to folders not followed), in
    path order; and the folders that could not be listed, with the error:
    ``Path.rglob`` passes over those without a word, and a sync would then
    take their articles for deleted."""
    entries: list[Path] = []
    unlisted: list[tuple[Path, OSError]] = []
    for root, folders, files in os.walk(
            folder, onerror=lambda error: unlisted.append((Path(error.filename), error))):
        entries.extend(Path(root, name) for name in (*folders, *files))
    return sorted(entries), unlisted


def _why_not_read(path: Path) -> str:
    """Why ``path``, which is neither a regular file nor a folder, is not read."""
    try:
        return _not_regular(path.stat().st_mode)
    except OSError as error:
        if error.errno == errno.ELOOP:
            return "symbolic link loop"
        return "broken symbolic link" if path.is_symlink() else "no such file or directory"


def as_paths(paths: str | os.PathLike | Iterable[str | os.PathLike]) -> list[Path]:
    """``paths`` as a list of paths: a string or path alone is one path (not
    the letters of one); TypeError for what is not a path.

    >>> [str(path) for path in as_paths("articles")]
    ['articles']
    >>> [str(path) for path in as_paths(["a.txt", Path("b")])]
    ['a.txt', 'b']
    """
    if isinstance(paths, (str, os.PathLike)):
        return [Path(paths)]
    try:
        return [Path(path) for path in paths]
    except TypeError:
        raise TypeError(f"paths must be files or folders, as strings or paths: {paths!r}"
                        ) from None


def input_size(paths: str | os.PathLike | Iterable[str | os.PathLike]) -> int:
    """Bytes of the files ``read_articles`` would read from ``paths`` (for progress;
    what cannot be seen counts nothing, ``read_articles`` reports it)."""
    total = 0
    for path in as_paths(paths):
        for file, _ in _files(path, lambda problem: None):
            try:
                total += file.stat().st_size
            except OSError:
                continue
    return total


def read_articles(
    paths: str | os.PathLike | Iterable[str | os.PathLike],
    on_problem: Callable[[InputProblem], None] | None = None,
    on_read: Callable[[int], None] | None = None,
) -> Iterator[Article]:
    """Articles of the given files and folders (folders recursively: ``*.txt``,
    ``*.jsonl``), in path order. Unreadable inputs go to ``on_problem``;
    ``on_read`` hears how many bytes were read as reading goes (for progress).
    """
    report = on_problem or (lambda problem: None)
    counted = on_read or (lambda size: None)
    read: set[Path] = set()
    for path in as_paths(paths):
        for file, folder in _files(path, report):
            if (whole := file.resolve()) not in read:  # given twice (a folder and a file in it)
                read.add(whole)
                yield from _read_file(file, report, counted, folder)
