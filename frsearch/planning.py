"""Planning, the first stage of a search: a query tree compiled against the
index's vocabulary into a ``Plan`` that ``execution`` runs.

Ranking: a passage must hold at least one clause of the query (a word, a
phrase… typed side by side) in its own text; context alone never makes a hit
(otherwise every passage of an article would match its headline). Its score is

    HELD_SCORE + BM25F × (held / clauses) ** COORDINATION
               + HEADING_MATCH × idf of the query × (in context / clauses) ** 2

* BM25F, summed over every clause, over the passage and its context (the
  headline and section heading count at a lower weight, ``CONTEXT_BOOSTS``),
  carries the weight: repetition, rarity and the passage's length all count,
  so a long passage does not win by holding more words.
* Coordination is soft: ``held`` counts the clauses the passage holds, itself
  or in its headline or heading (a typo's correction half), and its share of
  the query scales BM25F. A passage holding every word ranks above one
  holding some unless the latter fits far better.
* A headline or section heading holding the query as a whole lifts its
  passages (the FAQ heading a question repeats, the section named as asked).
* A headline (its article's passage 0) has no context: it is the context of
  the other passages, not its own, or its words would count twice and it
  would draw its own bonus (``Catalog.headlines``; both ways of running a
  plan leave it out). On the Debian manuals' dev queries MRR@10 / nDCG@10
  0.835 / 0.562 → 0.819 / 0.572 (two queries whose section title was first
  now have a long table holding every word first); on the seeds' questions
  0.836 / 0.615 → 0.873 / 0.639.

``execution`` then adds, for the best ``RERANKED`` passages, how close the
query's words are in them (``scoring.proximity``), and orders equal scores by
passage id, so that the ranking does not depend on how the index was written.

Words typed without accents (or with some missing) are looked up in the index's
lexicon of accented spellings: Snowball stems ``crimée`` to ``crim`` but
``crimee`` to ``crime``, and ``égoïsme`` to ``ego`` but ``egoisme`` to ``egoism``;
indexing records ``crimee`` → ``crim`` and ``egoisme`` → ``ego``, and a query
word stands for those terms too (``_Planner.terms``).

A plan holds a Whoosh query that scores so (``_Coordinated`` runs the clauses'
matchers side by side); one made of words and quoted phrases only (the
commonest kinds) is also described as ``WordClause`` objects, which ``scoring``
ranks from the postings (arrays, and the positions of a phrase's candidate
passages), to the same order and scores, without Whoosh's matchers.
A ``prefix*`` is planned as the words of the index it starts (its commonest
``MAX_PREFIX_TERMS``), so it takes that path too.

Tried and left out, each against the Debian manuals' dev queries (MRR@10 /
nDCG@10 0.835 / 0.562) and the seeds' 15 questions (nDCG@10 0.615), before
headlines were kept from being their own context: BM25's k1 and b other than
Whoosh's 1.2 and 0.75 (b 0.5, 0.808 / 0.574; b 0.9, 0.821 / 0.548 and
questions 0.598; k1 1.8, 0.832 / 0.557 and 0.602); a floor of 10
words under a passage's length, so that a two-word heading does not win by
being short (0.814 / 0.569, 0.621); words held only in the context counting
half toward ``held`` (0.822 / 0.562, 0.595); re-ranking the best 50 by their
likeness to the best 3, pseudo-relevance feedback (0.833 / 0.561, 0.613);
clauses weighted by their idf in the share held (0.826 / 0.561, 0.587); a
tenth of the best neighbouring passage's score added (0.846 / 0.567, 0.615);
pseudo-relevance feedback by expansion, the best 3 to 5 passages' 5 to 10
most telling terms added at a tenth to a third of a word's weight, holding no
share of the query (0.813 to 0.837 / 0.555 to 0.563, questions 0.594 to 0.629).

What a query may cost is bounded: a clause repeated counts once, a prefix
stands for at most ``MAX_PREFIX_TERMS`` words, and a search stops at its
``Deadline``, returning what it found by then.
"""

from __future__ import annotations

import heapq
import math
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from whoosh import query as wq
from whoosh.matching import Matcher
from whoosh.query.spans import SpanNear2, SpanOr

from frsearch.analysis import (
    ACCENT_FORM_SEPARATOR,
    APOSTROPHES,
    ELISIONS,
    INVISIBLE,
    Token,
    fold,
    is_stop_word,
    lowercase_word,
    normalize,
    term_for_word,
    tokenize,
    unaccented_stop_words,
    without_invisibles,
)
from frsearch.catalog import catalog
from frsearch.highlight import Pattern, SequencePattern, TermPattern
from frsearch.indexing import StoredPassage, keyword_term
from frsearch.query import (
    MIN_PREFIX,
    And,
    FieldFilter,
    Node,
    Not,
    Or,
    Phrase,
    Prefix,
    Soft,
    Word,
    parse_date_range,
)
from frsearch.synonyms import Synonyms
from frsearch.whoosh_internals import AndNot

if TYPE_CHECKING:  # typos is imported by the first search that corrects a word
    from frsearch.typos import Correction

__all__ = [
    "DEFAULT_TIME_BUDGET", "Deadline", "Plan", "PhrasePart", "PlannedClause", "WordClause",
    "compile_query", "literal_finder", "literal_form", "suggest",
]

CONTEXT_BOOSTS = {"title": 0.3, "heading": 0.5}
"""Weight of a word found in the headline or the section heading, against 1 in
the passage itself."""

