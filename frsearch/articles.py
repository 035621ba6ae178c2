"""Reading articles: files and folders in, articles split into passages out.

Two input formats:

* text (``*.txt``): paragraphs separated by blank lines. The first line is either
  `` date YYYY-MM Title`` or a title line, possibly followed, before the first
  paragraph, by page residue (``• Copié``) and a byline (``Alexis Guilleux, édité
  par Manon Fossat``). Short lines without final punctuation are section headings.
* JSON Lines (``*.jsonl``): one article a line,
  ``{"id", "title", "date"?, "paragraphs": [...]}`` or ``"text"`` instead of
  ``"paragraphs"`` (split on blank lines).

The headline is passage 0, so an article whose body never repeats its headline's
words is still found by them. A file that cannot be read is reported to the
caller's ``on_problem`` and skipped; the other files are read.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "Article",
    "InputProblem",
    "Passage",
    "input_size",
    "parse_text_article",
    "read_articles",
]

FORMAT_VERSION = "2"
"""Bumped when parsing changes, so that re-indexing replaces every article."""

TEXT_SUFFIXES = (".txt",)
JSONL_SUFFIXES = (".jsonl",)

_DATE_LINE = re.compile(r"^\s*date\s+(\d{4}-\d{2}(?:-\d{2})?)\s+(.+?)\s*$")
# "Biden/Poutine 1:13": a video player's duration glued to the title.
_DURATION = re.compile(r"\s+\d{1,2}:\d{2}(?::\d{2})?$")
# Share buttons and similar page furniture: a bullet or arrow and a word or two.
_RESIDUE = re.compile(r"^[•·►▶|*–—-]\s*[\w\s]{0,24}$")
_RESIDUE_WORDS = frozenset({"copié", "copier", "partager", "imprimer", "lire la suite"})
_BYLINE = re.compile(
    r"^(?:par\s+\w+|[A-ZÀ-Ý][\w'’-]+(?:\s+[A-ZÀ-Ý][\w'’-]+)+\s*(?:,|$|\s+et\s))",
)
_SENTENCE_END = ".!?…:;,"
_SPACES = re.compile(r"[ \t\u00a0\u2009\u202f]+")
# Control characters (a stray ESC would drive the terminal that shows a hit),
# and lone surrogates, which JSON's "\ud800" escapes can make but UTF-8 cannot store.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
# A no-break space between digit groups is a thousands separator: kept.
_GROUPED_NUMBER = re.compile(r"(?<=\d)[\u00a0\u202f\u2009](?=\d{3}(?!\d))")
_KEEP_GROUP = "\u202f"

MAX_ID_CHARS = 200
MAX_HEADING_CHARS = 80
MAX_HEADING_WORDS = 12


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


@dataclass(frozen=True, slots=True)
class InputProblem:
    """Why an input (a file, or one line of a JSON Lines file) was skipped."""

    source: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


def _clean_line(line: str) -> str:
    line = unicodedata.normalize("NFC", _CONTROLS.sub(" ", line))
    if _GROUPED_NUMBER.search(line):
        # hold the thousands separators aside (NUL cannot occur: _CONTROLS)
        line = _SPACES.sub(" ", _GROUPED_NUMBER.sub("\x00", line))
        return line.replace("\x00", _KEEP_GROUP).strip()
    return _SPACES.sub(" ", line).strip()


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
        fingerprint=_fingerprint(text),
    )


def _article_from_json(record: object, source: str) -> Article:
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")
    article_id = record.get("id")
    if (not isinstance(article_id, (str, int)) or isinstance(article_id, bool)
            or str(article_id).strip() == ""):
        raise ValueError('missing "id"')
    if len(str(article_id)) > MAX_ID_CHARS or _CONTROLS.search(str(article_id)):
        raise ValueError(f'"id" must be one line of at most {MAX_ID_CHARS} characters')
    title = _clean_line(str(record.get("title") or ""))
    date = record.get("date")
    paragraphs = record.get("paragraphs")
    if paragraphs is None:
        text = record.get("text")
        if not isinstance(text, str):
            raise ValueError('needs "paragraphs" (a list of strings) or "text"')
        body = _blocks(_clean_line(line) for line in text.splitlines())
    elif isinstance(paragraphs, list) and all(isinstance(p, str) for p in paragraphs):
        body = [[line] for line in map(_clean_line, paragraphs) if line]
    else:
        raise ValueError('"paragraphs" must be a list of strings')
    passages = [Passage(0, title, None, "headline")] if title else []
    for block in body:
        passages.append(Passage(len(passages) + (0 if title else 1), " ".join(block)))
    return Article(
        id=str(article_id),
        title=title,
        date=str(date) if date else None,
        passages=tuple(passages),
        source=source,
        fingerprint=_fingerprint(json.dumps(record, sort_keys=True, ensure_ascii=False)),
    )


def _fingerprint(content: str) -> str:
    digest = hashlib.blake2b(content.encode("utf-8", "surrogatepass"), digest_size=12)
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


def _jsonl_lines(path: Path, on_read: Callable[[int], None]) -> Iterator[tuple[int, str]]:
    """Numbered lines of a JSON Lines file, read and decoded one at a time: a
    corpus file may hold hundreds of megabytes. Raises OSError, or ValueError
    for what is not text."""
    with path.open("rb") as handle:
        head = handle.read(65536)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text = decode_bytes(head + handle.read())  # rare: read whole
            yield from enumerate(text.split("\n"), start=1)
            return
        decode_bytes(head)  # refuses binary files
        handle.seek(0)
        # binary lines end at b"\n" only: str.splitlines() would also cut at
        # U+2028 and U+0085, which JSON strings may hold as they are
        for number, raw in enumerate(handle, start=1):
            on_read(len(raw))
            if number == 1:
                raw = raw.removeprefix(codecs.BOM_UTF8)
            try:
                yield number, raw.decode("utf-8")
            except UnicodeDecodeError:
                yield number, raw.decode("cp1252", errors="replace")


def _reason(error: OSError | ValueError) -> str:
    """Why a file could not be read, in a few words."""
    if isinstance(error, OSError):
        return error.strerror or str(error)
    return str(error)


def _read_jsonl(path: Path, on_problem: Callable[[InputProblem], None],
                on_read: Callable[[int], None]) -> Iterator[Article]:
    found = written = False
    try:
        for number, line in _jsonl_lines(path, on_read):
            if not line.strip():
                continue
            written = True
            try:
                article = _article_from_json(json.loads(line), str(path))
            except json.JSONDecodeError as error:
                on_problem(InputProblem(f"{path}:{number}", f"invalid JSON ({error.msg})"))
                continue
            except RecursionError:
                on_problem(InputProblem(f"{path}:{number}", "invalid JSON (nested too deeply)"))
                continue
            except ValueError as error:
                on_problem(InputProblem(f"{path}:{number}", str(error)))
                continue
            found = True
            yield article
    except (OSError, ValueError) as error:
        on_problem(InputProblem(str(path), _reason(error)))
        return
    if not found:
        on_problem(InputProblem(str(path), "no article in this file" if written
                                else "empty file"))


def _read_file(path: Path, on_problem: Callable[[InputProblem], None],
               on_read: Callable[[int], None]) -> Iterator[Article]:
    if path.suffix.lower() in JSONL_SUFFIXES:
        yield from _read_jsonl(path, on_problem, on_read)
        return
    try:
        data = path.read_bytes()
        on_read(len(data))
        text = decode_bytes(data)
    except (OSError, ValueError) as error:
        on_problem(InputProblem(str(path), _reason(error)))
        return
    if not text.strip():
        on_problem(InputProblem(str(path), "empty file"))
        return
    try:
        article = parse_text_article(text, path.stem, str(path))
    except ValueError as error:
        on_problem(InputProblem(str(path), str(error)))
        return
    yield article


def _files(path: Path, on_problem: Callable[[InputProblem], None]) -> Iterator[Path]:
    if path.is_dir():
        suffixes = TEXT_SUFFIXES + JSONL_SUFFIXES
        found = False
        for child in sorted(path.rglob("*")):
            if child.suffix.lower() in suffixes and child.is_file():
                found = True
                yield child
        if not found:
            on_problem(InputProblem(str(path), "no *.txt or *.jsonl file in this folder"))
    elif path.is_file():
        yield path
    elif path.exists():
        on_problem(InputProblem(str(path), "not a regular file"))
    else:
        on_problem(InputProblem(str(path), "no such file or directory"))


def input_size(paths: Iterable[str | Path]) -> int:
    """Bytes of the files ``read_articles`` would read from ``paths`` (for progress;
    what cannot be seen counts nothing, ``read_articles`` reports it)."""
    total = 0
    for path in paths:
        for file in _files(Path(path), lambda problem: None):
            try:
                total += file.stat().st_size
            except OSError:
                continue
    return total


def read_articles(
    paths: Iterable[str | Path],
    on_problem: Callable[[InputProblem], None] | None = None,
    on_read: Callable[[int], None] | None = None,
) -> Iterator[Article]:
    """Articles of the given files and folders (folders recursively: ``*.txt``,
    ``*.jsonl``), in path order. Unreadable inputs go to ``on_problem``;
    ``on_read`` hears how many bytes were read as reading goes (for progress).
    """
    report = on_problem or (lambda problem: None)
    counted = on_read or (lambda size: None)
    for path in paths:
        for file in _files(Path(path), report):
            yield from _read_file(file, report, counted)
