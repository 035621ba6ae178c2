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
    date:2021-12          a filter on the date (``DateRange``: ``2021-06..2021-12``,
                          ``>=2021-06``, ``[2021 TO 2022]``…)
    source:lemonde        a filter on an article's metadata (any name), or its
                          ``id:``; the index says which names exist (``planning``)

What does not parse is read as words: an unbalanced quote or parenthesis is
dropped, an operator with nothing to apply to is ignored. A clause typed twice
in the same group (``sanctions sanctions``) counts once.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import NamedTuple

__all__ = [
    "And",
    "DateRange",
    "FieldFilter",
    "Not",
    "Or",
    "Phrase",
    "Prefix",
    "Soft",
    "Word",
    "join_digit_groups",
    "date_period",
    "filter_nodes",
    "parse_date_range",
    "parse_query",
    "with_filters",
    "words_left_out",
]


class Word(NamedTuple):
    """Words typed without quotes; several tokens (``États-Unis``) make a phrase."""

    text: str


class Phrase(NamedTuple):
    """Words typed between quotes (``"lignes rouges"``, ``«lignes rouges»``): in that order."""

    text: str


class Prefix(NamedTuple):
    """``présid*``: any word that starts so (the text is without the star)."""

    text: str


class FieldFilter(NamedTuple):
    """``title:…``, ``date:…``, ``id:…`` or a metadata name (``source:lemonde``):
    passages must match, it adds nothing to the score. ``field`` is lowercased
    (``titre`` is ``title``); whether it exists is for ``planning`` to say."""

    field: str
    value: str


class Not(NamedTuple):
    """``NOT x`` or ``-x``: passages matching ``child`` are left out."""

    child: Node


class And(NamedTuple):
    """``a AND b``: passages must match every child."""

    children: tuple[Node, ...]


class Or(NamedTuple):
    """``a OR b``: passages must match one child at least."""

    children: tuple[Node, ...]


class Soft(NamedTuple):
    """Clauses side by side: each one held in the passage raises its rank."""

    children: tuple[Node, ...]


Node = Word | Phrase | Prefix | FieldFilter | Not | And | Or | Soft


def _same(node, other) -> bool:
    return type(node) is type(other) and tuple.__eq__(node, other)


def _not_same(node, other) -> bool:
    return not _same(node, other)


def _hash(node) -> int:
    return hash((type(node).__name__, *node))


# NamedTuples, not frozen dataclasses: made in a sixth of the time (this module
# is imported by every ``frsearch query`` process, where nine dataclasses took
# 4 ms), and compared as the dataclasses were, by type and fields:
# ``Word("x") != Prefix("x")``, though both are the tuple ``("x",)``.
for _node in (Word, Phrase, Prefix, FieldFilter, Not, And, Or, Soft):
    _node.__eq__ = _same  # type: ignore[method-assign]
    _node.__ne__ = _not_same  # type: ignore[method-assign]
    _node.__hash__ = _hash  # type: ignore[method-assign,assignment]

MAX_WORDS = 100
"""Words (and phrases) of a query beyond these are ignored: each word costs
lookups, and nobody types more into a search box."""
MAX_DEPTH = 16
"""Parentheses nested deeper than this are dropped (their words stay)."""
MIN_PREFIX = 2
"""Letters a ``prefix*`` needs: ``a*`` would expand to a tenth of the vocabulary."""
FIELD_NAMES = {"title": "title", "titre": "title", "date": "date", "id": "id"}
"""Fields every index has, by the names a query may give them; any other name
is a metadata field (``source:``, ``author:``)."""
OPEN_QUOTES = "\"«“„"
CLOSE_QUOTES = {"\"": "\"", "«": "»", "“": "”", "„": "“"}

_LEXEME = re.compile(
    r"""
    (?P<space>(?:(?!\u202f)\s)+)          # a narrow no-break space joins digit groups
    | (?P<open>\()
    | (?P<close>\))
    | (?P<field>[^\W\d]\w*):(?=\S)
    | (?P<quote>["«“„])
    | (?P<minus>-)(?=[\w"«“„(])
    | (?P<word>(?:[^\s()"«»“”„]|\u202f)+)
    """,
    re.VERBOSE,
)
_WORDLIKE = re.compile(r"\w")
_ENGINE_SUFFIX = re.compile(r"(?:~\d*(?:\.\d+)?|\^\d+(?:\.\d+)?)+$")
"""Lucene's fuzzy ``mot~2`` and boost ``mot^2`` (after a phrase too: ``"…"~3``):
frsearch corrects typos and weighs words itself, so they are left out (kept,
``~2`` was a word ``2`` glued to ``mot`` and the query found nothing)."""
_SLASH_BETWEEN_LETTERS = re.compile(r"(?<=[^\W\d])/(?=[^\W\d])")
"""``sanctions|Russie`` and ``sanctions/Russie`` are two words: held side by
side as one, they found only the passages writing them so (``07/12/2021``
stays one date, ``24/7`` one figure, ``/etc/apt`` and ``exemple.fr/page`` one
path)."""
_FIELD_VALUE = re.compile(r"""[^\s()"«»“”„]+""")