COORDINATION = 1.0
"""Exponent of the share of the query's clauses a passage holds (itself, or in
its headline or section heading), which scales its BM25F: a passage holding
two words of three needs half as much BM25F again as one holding all three to
rank above it. On the Debian manuals' dev queries (MRR@10 / nDCG@10): 0, BM25F
alone, 0.829 / 0.541; 0.5, 0.840 / 0.562; 1, 0.835 / 0.562; 2, 0.821 / 0.563.
Below 1 the seeds' questions slip under their floors (``tests/test_relevance``)."""
TYPO_WEIGHT = 0.5
"""What a clause held only through the correction of a typo counts, against 1
for a word typed right."""
SPELLINGS_FROM = 32
"""Passages read for the spellings of a term a typo might be corrected to
(``_Planner.spellings``): all of them for a rare term, so that the answer does
not depend on which writer process indexed which passage; for a common term the
first 32 hold its common forms (reading them costs about a third of a millisecond)."""
HEADING_MATCH = 0.2
"""Bonus of a headline or section heading holding the whole query, as a share
of the query's idf: less than BM25F gives one of its words held in the passage,
so that it orders passages of like fit rather than outranking a better one.
It falls with the square of the share of the query held. On the dev queries:
0, 0.824 / 0.557; 0.2, 0.835 / 0.562; 0.4, 0.833 / 0.561."""
PROXIMITY = 0.5
"""Weight of the proximity bonus (``scoring.proximity``) against BM25F. On the
dev queries the same overall at 0, 0.5 and 1 (phrases gain 0.02 of nDCG@10,
questions lose 0.04 of MRR@10: their words are near each other in many
passages that do not answer), as on the seeds; 2 and more lose."""
PROXIMITY_WINDOW = 5
"""Words of the query further apart than this count nothing for proximity
(BM25TP's window)."""
PROXIMITY_TERMS = 16
"""Clauses standing for more terms (a short prefix) count nothing for
proximity: reading their positions would cost more than the bonus is worth."""
RERANKED = 50
"""Best passages by the rest of the score whose proximity is computed: five
pages of hits (the dev figures are the same from 30 to 100)."""
QUESTION_TERMS = frozenset({"quand", "pourquoi", "comment", "combien", "ou"})
"""Terms of French question words, which say what kind of answer is wanted, not
what it is about."""
HELD_SCORE = 1.0
"""What every hit scores at least (it holds one clause of the query in its own
text): the same for every hit, it orders nothing."""
FILTER_SCORE = 1e-9
"""Score of a filter inside a group (``(Crimée OR date:2014)``): as near nothing
as Whoosh allows (it reads a constant score of 0 as 1), so that a filter
orders nothing. Filters of the top level are no part of the scored query."""
FIXED_FIELDS = ("date", "id", "title")
"""Fields every index has; metadata fields are those its ``keywords`` name."""
MAX_PREFIX_TERMS = 1000
"""Words of the index a ``prefix*`` stands for at most: its commonest ones
(ties in alphabetical order). On the whole Littré (171,548 terms), 99 % of
three-letter prefixes start at most 390 terms and the largest (``con``) 2,537;
two letters start 24 terms for the median prefix, 792 at the 90th percentile,
6,789 for ``co``. Keeping the commonest keeps most of what a prefix finds
(98 % of the postings of ``pr*``, 96 % of ``co*``): the words left out occur in
a few passages each."""
MAX_QUERY_PREFIX_TERMS = 4 * MAX_PREFIX_TERMS
"""Words all the prefixes of one query stand for at most, each cut to what is
left when it is planned: Whoosh builds a matcher per word before the search's
deadline can be looked at, and 120 two-letter prefixes OR-ed (24,000 words on
10 MB of the Littré) took 6.5 s against a budget of 5."""
DEFAULT_TIME_BUDGET = 5.0
"""Seconds a search may take by default before it returns what it has found.
On the whole Littré (753,000 passages), the slowest of the benchmark's and the
judged queries takes 1.4 s, the others under 0.2 s, ``pr*`` 0.4 s. What it
stops is rather ``pr* "cheval de bataille"``: a short prefix beside a phrase
or an exclusion goes through Whoosh's matchers (3.9 s for ``pr* -roi``)."""
MANY_TERMS = 64
"""Alternatives of this many terms or more are matched with ``_ManyTerms``."""

_ACCENTED_SUFFIXES = ("é", "ée", "ées", "és", "èrent", "ité", "ités", "ière", "ières",
                      "âmes", "ât", "âtes", "îmes", "ît", "îtes")
"""The suffixes Snowball French strips only with their accents."""
_WORDS = re.compile(r"\w+")
# A word as the analysis reads it (apostrophes and invisible characters inside,
# a hyphen between two), and an elided article at its start.
_ANALYSED_WORD = re.compile(rf"\w+(?:[{APOSTROPHES}{INVISIBLE}][{INVISIBLE}]*\w+)*")
_ELIDED = re.compile(rf"(\w+)[{APOSTROPHES}][{INVISIBLE}]*")


class Deadline:
    """When a search must stop, and whether it had to. Looked at between the
    steps of a search (clauses, blocks of postings, passages matched, hits),
    never inside one: a step is short, and the clock costs less than a step."""

    __slots__ = ("_at", "passed")

    def __init__(self, seconds: float | None):
        """``seconds`` from now (0: at once); None: never."""
        self._at = None if seconds is None else time.monotonic() + max(0.0, seconds)
        self.passed = False
        """True once ``expired`` has seen the deadline pass."""

    def expired(self) -> bool:
        if not self.passed and self._at is not None and time.monotonic() >= self._at:
            self.passed = True
        return self.passed


class PhrasePart(NamedTuple):
    """A phrase of a clause in one field, as ``scoring`` matches and scores it
    from the postings: what Whoosh's ``Phrase`` (each word one term) or
    ``SpanNear2`` (a word of several spellings) in ``field_query`` does."""

    field: str
    words: tuple[tuple[str, ...], ...]
    """Each word's terms in the field (its spellings), in the phrase's order."""
    slop: int
    """How far a word may follow the one before (1: next to it)."""
    boost: float
    """What the phrase's score is multiplied by: a headline's or heading's
    boost for a ``Phrase``; 1 for a ``SpanNear2``, whose matcher leaves the
    boost it was given out."""


class WordClause(NamedTuple):
    """One clause of words or quoted phrases (with their spellings, variants
    or correction), as ``scoring`` ranks it from the postings."""

    weight: float
    """What the clause counts in the share of the query a passage holds."""
    idf: float
    """How informative the clause is (Whoosh's idf of its frequency)."""
    held_by: tuple[str, ...]
    """Terms of the passage's own text that hold the clause; each is also in
    ``scored``, in the ``text`` field."""
    scored: tuple[tuple[str, str, float], ...]
    """(field, term, boost) of every term scored with BM25F, context included."""
    phrases: tuple[PhrasePart, ...] = ()
    """Its phrases, context included; those of the ``text`` field hold it."""


class PlannedClause(NamedTuple):
    """A top-level clause: how it counts in the ranking, the Whoosh queries that
    find and score it, and the patterns that mark it in a passage."""

    weight: float
    """What the clause counts in the share of the query a passage holds."""
    idf: float
    """How informative the clause is (Whoosh's idf of its frequency)."""
    patterns: tuple[Pattern, ...]
    text: wq.Query
    """Matches the clause in the passage's own text, scored with BM25F."""
    context: wq.Query | None = None
    """Matches it in the passage's headline or heading, boosted; None if neither can."""
    terms: tuple[str, ...] = ()
    """Its terms in the passage's text, for proximity; none if too many."""
    literal: str | None = None
    """For a quoted phrase holding stop words: the phrase as ``literal_form`` writes it."""


