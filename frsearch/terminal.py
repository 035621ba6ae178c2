"""Text for a terminal: every field the CLI prints is made inert first.

What an index holds comes from files nobody vetted: a date in a JSON line, an
article id taken from a file name, the name of a folder. Printed as they are,
``ESC ] 8`` makes a hyperlink to anywhere, ``ESC ] 0`` retitles the window,
``ESC [ 2 J`` clears the screen, and U+202E RIGHT-TO-LEFT OVERRIDE shows the
rest of a line backwards. The library keeps such data exactly (a JSON caller
must get back what was indexed); the CLI passes every field it prints through
``terminal_text``, and adds its own colour codes and line breaks after.

Two treatments, by what the characters do:

* Control characters (C0 with tab and newline, DEL, C1) are *replaced*: C0 and
  DEL by their Unicode control pictures (ESC shows as ``␛``), C1 by U+FFFD.
  None belongs in a field shown on one line; a visible mark tells the reader
  the input holds something odd, and where, and two file names that differ
  only there stay apart. Without its ESC, the rest of a sequence (``]0;x``)
  is plain text.
* Bidirectional controls (Unicode's Bidi_Control: U+061C, U+200E, U+200F,
  U+202A–U+202E, U+2066–U+2069) are *dropped*: they only change the order in
  which a line is shown, and Arabic or Hebrew text uses the marks U+200E and
  U+200F often enough that a sign in their place would litter it. Without them
  the text shows in the order it is stored and searched.

Lone surrogates (the bytes of a file name that are not UTF-8) become U+FFFD:
no encoding can write them, and printing one would fail.

``terminal_json`` prints exact data instead: the same characters, spelled as
JSON ``\\uXXXX`` escapes, which any JSON parser reads back unchanged.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Sequence

__all__ = ["excerpt", "marked_lines", "terminal_json", "terminal_text"]

EXCERPT_CHARS = 360
"""About how much of a long passage a terminal shows: three or four lines,
enough to read each match in its sentence."""
AROUND_MATCH = 110
"""Characters kept on each side of a match inside a sentence too long to show whole."""
ELLIPSIS = "[…]"
SHORT_GAP = 40
"""A stretch of the passage shorter than this is shown rather than cut."""

BIDI_CONTROLS = (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
_C0, _DEL, _C1 = range(0x00, 0x20), 0x7F, range(0x80, 0xA0)
_SURROGATES = range(0xD800, 0xE000)
_CONTROL_PICTURES = 0x2400  # U+2400 ␀ … U+241F ␟, in the order of C0
_DELETE_PICTURE = "\u2421"  # ␡

_FOR_TERMINAL: dict[int, str | None] = {
    **{code: chr(_CONTROL_PICTURES + code) for code in _C0},
    _DEL: _DELETE_PICTURE,
    **dict.fromkeys(_C1, "\ufffd"),
    **dict.fromkeys(_SURROGATES, "\ufffd"),
    **dict.fromkeys(BIDI_CONTROLS, None),
}
# json.dumps escapes C0 itself, and its indentation's newlines must stay.
_FOR_JSON = {code: f"\\u{code:04x}" for code in _FOR_TERMINAL if code not in _C0}


def terminal_text(text: str) -> str:
    """``text`` safe to print on a terminal line (see the module docstring).

    >>> terminal_text("2024-03\\x1b]0;piégé\\x07 \\u202eesuoh")
    '2024-03␛]0;piégé␇ esuoh'
    """
    return text.translate(_FOR_TERMINAL)


def terminal_json(data: object) -> str:
    """``data`` as indented JSON, accents as they are, and every character
    ``terminal_text`` would change written as a ``\\uXXXX`` escape.

    ``json.dumps(ensure_ascii=False)`` escapes only C0: it writes DEL, C1
    controls (U+009B opens a CSI sequence on some terminals), bidi controls
    and lone surrogates as they are.
    """
    return json.dumps(data, ensure_ascii=False, indent=2).translate(_FOR_JSON)


_ONE_SPACE = dict.fromkeys(map(ord, "\t\n\x0b\x0c\r"), " ")
_SENTENCE_END = re.compile(r"(?<=[.!?…»\"])\s+(?=[«\"A-ZÀ-Ý0-9])")


def _sentences(text: str) -> list[tuple[int, int]]:
    """[start, end) of each sentence of ``text``, its spaces left out."""
    spans, start = [], 0
    for gap in _SENTENCE_END.finditer(text):
        spans.append((start, gap.start()))
        start = gap.end()
    spans.append((start, len(text)))
    return spans


def _around(text: str, start: int, end: int, match: tuple[int, int]) -> tuple[int, int]:
    """The part of the sentence [start, end) within ``AROUND_MATCH`` of
    ``match``, widened to a comma close by, else cut at a space."""
    lo, hi = max(start, match[0] - AROUND_MATCH), min(end, match[1] + AROUND_MATCH)
    if lo > start:
        comma = text.rfind(", ", start, lo + 1)
        if comma >= 0 and lo - comma < 40:
            lo = comma + 2
        else:
            space = text.find(" ", lo, match[0])
            lo = space + 1 if space >= 0 else lo
    if hi < end:
        comma = text.find(",", hi - 1, end)
        if 0 <= comma < hi + 40:
            hi = comma + 1
        else:
            space = text.rfind(" ", match[1], hi + 1)
            hi = space if space > 0 else hi
    return lo, hi


def excerpt(text: str, matches: Sequence[tuple[int, int]],
            size: int = EXCERPT_CHARS) -> list[tuple[int, int]]:
    """The parts of ``text`` a terminal shows, as [start, end) spans in order:
    the whole text if it is short, else the sentences holding matches (a long
    one cut around its match), first ones first, until about ``size``
    characters; the text's start if nothing matched in it.

    >>> text = "Une phrase sans rien. " * 20 + "Des sanctions fortes. " + "Et puis rien. " * 9
    >>> at = text.index("sanctions")
    >>> [text[s:e] for s, e in excerpt(text, [(at, at + 9)], size=60)]
    ['Des sanctions fortes.']
    """
    if len(text) <= size + size // 4:
        return [(0, len(text))]
    if not matches:
        return [_around(text, 0, len(text), (0, 0))]
    parts: list[tuple[int, int]] = []
    used = 0
    for start, end in _sentences(text):
        inside = [m for m in matches if start <= m[0] and m[1] <= end]
        if not inside:
            continue
        if end - start > 2 * AROUND_MATCH + 40:
            start, end = _around(text, start, end, inside[0])
        if parts and used + end - start > size:
            break
        parts.append((start, end))
        used += end - start
    return _closed_up(parts or [_around(text, 0, len(text), matches[0])], len(text))


def _closed_up(parts: list[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    """``parts`` with the gaps too short to be worth a ``[…]`` (a word or two:
    «Avertissement.») shown instead, at either end and between parts."""
    closed: list[tuple[int, int]] = []
    for start, end in parts:
        if start < SHORT_GAP:
            start = 0
        if closed and start - closed[-1][1] < SHORT_GAP:
            start = closed.pop()[0]
        closed.append((start, end))
    if length - closed[-1][1] < SHORT_GAP:
        closed[-1] = (closed[-1][0], length)
    return closed


def marked_lines(text: str, matches: Sequence[tuple[int, int]], mark: tuple[str, str],
                 width: int, indent: str = "", parts: Sequence[tuple[int, int]] | None = None,
                 ) -> list[str]:
    """``text`` (or only its ``parts``, joined by ``[…]``) cleaned for the
    terminal, its matches wrapped in ``mark``, folded into lines of at most
    ``width`` visible characters starting with ``indent``. The marks are added
    after folding, so colour codes take no room."""
    parts = [(0, len(text))] if parts is None else list(parts)
    pieces: list[str] = []
    starts: list[int] = []  # where each piece's characters begin in ``text``
    shown = ""
    offsets: list[int] = []
    for number, (start, end) in enumerate(parts):
        if number or start > 0:
            pieces.append(ELLIPSIS + " " if number == 0 else " " + ELLIPSIS + " ")
            starts.append(-1)
        pieces.append(text[start:end])
        starts.append(start)
    if parts and parts[-1][1] < len(text):
        pieces.append(" " + ELLIPSIS)
        starts.append(-1)
    for piece, start in zip(pieces, starts, strict=True):
        shown += piece
        offsets.extend([-1] * len(piece) if start < 0 else range(start, start + len(piece)))
    marked = [False] * len(shown)
    spans = sorted(matches)
    for at, offset in enumerate(offsets):
        if offset >= 0:
            marked[at] = any(s <= offset < e for s, e in _near(spans, offset))
    lines = []
    cursor = 0
    # folded on the ASCII spaces textwrap breaks at, each made one space so
    # that a line is found again in ``shown`` (a no-break space stays inside)
    shown = shown.translate(_ONE_SPACE)
    wrapper = textwrap.TextWrapper(width=max(20, width - len(indent)), expand_tabs=False,
                                   break_on_hyphens=False)
    for line in wrapper.wrap(shown):
        at = shown.index(line, cursor) if line else cursor
        lines.append(indent + _with_marks(shown[at:at + len(line)], marked[at:at + len(line)],
                                          mark))
        cursor = at + len(line)
    return lines


def _near(spans: list[tuple[int, int]], offset: int) -> list[tuple[int, int]]:
    """The spans that may hold ``offset`` (sorted, disjoint spans)."""
    from bisect import bisect_right

    at = bisect_right(spans, (offset, float("inf"))) - 1
    return spans[at:at + 1] if at >= 0 else []


def _with_marks(line: str, marked: list[bool], mark: tuple[str, str]) -> str:
    """``line`` cleaned for the terminal, each run of marked characters in ``mark``."""
    out, run_start = [], 0
    for at in range(1, len(line) + 1):
        if at == len(line) or marked[at] != marked[run_start]:
            run = terminal_text(line[run_start:at])
            out.append(f"{mark[0]}{run}{mark[1]}" if marked[run_start] else run)
            run_start = at
    return "".join(out)