class _Lexeme(NamedTuple):
    """A piece of the query as typed: a word, a quoted phrase, an operator, a parenthesis."""

    kind: str
    text: str


def _words_of(lexeme: str) -> list[str]:
    """The words a word lexeme stands for (``_ENGINE_SUFFIX``, ``_SLASH_BETWEEN_LETTERS``)."""
    words: list[str] = []
    for part in _ENGINE_SUFFIX.sub("", lexeme).split("|"):
        # a path or web address (a dot, a leading slash) keeps its slashes
        keep = "." in part or part.startswith("/")
        words += [part] if keep else _SLASH_BETWEEN_LETTERS.split(part)
    return [word for word in words if word]


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
            position = end + 1  # a "…"~3 after it is a word of nothing (_words_of)
            continue
        if kind == "field":
            name = match.group("field").lower()
            if name not in FIELD_NAMES and text.startswith("/", position):
                # "http://…": a web address is words, not a field
                lexemes.append(_Lexeme("word", match.group("field")))
                continue
            lexemes.append(_Lexeme("field", FIELD_NAMES.get(name, name)))
            if text[position] in "[{":  # a range, spaces inside: [2021 TO 2022]
                end = min((at for at in (text.find("]", position), text.find("}", position))
                           if at >= 0), default=-1)
                if end >= 0:
                    lexemes.append(_Lexeme("range", text[position:end + 1]))
                    position = end + 1
            elif (value := _FIELD_VALUE.match(text, position)) is not None:
                # the value whole, colons included (id:a:b is the id "a:b")
                lexemes.append(_Lexeme("word", value.group()))
                position = value.end()
            continue
        if kind != "word":
            lexemes.append(_Lexeme(kind, match.group()))
            continue
        for word in _words_of(match.group()):
            lexemes.append(_Lexeme(word, word) if word in ("AND", "OR", "NOT")
                           else _Lexeme("word", word))
    return lexemes


def words_left_out(text: str) -> int:
    """How many words and phrases of ``text`` past the first ``MAX_WORDS`` a
    search leaves out (0, without lexing it, for a query of fewer words)."""
    if len(text.split()) <= MAX_WORDS:
        return 0
    count = sum(1 for lexeme in _lex(text) if lexeme.kind in ("word", "phrase"))
    return max(0, count - MAX_WORDS)


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
            if value is None or value.kind not in ("word", "phrase", "range"):
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


_SPACED_NUMBER = re.compile(r"(?<![\d.,])(\d{1,3})((?:[ \u00a0\u2009]\d{3})+)(?![\d])")


def join_digit_groups(text: str) -> str:
    """``13 000`` typed with a plain space is one number in a query (in a text,
    only a no-break space joins digit groups: "le 10 000" is rare in prose but
    nobody types two numbers side by side in a search box); so is one pasted
    with a no-break or thin space, which the query's words are split at."""
    return _SPACED_NUMBER.sub(
        lambda m: m.group(1) + re.sub(r"[ \u00a0\u2009]", "\u202f", m.group(2)), text)


def parse_query(text: str) -> Node | None:
    """The query tree of ``text``, or None when it holds nothing to search for.

    >>> parse_query('sanctions -Russie "lignes rouges"')  # doctest: +NORMALIZE_WHITESPACE
    Soft(children=(Word(text='sanctions'), Not(child=Word(text='Russie')),
                   Phrase(text='lignes rouges')))
    """
    return _Parser(_lex(text)).soft(inside=False)


_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_RANGE = re.compile(r"([\[{])\s*(\S+)\s+TO\s+(\S+)\s*([\]}])", re.IGNORECASE)
_COMPARISON = re.compile(r"(>=|<=|>|<)\s*(\S+)")


def date_period(text: str) -> tuple[date, date] | None:
    """The first and last days of a date written ``YYYY``, ``YYYY-MM`` or
    ``YYYY-MM-DD`` (``2021-02`` → 1 and 28 February 2021); None if it is no
    such date (``2021-13``, ``2021-02-30``, ``hier``)."""
    found = _DATE.fullmatch(text.strip())
    if found is None:
        return None
    year, month, day = (int(part) if part else None for part in found.groups())
    assert year is not None
    try:
        if month is None:
            return date(year, 1, 1), date(year, 12, 31)
        if day is None:
            first = date(year, month, 1)
            # the month's last day: the next month's first, less one (December's is the 31st)
            return first, (date(year, month + 1, 1) - timedelta(days=1) if month < 12
                           else date(year, 12, 31))
        return date(year, month, day), date(year, month, day)
    except ValueError:
        return None