@dataclass(slots=True)
class Plan:
    """A whole query ready to run."""

    query: wq.Query | None
    """None when the query holds nothing to search for."""
    clauses: list[PlannedClause]
    corrections: list[tuple[str, Correction]] = field(default_factory=list)
    """Each word corrected, as typed, and its correction."""
    literals: list[str] = field(default_factory=list)
    """Quoted phrases with stop words, as ``literal_form`` writes them: a passage
    holds such a clause only if it holds the phrase word for word."""
    words: list[WordClause] | None = None
    """The same query for ``scoring.top_passages``, when it is made of words
    and phrases only (no group, no exclusion)."""
    truncated_prefixes: tuple[str, ...] = ()
    """Prefixes (as typed, with their ``*``) cut to ``MAX_PREFIX_TERMS`` words."""
    deadline: Deadline = field(default_factory=lambda: Deadline(None))
    """When running the query must stop; started when it was planned."""
    filters: list[wq.Query] = field(default_factory=list)
    """The filters of the query's top level (``title:``, ``date:``, ``source:``…):
    every hit passes each. Not part of ``query``: ``execution`` turns them into
    the set of passages a hit may be, for either way of running the plan."""
    excluded: list[wq.Query] = field(default_factory=list)
    """Filters of the top level that a hit must not pass (``-source:afp``)."""
    browse: bool = False
    """The query holds filters or exclusions but no clause (``date:2021-12``):
    every passage they let through is a hit, ``query`` ranks nothing."""
    warnings: list[str] = field(default_factory=list)
    """What of the query was left out, and why (``foo:bar``: no field ``foo``)."""

    @property
    def patterns(self) -> list[tuple[Pattern, ...]]:
        """Each clause's highlight patterns."""
        return [clause.patterns for clause in self.clauses]

    def query_without(self, dropped: frozenset[int]) -> wq.Query:
        """``query`` with the clauses at ``dropped`` held by no passage (still
        counted in the share of the query held): how a passage that lacks a
        quoted phrase word for word scores. Exclusions left out: it is asked
        about passages ``query`` matched."""
        clauses = [clause._replace(text=wq.NullQuery, context=None) if at in dropped else clause
                   for at, clause in enumerate(self.clauses)]
        return _Coordinated(clauses)


class Coordination:
    """The score of a passage from what it holds of a query's clauses (see the
    module's docstring); the one formula both ways of running a plan use."""

    __slots__ = ("_bonus", "_factor", "held_score", "idf", "weight")

    def __init__(self, clauses: Iterable[WordClause | PlannedClause],
                 held_score: float = HELD_SCORE):
        clauses = list(clauses)
        self.held_score = held_score
        self.weight = sum(clause.weight for clause in clauses) or 1.0
        self.idf = sum(clause.idf for clause in clauses)
        self._factor: dict[float, float] = {}
        self._bonus: dict[float, float] = {0.0: 0.0}

    def factor(self, held: float) -> float:
        """What BM25F is multiplied by for a passage holding ``held`` of the
        query's weight (remembered: a query's passages hold a few sums)."""
        found = self._factor.get(held)
        if found is None:
            found = self._factor[held] = (held / self.weight) ** COORDINATION
        return found

    def bonus(self, in_context: float) -> float:
        """What a headline or heading holding ``in_context`` of the query adds."""
        found = self._bonus.get(in_context)
        if found is None:
            found = self._bonus[in_context] = (
                HEADING_MATCH * self.idf * (in_context / self.weight) ** 2)
        return found

    def score(self, fit: float, held: float, in_context: float) -> float:
        """A passage's score from its BM25F (``fit``), the weight of the clauses
        it holds (itself or in its context), and that of the clauses its
        headline or heading holds."""
        return self.held_score + fit * self.factor(held) + self.bonus(in_context)


class _Coordinated(wq.Query):
    """The clauses of a query ranked together, as ``Coordination`` scores
    them: Whoosh has no such query, so this one runs the matchers of each
    clause's text and context side by side. It matches the passages that hold
    a clause in their own text."""

    def __init__(self, clauses: list[PlannedClause], held_score: float = HELD_SCORE):
        self.clauses = clauses
        self.held_score = held_score
        self.boost = 1.0

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, _Coordinated) and self.clauses == other.clauses
                and self.held_score == other.held_score)

    def __hash__(self) -> int:
        return hash((_Coordinated, len(self.clauses), self.held_score))

    def __repr__(self) -> str:
        return f"_Coordinated({[clause.text for clause in self.clauses]!r})"

    def children(self):
        for clause in self.clauses:
            yield clause.text
            if clause.context is not None:
                yield clause.context

    def normalize(self) -> _Coordinated:
        return self

    def estimate_size(self, ixreader) -> int:
        return sum(_estimate_size(clause.text, ixreader) for clause in self.clauses)

    def matcher(self, searcher, context=None) -> _CoordinatedMatcher:
        return _CoordinatedMatcher(
            [clause.text.matcher(searcher, context) for clause in self.clauses],
            [None if clause.context is None else clause.context.matcher(searcher, context)
             for clause in self.clauses],
            [clause.weight for clause in self.clauses],
            Coordination(self.clauses, self.held_score),
            catalog(searcher.reader()).is_headline)


