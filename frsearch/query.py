"""Reading what a user typed: any string becomes a query tree, never an error.

Syntax, from loosest to tightest binding::

    words side by side    soft AND: passages holding all rank first, some follow
    a OR b                either
    a AND b               both
    NOT a, -a             without a
    (a b)                 grouping
    "a phrase"            the words in this order («guillemets» and “quotes” too)
    prefix*               any word starting so (two letters at least)
    title:word, titre:"…" a filter on the headline
    date:2021-12          a filter on the date (any prefix of YYYY-MM-DD)

What does not parse is read as words: an unbalanced quote or parenthesis is
dropped, an operator with nothing to apply to is ignored. A clause typed twice
in the same group (``sanctions sanctions``) counts once.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "And",
    "FieldFilter",
    "Not",
    "Or",
    "Phrase",
    "Prefix",
    "Soft",
    "Word",
    "join_digit_groups",
    "parse_query",
]


@dataclass(frozen=True, slots=True)
class Word:
    """Words typed without quotes; several tokens (``États-Unis``) make a phrase."""

    text: str


@dataclass(frozen=True, slots=True)
class Phrase:
    text: str


@dataclass(frozen=True, slots=True)
class Prefix:
    text: str


@dataclass(frozen=True, slots=True)
class FieldFilter:
    """``title:…`` or ``date:…``: passages must match, it adds nothing to the score."""

    field: str
    value: str


@dataclass(frozen=True, slots=True)
class Not:
    child: Node


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Soft:
    """Clauses side by side: each one held in the passage raises its rank."""

    children: tuple[Node, ...]


Node = Word | Phrase | Prefix | FieldFilter | Not | And | Or | Soft

MAX_WORDS = 100
"""Words (and phrases) of a query beyond these are ignored: each word costs
lookups, and nobody types more into a search box."""
MAX_DEPTH = 16
"""Parentheses nested deeper than this are dropped (their words stay)."""
MIN_PREFIX = 2
"""Letters a ``prefix*`` needs: ``a*`` would expand to a tenth of the vocabulary."""
FIELD_NAMES = {"title": "title", "titre": "title", "date": "date"}
OPEN_QUOTES = "\"«“„"
CLOSE_QUOTES = {"\"": "\"", "«": "»", "“": "”", "„": "“"}

_LEXEME = re.compile(
    r"""
    (?P<space>(?:(?!\u202f)\s)+)          # a narrow no-break space joins digit groups
    | (?P<open>\()
    | (?P<close>\))
    | (?P<field>[A-Za-z]+):(?=\S)
    | (?P<quote>["«“„])
    | (?P<minus>-)(?=[\w"«“„(])
    | (?P<word>(?:[^\s()"«»“”„]|\u202f)+)
    """,
    re.VERBOSE,
)
_WORDLIKE = re.compile(r"\w")


@dataclass(frozen=True, slots=True)
class _Lexeme:
    kind: str
    text: str


def _lex(text: str) -> list[_Lexeme]:
    """Cut the query into lexemes; a quoted phrase is one lexeme."""
    lexemes: list[_Lexeme] = []
    position = 0
    while position < len(text):
        match = _LEXEME.match(text, position)
        if match is None:  # a stray closing quote: skip it
            position += 1
            continue
        kind = match.lastgroup or "space"
        position = match.end()
        if kind == "space":
            continue
        if kind == "quote":
            closer = CLOSE_QUOTES[match.group()]
            end = text.find(closer, position)
            if end < 0:  # unbalanced: the rest is words
                continue
            lexemes.append(_Lexeme("phrase", text[position:end]))
            position = end + 1
            continue
        if kind == "field":
            name = match.group("field").lower()
            if name not in FIELD_NAMES:
                # "http:" or "Note:" are words, not fields
                lexemes.append(_Lexeme("word", match.group("field")))
                continue
            lexemes.append(_Lexeme("field", FIELD_NAMES[name]))
            continue
        word = match.group()
        if kind == "word" and word in ("AND", "OR", "NOT"):
            lexemes.append(_Lexeme(word, word))
        else:
            lexemes.append(_Lexeme(kind, word))
    return lexemes


class _Parser:
    def __init__(self, lexemes: list[_Lexeme]):
        words = itertools.count(1)
        self.lexemes = [lexeme for lexeme in lexemes
                        if lexeme.kind not in ("word", "phrase") or next(words) <= MAX_WORDS]
        self.at = 0
        self.depth = 0

    def peek(self) -> _Lexeme | None:
        return self.lexemes[self.at] if self.at < len(self.lexemes) else None

    def take(self) -> _Lexeme:
        lexeme = self.lexemes[self.at]
        self.at += 1
        return lexeme

    def soft(self, inside: bool) -> Node | None:
        children: list[Node] = []
        while (lexeme := self.peek()) is not None:
            if lexeme.kind == "close":
                self.take()
                if inside:
                    break
                continue  # unbalanced ")": ignore it
            node = self.either()
            if node is not None:
                children.append(node)
        children = _distinct(children)
        if not children:
            return None
        return children[0] if len(children) == 1 else Soft(tuple(children))

    def either(self) -> Node | None:
        children = [self.both()]
        while (lexeme := self.peek()) is not None and lexeme.kind == "OR":
            self.take()
            children.append(self.both())
        kept = _distinct(children)
        if not kept:
            return None
        return kept[0] if len(kept) == 1 else Or(tuple(kept))

    def both(self) -> Node | None:
        children = [self.unary()]
        while (lexeme := self.peek()) is not None and lexeme.kind == "AND":
            self.take()
            children.append(self.unary())
        kept = _distinct(children)
        if not kept:
            return None
        return kept[0] if len(kept) == 1 else And(tuple(kept))

    def unary(self) -> Node | None:
        negated = False
        while (lexeme := self.peek()) is not None and lexeme.kind in ("NOT", "minus"):
            self.take()
            negated = not negated  # NOT NOT a is a
        child = self.atom()
        return Not(child) if negated and child is not None else child

    def atom(self) -> Node | None:
        lexeme = self.peek()
        if lexeme is None or lexeme.kind == "close":
            return None
        self.take()
        if lexeme.kind in ("AND", "OR"):  # an operator with nothing before it
            return None
        if lexeme.kind == "open":
            if self.depth >= MAX_DEPTH:  # deeper parentheses only group words already grouped
                return None
            self.depth += 1
            group = self.soft(inside=True)
            self.depth -= 1
            return group
        if lexeme.kind == "phrase":
            return Phrase(lexeme.text) if _WORDLIKE.search(lexeme.text) else None
        if lexeme.kind == "field":
            value = self.peek()
            if value is None or value.kind not in ("word", "phrase"):
                return None
            self.take()
            return FieldFilter(lexeme.text, value.text)
        text = lexeme.text
        stem = text.rstrip("*")
        if stem != text and len(_WORDLIKE.findall(stem)) >= MIN_PREFIX:
            return Prefix(stem)
        return Word(text) if _WORDLIKE.search(text) else None


def _distinct(children: Sequence[Node | None]) -> list[Node]:
    """The children once each, in their first order: ``pr* pr* pr*`` or ``a OR a``
    asks nothing more than one copy, and each copy would cost a full search."""
    return list(dict.fromkeys(child for child in children if child is not None))


_SPACED_NUMBER = re.compile(r"(?<![\d.,])(\d{1,3})((?: \d{3})+)(?![\d])")


def join_digit_groups(text: str) -> str:
    """``13 000`` typed with a plain space is one number in a query (in a text,
    only a no-break space joins digit groups: "le 10 000" is rare in prose but
    nobody types two numbers side by side in a search box)."""
    return _SPACED_NUMBER.sub(lambda m: m.group(1) + m.group(2).replace(" ", "\u202f"), text)


def parse_query(text: str) -> Node | None:
    """The query tree of ``text``, or None when it holds nothing to search for.

    >>> parse_query('sanctions -Russie "lignes rouges"')  # doctest: +NORMALIZE_WHITESPACE
    Soft(children=(Word(text='sanctions'), Not(child=Word(text='Russie')),
                   Phrase(text='lignes rouges')))
    """
    return _Parser(_lex(text)).soft(inside=False)
