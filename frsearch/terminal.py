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

__all__ = ["terminal_json", "terminal_text"]

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