class _CoordinatedMatcher(Matcher):
    """Steps through the passages any clause's text matcher matches, and
    scores each from all the clauses' text and context matchers; a headline
    from its text only, being the context of its article's other passages,
    not its own (as ``scoring`` does)."""

    def __init__(self, texts: list[Matcher], contexts: list[Matcher | None],
                 weights: list[float], coordination: Coordination,
                 is_headline: Callable[[int], bool]):
        self._texts = texts
        self._contexts = contexts
        self._weights = weights
        self._coordination = coordination
        self._is_headline = is_headline
        self._id: int | None = None
        self._find()

    def _find(self) -> None:
        self._id = min((m.id() for m in self._texts if m.is_active()), default=None)

    def is_active(self) -> bool:
        return self._id is not None

    def id(self) -> int:
        assert self._id is not None
        return self._id

    def next(self) -> None:
        for text in self._texts:
            if text.is_active() and text.id() == self._id:
                text.next()
        self._find()

    def skip_to(self, target: int) -> None:
        if self._id is None or target <= self._id:
            return
        for text in self._texts:
            if text.is_active() and text.id() < target:
                text.skip_to(target)
        self._find()

    def reset(self) -> None:
        for matcher in (*self._texts, *self._contexts):
            if matcher is not None:
                matcher.reset()
        self._find()

    def copy(self) -> _CoordinatedMatcher:
        return _CoordinatedMatcher([m.copy() for m in self._texts],
                                   [None if m is None else m.copy() for m in self._contexts],
                                   self._weights, self._coordination, self._is_headline)

    def children(self) -> list[Matcher]:
        return [m for m in (*self._texts, *self._contexts) if m is not None]

    def supports_block_quality(self) -> bool:
        return False

    def score(self) -> float:
        docnum = self.id()
        fit = held = in_context = 0.0
        headline: bool | None = None  # asked once, if a context matches
        for text, context, weight in zip(self._texts, self._contexts, self._weights,
                                         strict=True):
            holds = text.is_active() and text.id() == docnum
            if holds:
                fit += text.score()
            if context is not None and context.is_active():
                if context.id() < docnum:
                    context.skip_to(docnum)
                if context.is_active() and context.id() == docnum:
                    if headline is None:
                        headline = self._is_headline(docnum)
                    if not headline:
                        fit += context.score()
                        in_context += weight
                        holds = True
            if holds:
                held += weight
        return self._coordination.score(fit, held, in_context)


def _number_variants(typed: str, tokens: list[Token]) -> tuple[tuple[str, ...], ...]:
    """The words typed, and the same with its numbers of thousands split into
    their groups, as a text typed with plain spaces holds them: indexing joins
    ``13’000``, ``13.000`` and ``13 000`` with a no-break space into ``13000``,
    but not ``13 000`` with a plain one (``le 10 000`` may be two numbers in
    prose), which stays ``13`` and ``000``. A number typed with a separator,
    or of five digits or more, stands for both; ``2021`` typed as it is stays
    a year. () when no word is such a number.

    >>> _number_variants("13.000 morts", tokenize("13.000 morts"))
    (('13000', 'mort'), ('13', '000', 'mort'))
    """
    joined: list[str] = []
    split: list[str] = []
    for token in tokens:
        term = token.term
        joined.append(term)
        if term.isdigit() and len(term) >= 4 and (
                len(term) >= 5 or not typed[token.start:token.end].isdigit()):
            head = len(term) % 3 or 3
            split += (term[:head], *(term[at:at + 3] for at in range(head, len(term), 3)))
        else:
            split.append(term)
    return (tuple(joined), tuple(split)) if split != joined else ()


@dataclass(slots=True)
class _Clause:
    """A clause as Whoosh queries: ``in_passage`` must match in the passage's
    own text, ``context`` in its headline or heading; ``patterns`` mark it."""

    in_passage: wq.Query
    context: wq.Query | None = None
    patterns: list[Pattern] = field(default_factory=list)
    frequency: int | None = None
    """In how many passages the clause's words occur (at most); None if unknown."""
    typo: bool = False
    """Held only through the correction of a typo: counts ``TYPO_WEIGHT``."""
    question: bool = False
    """A question word ("pourquoi", "quand"…): left out when the query has others."""
    corrections: list[tuple[str, Correction]] = field(default_factory=list)
    """Words as typed, and what each was corrected to."""
    literal: str | None = None
    """For a quoted phrase holding stop words: the phrase as ``literal_form`` writes it."""
    terms: tuple[str, ...] = ()
    """Its terms in the passages' text, for proximity (none for a group)."""
    postings: tuple[tuple[str, ...], tuple[tuple[str, str, float], ...],
                    tuple[PhrasePart, ...]] | None = None
    """For a clause of words and phrases (not a group): the terms of
    ``in_passage``, the (field, term, boost) of each term it scores and its
    phrases, what ``scoring`` needs to rank it from the postings."""


class _Near(SpanNear2):
    """Whoosh's SpanNear2, whose size estimate (asked for by And) raises in
    Whoosh 2.7.4: a phrase occurs at most as often as its rarest word."""

    def estimate_size(self, ixreader) -> int:
        return min(_estimate_size(query, ixreader) for query in self.qs)


class _ManyTerms(wq.Or):
    """Alternatives of many terms (a prefix's words), matched by adding up
    their scores in an array, a range of passages at a time: Whoosh's binary
    tree of unions costs about 0.5 ms a passage for the 620 words of ``pr*``."""

    matcher_type = wq.Or.ARRAY_MATCHER


def _estimate_size(query: wq.Query, ixreader) -> int:
    try:
        return query.estimate_size(ixreader)
    except NotImplementedError:  # SpanOr: at most the sum of its alternatives
        return sum(_estimate_size(sub, ixreader) for sub in getattr(query, "subqs", ()))


def _spellings(lowered: str) -> list[str]:
    """``lowered`` (typed without accents) ending with each suffix Snowball
    strips only accented (``_ACCENTED_SUFFIXES``) that it could end with:
    ``cassees`` → ``cassées``, ``cassés``. Not ``foîs`` for ``fois``: French puts
    no such ending, and its stem is another word's (``foi``)."""
    return [lowered[: len(lowered) - len(plain)] + suffix for suffix in _ACCENTED_SUFFIXES
            if lowered.endswith(plain := fold(suffix)) and len(lowered) > len(plain)]