class DateRange(NamedTuple):
    """The days from ``first`` to ``last``, both included (None: no bound).

    A date written partly (an article dated ``2021-12``) stands for its whole
    period, and is in the range if that period and the range share a day:
    ``2021-12`` is in ``2021-06..2021-12`` and in ``>=2021-12-05``, ``2021`` in
    ``2021-06``."""

    first: date | None
    last: date | None

    def holds(self, written: str) -> bool:
        """True if the date ``written`` as the index keeps it is in the range
        (a date that is none, kept by an older index, never is)."""
        period = date_period(written)
        if period is None:
            return False
        return ((self.first is None or period[1] >= self.first)
                and (self.last is None or period[0] <= self.last))


def parse_date_range(text: str) -> DateRange:
    """The range a ``date:`` filter gives, each bound a date written ``YYYY``,
    ``YYYY-MM`` or ``YYYY-MM-DD`` standing for its whole period:

    ``2021-12``                     that month
    ``2021-06..2021-12``            June to December 2021 (``2021-06..``, ``..2021-12``)
    ``[2021 TO 2022]``              2021 and 2022 (Lucene's; ``*`` for no bound,
                                    ``{…}`` leaves the bounds out)
    ``>=2021-06``, ``>2021``        from June 2021; from 2022
    ``<2022-01-15``, ``<=2021``     until 14 January 2022; until the end of 2021

    Raises ValueError, saying what is wrong, for anything else.

    >>> parse_date_range(">2021")
    DateRange(first=datetime.date(2022, 1, 1), last=None)
    """
    value = text.strip()

    def period(bound: str) -> tuple[date, date]:
        found = date_period(bound)
        if found is None:
            raise ValueError(f"{bound!r} is not a date written YYYY, YYYY-MM or YYYY-MM-DD")
        return found

    def after(bound: str) -> date:
        last = period(bound)[1]
        if last == date.max:  # not "no bound": nothing at all
            raise ValueError(f"no date comes after {bound!r}")
        return last + timedelta(days=1)

    def before(bound: str) -> date:
        first = period(bound)[0]
        if first == date.min:
            raise ValueError(f"no date comes before {bound!r}")
        return first - timedelta(days=1)

    first: date | None
    last: date | None
    if (lucene := _RANGE.fullmatch(value)) is not None:
        opening, low, high, closing = lucene.groups()
        first = None if low == "*" else (period(low)[0] if opening == "[" else after(low))
        last = None if high == "*" else (period(high)[1] if closing == "]" else before(high))
    elif (comparison := _COMPARISON.fullmatch(value)) is not None:
        operator, bound = comparison.groups()
        first, last = {
            ">=": lambda: (period(bound)[0], None), ">": lambda: (after(bound), None),
            "<=": lambda: (None, period(bound)[1]), "<": lambda: (None, before(bound)),
        }[operator]()
    elif ".." in value:
        low, _, high = value.partition("..")
        if not low and not high:
            raise ValueError("'..' needs a date on one side at least")
        first = period(low)[0] if low else None
        last = period(high)[1] if high else None
    else:
        first, last = period(value)
    if first is not None and last is not None and first > last:
        raise ValueError(f"{value!r} starts after it ends")
    return DateRange(first, last)


def filter_nodes(filters: Mapping[str, object]) -> tuple[list[Node], list[str]]:
    """Filters given apart from the query (``{"date": "2021-06..2021-12",
    "source": ["lemonde", "liberation"]}``) as the nodes typing them would
    give: a value is written as after ``name:`` in a query, a list of values
    lets through what any of them does. Also the warnings for what cannot be
    a filter (an empty list, a value that is no text or number)."""
    nodes: list[Node] = []
    warnings: list[str] = []
    for name, given in filters.items():
        field = FIELD_NAMES.get(str(name).strip().lower(), str(name).strip().lower())
        values = given if isinstance(given, (list, tuple, set, frozenset)) else [given]
        kept = [str(value) for value in values
                if isinstance(value, (str, int, float)) and not isinstance(value, bool)
                and str(value).strip()]
        if len(kept) < len(values) or not kept:
            warnings.append(f"filter {name}={given!r}: "
                            + ("left out, no value" if not kept else
                               "values that are no text or number were left out"))
        alternatives = [FieldFilter(field, value) for value in dict.fromkeys(kept)]
        if alternatives:
            nodes.append(alternatives[0] if len(alternatives) == 1 else Or(tuple(alternatives)))
    return nodes, warnings


def with_filters(tree: Node | None, filters: Sequence[Node]) -> Node | None:
    """``tree`` with ``filters`` side by side with its top-level clauses."""
    if not filters:
        return tree
    top = () if tree is None else tree.children if isinstance(tree, Soft) else (tree,)
    joined = (*top, *filters)
    return joined[0] if len(joined) == 1 else Soft(joined)