class _Planner:
    def __init__(self, reader, synonyms: Synonyms, deadline: Deadline):
        self.reader = reader
        self._known: dict[tuple[str, str], bool] = {}
        self._forms: dict[str, frozenset[str]] = {}
        self.synonyms = synonyms
        self.deadline = deadline
        self._expansions: dict[tuple[str, ...], frozenset[str]] = {}
        self._prefixes: dict[tuple, _Clause] = {}
        self.truncated_prefixes: list[str] = []
        """Prefixes as typed whose words were cut to ``MAX_PREFIX_TERMS``."""
        self._prefix_terms_left = MAX_QUERY_PREFIX_TERMS
        self.warnings: list[str] = []
        """Filters left out, each with the reason."""

    def in_index(self, fieldname: str, term: str) -> bool:
        """True if the index has ``term`` in this field (remembered: each
        lookup reads the term table, and a query asks about a term in several places)."""
        key = (fieldname, term)
        found = self._known.get(key)
        if found is None:
            found = self._known[key] = key in self.reader
        return found

    def in_text(self, term: str) -> bool:
        return self.in_index("text", term)

    def terms(self, written: str, term: str) -> frozenset[str]:
        """The index terms a query word stands for: its own, and those of the
        index's spellings of it with other accents (``forms``): ``egoisme``,
        ``égoisme`` and ``égoïsme`` all find ``égoïsme``, stemmed ``ego``.

        The term of the accent-free spelling counts when that is what was
        typed (``copie`` is a word, not only ``copié`` without accents), unless
        it is shorter than an accented spelling's: Snowball strips accented
        suffixes (``-ées``, ``-ière``, ``-ité``) that it leaves on plain
        spellings, so a shorter term comes from another suffix, and is other
        words' (``delie`` → ``del``: délai, délit; ``délié`` → ``deli``).
        Typed with accents, it counts only if it extends one of those terms:
        ``pensees`` (``pense``) is ``pensées`` (``pens``) written without
        accents, as old texts do.
        Accented endings are guessed (``_spellings``) only for a word typed
        plain that the index knows in neither way: ``cassees`` when only
        ``cassé`` and ``casser`` are written (stemmed ``cass``)."""
        lowered = lowercase_word(written)
        if lowered.isdigit():
            return frozenset({term})
        folded = fold(lowered)
        plain = "" if is_stop_word(folded) else term_for_word(folded)
        if lowered.isascii():
            accented = set(self.forms(folded))
            if any(t != plain and t.startswith(plain) for t in accented):
                plain = ""
        else:
            accented = {term, *self.forms(folded)}
            if not any(plain != t and plain.startswith(t) for t in accented):
                plain = ""
        found = {t for t in (plain, *accented) if t and self.in_text(t)}
        if lowered.isascii() and not found:
            found.update(t for t in map(term_for_word, _spellings(lowered))
                         if t and self.in_text(t))
        return frozenset(found or {term})

    def forms(self, folded: str) -> frozenset[str]:
        """Terms of the index's accented spellings of ``folded`` whose stem its
        accents change (``indexing.AccentForms``): ``egoisme`` → ``ego``."""
        found = self._forms.get(folded)
        if found is None:
            prefix = f"{folded}{ACCENT_FORM_SEPARATOR}"
            found = self._forms[folded] = frozenset(
                form.decode("utf-8")[len(prefix):]
                for form in self.reader.expand_prefix("forms", prefix))
        return found

    def tokens(self, normalized: str) -> list[Token]:
        """``tokenize``'s tokens, and the words typed without accents that are
        left out as stop words but spell accented words of the index (``meme``
        for ``mémé``), which stand for those (``terms``)."""
        tokens = list(tokenize(normalized))
        extra = [t for t in unaccented_stop_words(normalized) if self.forms(t.term)]
        return sorted(tokens + extra, key=lambda t: t.position) if extra else tokens

    def word_sets(self, normalized: str, tokens: list[Token] | None = None):
        """Term sets of each word of ``normalized`` text, and the largest position gap."""
        if tokens is None:
            tokens = self.tokens(normalized)
        sets = [self.terms(normalized[t.start:t.end], t.term) for t in tokens]
        gaps = [b.position - a.position for a, b in zip(tokens, tokens[1:], strict=False)]
        return sets, max(gaps, default=1)

    def terms_in(self, fieldname: str, terms: frozenset[str]) -> list[str]:
        """The ``terms`` this field has (all of them if it has none), sorted:
        the others would only add dead branches that Whoosh steps through for
        every passage."""
        return sorted(frozenset(t for t in terms if self.in_index(fieldname, t)) or terms)

    def field_query(self, fieldname: str, sets: list[frozenset[str]], slop: int) -> wq.Query:
        """The words (one term set each) as a term, alternatives or a phrase."""
        sets = [frozenset(self.terms_in(fieldname, s)) for s in sets]
        if len(sets) == 1:
            terms = sorted(sets[0])
            if len(terms) == 1:
                return wq.Term(fieldname, terms[0])
            alternatives = _ManyTerms if len(terms) >= MANY_TERMS else wq.Or
            return alternatives([wq.Term(fieldname, t) for t in terms])
        if all(len(s) == 1 for s in sets):
            return wq.Phrase(fieldname, [next(iter(s)) for s in sets], slop=slop)
        spans = [SpanOr([wq.Term(fieldname, t) for t in sorted(s)]) for s in sets]
        return _Near(spans, slop=slop, ordered=True)

    def phrase_part(self, fieldname: str, sets: list[frozenset[str]], slop: int,
                    boost: float) -> PhrasePart:
        """The phrase ``field_query`` makes of the words, with ``boost``, for ``scoring``."""
        words = tuple(tuple(self.terms_in(fieldname, s)) for s in sets)
        spans = any(len(terms) > 1 for terms in words)  # a SpanNear2, not a Phrase
        return PhrasePart(fieldname, words, slop, 1.0 if spans else boost)

    def sequence(self, sets: list[frozenset[str]], slop: int) -> _Clause:
        """A word (one term set) or a phrase (several), in the passage and its context."""
        in_passage = self.field_query("text", sets, slop)
        contexts = [(name, boost) for name, boost in CONTEXT_BOOSTS.items()
                    if all(any(self.in_index(name, t) for t in s) for s in sets)]
        context = [self.field_query(name, sets, slop).with_boost(boost)
                   for name, boost in contexts]
        fields = [("text", 1.0), *contexts]
        if len(sets) == 1:
            pattern: Pattern = TermPattern(sets[0])
            postings: tuple = (tuple(self.terms_in("text", sets[0])), tuple(
                (name, term, boost) for name, boost in fields
                for term in self.terms_in(name, sets[0])), ())
        else:
            pattern = SequencePattern(tuple(sets), slop)
            postings = ((), (), tuple(self.phrase_part(name, sets, slop, boost)
                                      for name, boost in fields))
        frequency = min(sum(self.reader.doc_frequency("text", t) for t in s) for s in sets)
        question = len(sets) == 1 and bool(sets[0] & QUESTION_TERMS)
        terms = tuple(sorted({t for s in sets for t in self.terms_in("text", s)}))
        return _Clause(in_passage, _any(context), [pattern], frequency=frequency,
                       question=question, terms=terms, postings=postings)

    def typed(self, text: str, phrase: bool = False) -> _Clause | None:
        """Words typed as they are: a synonym group's variants, the index terms
        of the words (accents or not), or, for one unknown word, its correction."""
        if text.endswith("*") and not phrase:  # the parser's prefix of one letter
            self.warnings.append(f"{text} was searched as the word {text.rstrip('*')}: a prefix "
                                 f"needs {MIN_PREFIX} letters")
        normalized = normalize(text)
        tokens = self.tokens(normalized)
        if not tokens:
            return None
        variants = (self.synonyms.variants(tuple(t.term for t in tokens))
                    or _number_variants(normalized, tokens))
        if variants:
            alternatives = [self.sequence([frozenset({t}) for t in v], 1) for v in variants]
            parts = [a.postings for a in alternatives if a.postings is not None]
            postings = None
            if len(parts) == len(alternatives):
                postings = (tuple(term for held_by, _, _ in parts for term in held_by),
                            tuple(leaf for _, scored, _ in parts for leaf in scored),
                            tuple(phrase for _, _, phrases in parts for phrase in phrases))
            return _Clause(wq.Or([a.in_passage for a in alternatives]),
                           _any(a.context for a in alternatives),
                           [p for a in alternatives for p in a.patterns],
                           frequency=sum(a.frequency or 0 for a in alternatives),
                           terms=tuple(t for a in alternatives for t in a.terms),
                           postings=postings)
        sets, slop = self.word_sets(normalized, tokens)
        if phrase and len(_WORDS.findall(normalized)) > len(tokens):
            # stop words left the phrase: "à la fois" is only "fois" to the index
            clause = self.sequence(sets, slop)
            clause.literal = literal_form(normalized)
            return clause
        if len(sets) == 1 and not phrase and not any(self.in_text(t) for t in sets[0]):
            written = normalized[tokens[0].start:tokens[0].end]
            correction = self.correct(written)
            if correction is not None:
                clause = self.sequence([correction.terms], 1)
                clause.typo = True
                clause.corrections.append((written, correction))
                return clause
        return self.sequence(sets, slop)

    def correct(self, written: str) -> Correction | None:
        from frsearch.typos import correct  # loaded by the first word to correct

        reader = self.reader
        return correct(
            written,
            has_term=self.in_text,
            frequency=lambda term: reader.doc_frequency("text", term),
            terms_with_prefix=lambda prefix: (
                term.decode("utf-8") for term in reader.expand_prefix("text", prefix)),
            spellings=self.spellings,
        )

    def spellings(self, term: str) -> list[str]:
        """The words that give ``term`` in the first ``SPELLINGS_FROM`` passages
        holding it, as written: what a correction to it must be near."""
        words: list[str] = []
        matcher = self.reader.postings("text", term)
        for _ in range(SPELLINGS_FROM):
            if not matcher.is_active():
                break
            text = StoredPassage.from_fields(self.reader.stored_fields(matcher.id())).text
            words += [text[t.start:t.end] for t in tokenize(text) if t.term == term]
            matcher.next()
        return words

    def prefix(self, text: str) -> _Clause | None:
        """``text*`` read as words are, as Lucene's ``normalize()`` reads a
        multi-term query: ``l’Ukr*`` is ``Ukr*``, and ``Etats-Un*`` the word
        ``Etats`` followed by a word starting ``Un``. The last word stands for
        the words of the index that start with its letters (``expand_prefix``),
        searched as the spellings of one word are; the commonest
        ``MAX_PREFIX_TERMS`` of them if more."""
        normalized = normalize(text)
        words = _ANALYSED_WORD.findall(normalized)
        if not words:
            return None
        last = without_invisibles(words[-1])
        elided = _ELIDED.match(last)
        if elided is not None and elided.group(1).lower() in ELISIONS:
            last = last[elided.end():]
        lowered = lowercase_word(last)
        folded = "".join(ch for ch in fold(lowered) if ch.isalnum() or ch == "'")
        if sum(ch.isalnum() for ch in folded) < MIN_PREFIX:  # "l’U*": too short to expand
            return self.typed(f"{text}*")
        head: list[frozenset[str]] = []
        positions: list[int] = []
        for position, word in enumerate(words[:-1]):
            for token in tokenize(word):  # none for a stop word, at most one otherwise
                head.append(self.terms(word[token.start:token.end], token.term))
                positions.append(position)
        positions.append(len(words) - 1)
        slop = max((b - a for a, b in zip(positions, positions[1:], strict=False)), default=1)
        stem = term_for_word(lowered) or folded
        key = (tuple(head), slop, folded, stem)
        if key in self._prefixes:  # "PR* pr*": one expansion, one clause
            return self._prefixes[key]
        kept = self.expand_prefix(folded, stem, f"{text}*")
        clause = self.sequence([*head, kept], slop)
        clause.question = False  # "quan*" is what is searched for, not how
        self._prefixes[key] = clause
        return clause

    def expand_prefix(self, letters: str, stem: str, typed: str) -> frozenset[str]:
        """The commonest ``MAX_PREFIX_TERMS`` terms of the index's words that
        start with ``letters`` (folded; ``typed`` is named in
        ``truncated_prefixes`` if there were more); ``letters`` itself if
        there are none, which then finds nothing.

        Terms are stems: those ``letters`` starts, and those of the words that
        ``letters`` continues, shorter than it (``ans*``: ``an``, the term of
        *ans*) or not its prefix (``chevaux*``: ``cheval``, its ``stem`` as a
        whole word). Not every term the stem starts: ``vers*`` is no *verbe*,
        ``ds*`` no ``d*``."""
        key = (letters, stem)
        kept = self._expansions.get(key)
        if kept is None:
            frequencies = self.expand("text", (letters,))
            shorter = ([letters[:end] for end in range(len(stem), len(letters))]
                       if letters.startswith(stem) else [])
            for term in (stem, *shorter):
                for form in (term, f"{term}~"):  # "~": a stem a stop word has too
                    if form not in frequencies and self.in_index("text", form):
                        frequencies[form] = self.reader.doc_frequency("text", form)
            room = min(MAX_PREFIX_TERMS, self._prefix_terms_left)
            best = heapq.nlargest(room, frequencies, key=frequencies.__getitem__)
            self._prefix_terms_left -= len(best)
            if len(best) < len(frequencies):
                self.truncated_prefixes.append(typed)
            for term in best:
                self._known["text", term] = True
            kept = self._expansions[key] = frozenset(best or (letters,))
        return kept

    def expand(self, fieldname: str, prefixes: tuple[str, ...]) -> dict[str, int]:
        """Each term of the field starting with one of ``prefixes``, and how
        many passages hold it, in alphabetical order; read from each segment's
        term table in one pass, with no lookup per term."""
        frequencies: dict[str, int] = {}
        for segment, _ in self.reader.leaf_readers():
            for prefix in prefixes:
                for term, info in segment.iter_prefix(fieldname, prefix):
                    word = term.decode("utf-8")
                    frequencies[word] = frequencies.get(word, 0) + info.doc_frequency()
        return dict(sorted(frequencies.items()))

    def filter(self, node: FieldFilter) -> wq.Query | None:
        """The passages ``node`` lets through, as a query; None (and a warning
        saying why) for a field the index has not or a value it cannot be."""
        typed = f"{node.field}:{node.value}"
        if node.field == "title":
            sets, slop = self.word_sets(normalize(node.value))
            return self.field_query("title", sets, slop) if sets else None
        if node.field == "date":
            try:
                wanted = parse_date_range(node.value)
            except ValueError as error:
                self.warnings.append(f"{typed} was left out: {error}")
                return None
            dates = [term.decode("utf-8") for term in self.reader.lexicon("date")]
            return _any_term("date", [d for d in dates if wanted.holds(d)])
        if node.field == "id":
            return wq.Term("article_id", node.value)
        term = keyword_term(node.field, node.value)
        if not self.has_keyword(node.field):
            names = ", ".join(sorted({*FIXED_FIELDS, *keyword_names(self.reader)}))
            self.warnings.append(f"{typed} was left out: no article has a field "
                                 f"{node.field!r} (fields: {names})")
            return None
        if term is None:
            self.warnings.append(f"{typed} was left out: no value to look for")
            return None
        return wq.Term("keywords", term)

    def has_keyword(self, name: str) -> bool:
        """True if some article has metadata ``name`` the ``keywords`` field holds."""
        prefix = f"{name}="
        return any(True for _ in _keywords_from(self.reader, prefix, prefix))

    def filter_query(self, node: Node) -> wq.Query | None:
        """A filter, or filters joined by AND / OR (``source:a OR source:b``),
        as one query; None if every filter of it was left out."""
        if isinstance(node, FieldFilter):
            return self.filter(node)
        assert isinstance(node, (And, Or, Soft))
        parts = [part for child in node.children
                 if (part := self.filter_query(child)) is not None]
        if not parts:
            return None
        if len(parts) == 1:
            return parts[0]
        return wq.Or(parts) if isinstance(node, Or) else wq.And(parts)

    def split(self, nodes: tuple[Node, ...]):
        """Children of a group, sorted into clauses, filters, exclusions and
        excluded filters."""
        clauses: list[_Clause] = []
        filters: list[wq.Query] = []
        exclusions: list[wq.Query] = []
        excluded: list[wq.Query] = []
        for node in nodes:
            if self.deadline.expired():  # the clauses planned so far are searched
                break
            if isinstance(node, Not) and _is_filter(node.child):
                found = self.filter_query(node.child)
                if found is not None:
                    excluded.append(found)
            elif isinstance(node, Not):
                clause = self.clause(node.child)
                if clause is not None:
                    exclusions.append(clause.in_passage)
            elif _is_filter(node):
                found = self.filter_query(node)
                if found is not None:
                    filters.append(found)
            else:
                clause = self.clause(node)
                if clause is not None:
                    _add_clause(clauses, clause)
        return clauses, filters, exclusions, excluded

    def clause(self, node: Node) -> _Clause | None:
        if isinstance(node, Word):
            return self.typed(node.text)
        if isinstance(node, Phrase):
            return self.typed(node.text, phrase=True)
        if isinstance(node, Prefix):
            return self.prefix(node.text)
        if isinstance(node, FieldFilter):
            found = self.filter(node)
            return None if found is None else _Clause(_constant(found, FILTER_SCORE))
        if isinstance(node, Not):
            return None  # a lone negation inside OR: nothing positive to add
        clauses, filters, exclusions, excluded = self.split(node.children)
        exclusions += [_constant(f, FILTER_SCORE) for f in excluded]
        if not clauses and not filters:
            return None
        patterns = [p for c in clauses for p in c.patterns]
        parts = [c.in_passage for c in clauses] + [_constant(f, FILTER_SCORE) for f in filters]
        if isinstance(node, And):
            in_passage: wq.Query = wq.And(parts)
        else:  # Or, or a parenthesised soft group
            assert isinstance(node, (Or, Soft))
            in_passage = wq.Or(parts)
        if exclusions:
            in_passage = AndNot(in_passage, wq.Or(exclusions))
        corrections = [found for c in clauses for found in c.corrections]
        known = [c.frequency for c in clauses if c.frequency is not None]
        frequency = (min(known) if isinstance(node, And) else sum(known)) if known else None
        return _Clause(in_passage, _any(c.context for c in clauses), patterns,
                       corrections=corrections, frequency=frequency,
                       typo=all(c.typo for c in clauses))


def compile_query(tree: Node | None, reader, synonyms: Synonyms | None = None,
                  time_budget: float | None = None) -> Plan:
    """The plan of a parsed query, over the terms ``reader``'s index holds.

    The plan's deadline starts now: ``time_budget`` seconds (None: no limit)
    for planning and running it. Clauses left when it passes are dropped.
    """
    deadline = Deadline(time_budget)
    if tree is None:
        return Plan(None, [], deadline=deadline)
    planner = _Planner(reader, synonyms or Synonyms({}), deadline)
    top = tree.children if isinstance(tree, Soft) else (tree,)
    clauses, filters, exclusions, excluded = planner.split(top)
    if any(not c.question for c in clauses):
        clauses = [c for c in clauses if not c.question]
    planned = [_planned(c, reader.doc_count_all()) for c in clauses]
    browse = False
    if clauses:
        query: wq.Query = _Coordinated(planned)
    elif filters or exclusions or excluded:
        query, browse = wq.Every(), True
    else:
        return Plan(None, [], truncated_prefixes=tuple(planner.truncated_prefixes),
                    deadline=deadline, warnings=planner.warnings)
    if exclusions:
        query = AndNot(query, wq.Or(exclusions))
    words = None
    if clauses and not exclusions and all(c.postings for c in clauses):
        words = [WordClause(p.weight, p.idf, *c.postings)
                 for c, p in zip(clauses, planned, strict=True)]
    return Plan(query, planned, [found for c in clauses for found in c.corrections],
                [c.literal for c in clauses if c.literal], words,
                tuple(planner.truncated_prefixes), deadline, filters, excluded, browse,
                planner.warnings)


def _is_filter(node: Node) -> bool:
    """True for a filter, or a group of filters only (``source:a OR source:b``)."""
    if isinstance(node, FieldFilter):
        return True
    return isinstance(node, (And, Or, Soft)) and all(_is_filter(c) for c in node.children)


def _any_term(fieldname: str, terms: list[str]) -> wq.Query:
    """Passages holding one of ``terms`` (none: no passage)."""
    if not terms:
        return wq.NullQuery
    if len(terms) == 1:
        return wq.Term(fieldname, terms[0])
    alternatives = _ManyTerms if len(terms) >= MANY_TERMS else wq.Or
    return alternatives([wq.Term(fieldname, term) for term in terms])


def _keywords_from(reader, start: str, prefix: str = ""):
    """The ``keywords`` terms from ``start`` on that start with ``prefix``, in order."""
    if "keywords" not in reader.schema:  # an index written before metadata filtered
        return
    for fieldname, term in reader.terms_from("keywords", start):
        text = term.decode("utf-8") if isinstance(term, bytes) else term
        if fieldname != "keywords" or not text.startswith(prefix):
            return
        yield text


def keyword_names(reader) -> list[str]:
    """The metadata names the index can filter on (``author``, ``source``…), in
    order: one seek in the ``keywords`` terms a name (those of one name sort
    together, ``=`` then the value)."""
    names: list[str] = []
    start = ""
    while True:
        first = next(_keywords_from(reader, start), None)
        if first is None:
            return names
        name = first.partition("=")[0]
        names.append(name)
        start = f"{name}>"  # ">" follows "=": past every value of this name


def _planned(clause: _Clause, passages: int) -> PlannedClause:
    """A clause as it counts in the ranking: idf as Whoosh's BM25F computes it
    for a term (its frequency, for a phrase or alternatives, estimated)."""
    frequency = passages if clause.frequency is None else clause.frequency
    terms = clause.terms if len(clause.terms) <= PROXIMITY_TERMS else ()
    return PlannedClause(TYPO_WEIGHT if clause.typo else 1.0,
                         math.log(max(1, passages) / (frequency + 1)) + 1,
                         tuple(clause.patterns), clause.in_passage, clause.context,
                         terms, clause.literal)


def _add_clause(clauses: list[_Clause], clause: _Clause) -> None:
    """Add ``clause`` to ``clauses`` unless one of them searches the same
    (``Sanctions sanction``: one word of the index twice), which would cost a
    second search and count the word twice in the ranking. Of a typo's
    correction and the word typed right, the latter stays (it ranks higher)."""
    for at, kept in enumerate(clauses):
        if (kept.in_passage == clause.in_passage and kept.context == clause.context
                and kept.literal == clause.literal):
            if kept.typo and not clause.typo:
                clauses[at] = clause
            return
    clauses.append(clause)


def _any(queries: Iterable[wq.Query | None]) -> wq.Query | None:
    """The queries as alternatives (None: none)."""
    found = [q for q in queries if q is not None]
    return wq.Or(found) if found else None


def _constant(query: wq.Query, score: float) -> wq.Query:
    return wq.ConstantScoreQuery(query, score)


def literal_form(text: str) -> str:
    """Lowercase ASCII words separated by single spaces: ``À la fois,`` → ``a la fois``."""
    return " ".join(_WORDS.findall(fold(text)))


@lru_cache(maxsize=256)
def literal_finder(literal: str) -> Callable[[str], re.Match[str] | None]:
    """What finds a phrase written as ``literal_form`` writes it (``a la
    fois``) in the ``fold`` of a text: its words, whole, with nothing but
    non-word characters between them; its stop words as written, its other
    words in any form of their stem, as the index matches them (``"mise en
    œuvre"`` finds *mis en oeuvre*, ``"à la fois"`` not *à sa fois*). A regular
    expression, not the text's words split and compared: it reads every
    passage holding the phrase's other words, most of such a search.

    >>> bool(literal_finder("mise en oeuvre")("il l'a mis en oeuvres"))
    True
    >>> bool(literal_finder("chemin de fer")("les chemins de fer"))
    True
    >>> bool(literal_finder("mise en oeuvre")("mise a l'oeuvre"))
    False
    """
    words = []
    for word in literal.split(" "):
        stem = term_for_word(word).rstrip("~")
        if is_stop_word(word) or not stem:
            words.append(re.escape(word))
        else:
            words.append(f"(?:{re.escape(word)}|{re.escape(stem)}\\w*)")
    return re.compile(r"(?<!\w)" + r"\W+".join(words) + r"(?!\w)").search


def suggest(query: str, plan: Plan, texts: Iterable[str]) -> str | None:
    """``query`` with each corrected word spelled as ``texts`` (the passages
    shown) spell it, in the spelling nearest to what was typed and in its case
    (``typos.closest_spelling``: ``imprimmante`` → ``imprimante``, not
    ``Imprimer``); None if nothing was corrected.

    A correction replaces whole words of the query, each typed so (the parser
    keeps one copy of a repeated word): in ``sanctonsx sanctons``, ``sanctons``
    is the second word, not the start of the first.
    """
    if not plan.corrections:
        return None
    from frsearch.typos import closest_spelling, in_case_of

    texts = list(texts)
    replaced: dict[int, tuple[int, str]] = {}
    """Start of each word replaced in ``query`` → its end and its new spelling."""
    for written, correction in plan.corrections:
        found = [m for m in re.finditer(rf"(?<!\w){re.escape(written)}(?!\w)", query)
                 if m.start() not in replaced]
        if not found:  # typed in another Unicode form than the query's
            continue
        seen = (without_invisibles(text[t.start:t.end]) for text in texts
                for t in tokenize(text) if t.term in correction.terms)
        spelling = (closest_spelling(written, seen)
                    or in_case_of(written, correction.spelling))
        replaced.update((m.start(), (m.end(), spelling)) for m in found)
    parts: list[str] = []
    cursor = 0
    for start in sorted(replaced):
        end, spelling = replaced[start]
        parts += [query[cursor:start], spelling]
        cursor = end
    return "".join([*parts, query[cursor:]])
