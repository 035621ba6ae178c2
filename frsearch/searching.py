"""Searching: a query tree in, ranked passages with their highlights out.

Ranking, in order of precedence:

1. how many of the query's clauses (words, phrases… typed side by side) the
   passage holds *itself*: passages holding every word come first, then those
   holding some, so one unknown word never empties the results;
2. BM25F over the passage and its context: the headline and section heading
   count, at a lower weight, so that among passages holding the same words,
   those of an article about the rest of the query rank higher.

A passage must hold at least one word of the query itself; context alone never
makes a hit (otherwise every passage of an article would match its headline).

Words typed without accents are looked up among the index's own terms: Snowball
stems ``crimée`` to ``crim`` but ``crimee`` to ``crime``, so an unaccented word is
also tried with the accents French puts in word endings, and the terms of those
spellings that the index holds are searched too.

A query is compiled into a Whoosh query; one made of words only (the commonest
kind) is also described as ``scoring.WordClause`` objects, which ``index`` ranks
from the posting arrays, to the same order and scores, without Whoosh's matchers.
A ``prefix*`` is compiled as the words of the index it starts (its commonest
``MAX_PREFIX_TERMS``), so it takes that path too.

What a query may cost is bounded: a clause repeated counts once, a prefix
stands for at most ``MAX_PREFIX_TERMS`` words, and a search stops at its
``Deadline``, returning what it found by then.
"""

from __future__ import annotations

import heapq
import itertools
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from whoosh import query as wq
from whoosh.collectors import TopCollector
from whoosh.query.spans import SpanNear2, SpanOr

from frsearch.analysis import (
    Token,
    fold,
    lowercase_word,
    normalize,
    term_for_word,
    tokenize,
)
from frsearch.duplicates import are_near_duplicates, is_comparable
from frsearch.highlight import (
    Pattern,
    SequencePattern,
    TermPattern,
    make_snippet,
    match_groups,
)
from frsearch.indexing import StoredPassage
from frsearch.query import And, FieldFilter, Node, Not, Or, Phrase, Prefix, Soft, Word
from frsearch.scoring import WordClause
from frsearch.synonyms import Synonyms
from frsearch.typos import Correction, correct

__all__ = [
    "Candidate", "Deadline", "Duplicate", "Hit", "SearchResult", "compile_query", "rank_hits",
    "suggest",
]

CONTEXT_BOOSTS = {"title": 0.3, "heading": 0.5}
"""Weight of a word found in the headline or the section heading, against 1 in
the passage itself."""

TIER = 1000.0
"""Score added per clause held in the passage itself; BM25F stays far below it."""
MIN_WEIGHT = 0.1
TYPO_WEIGHT = 0.5
"""A clause held only through the correction of a typo counts half the least
exact word: exact matches rank above typo matches."""
QUESTION_TERMS = frozenset({"quand", "pourquoi", "comment", "combien", "ou"})
"""Terms of French question words, which say what kind of answer is wanted, not
what it is about."""
HELD_SCORE = 1.0
FILTER_SCORE = 1e-9
"""Constant scores of the required parts; taken off again in ``_hit``
(Whoosh reads a constant score of 0 as 1)."""
MAX_PREFIX_TERMS = 1000
"""Words of the index a ``prefix*`` stands for at most: its commonest ones
(ties in alphabetical order). On the whole Littré (171,548 terms), 99 % of
three-letter prefixes start at most 390 terms and the largest (``con``) 2,537;
two letters start 24 terms for the median prefix, 792 at the 90th percentile,
6,789 for ``co``. Keeping the commonest keeps most of what a prefix finds
(98 % of the postings of ``pr*``, 96 % of ``co*``): the words left out occur in
a few passages each."""
DEFAULT_TIME_BUDGET = 5.0
"""Seconds a search may take by default before it returns what it has found.
On the whole Littré (753,000 passages), the slowest of the benchmark's and the
judged queries takes 1.4 s, the others under 0.2 s, ``pr*`` 0.4 s. What it
stops is rather ``pr* "cheval de bataille"``: a short prefix beside a phrase
or an exclusion goes through Whoosh's matchers (3.9 s for ``pr* -roi``)."""
MANY_TERMS = 64
"""Alternatives of this many terms or more are matched with ``_ManyTerms``."""
DEADLINE_CHECK_EVERY = 256
"""Passages Whoosh's matchers step through between two looks at the clock."""

# Accents that change Snowball's French stem when they sit in a word's ending.
_ACCENTED = {"e": "eéèê", "a": "aâ", "i": "iî", "u": "uû"}
_WORDS = re.compile(r"\w+")
_ENDING = 6
_MAX_SPELLINGS = 256


@dataclass(frozen=True, slots=True)
class Duplicate:
    """A passage grouped under a hit because it says nearly the same thing."""

    passage_id: str
    article_id: str
    title: str
    text: str

    def to_dict(self) -> dict:
        return {"passage_id": self.passage_id, "article_id": self.article_id,
                "title": self.title, "text": self.text}


@dataclass(frozen=True, slots=True)
class Hit:
    """One passage found, with what a reader needs to show it."""

    passage_id: str
    article_id: str
    title: str
    date: str | None
    paragraph: int
    heading: str | None
    score: float
    text: str
    matches: list[tuple[int, int]]
    """``[start, end)`` spans in ``text`` of every word that matched."""
    snippet: str
    """HTML: the text around the best matches, matches in ``<mark>``, the rest escaped."""
    duplicates: list[Duplicate] = field(default_factory=list)
    """Near-duplicates of this passage (wire copy in other articles), grouped under it."""

    def to_dict(self) -> dict:
        return {
            "passage_id": self.passage_id,
            "article_id": self.article_id,
            "title": self.title,
            "date": self.date,
            "paragraph": self.paragraph,
            "heading": self.heading,
            "score": round(self.score, 4),
            "text": self.text,
            "matches": [list(span) for span in self.matches],
            "snippet": self.snippet,
            "duplicates": [duplicate.to_dict() for duplicate in self.duplicates],
        }


@dataclass(frozen=True, slots=True)
class SearchResult:
    """The passages a query found: ``total`` in all, the best ``hits`` first."""

    query: str
    total: int
    hits: list[Hit]
    suggestion: str | None = None
    timed_out: bool = False
    """The search ran out of its time budget: ``hits`` and ``total`` are what it
    had found by then (a search that finished in time may still be incomplete
    only through ``truncated_prefixes``)."""
    truncated_prefixes: tuple[str, ...] = ()
    """Each ``prefix*`` of the query, as typed, that starts more than
    ``MAX_PREFIX_TERMS`` words of the index: only its commonest words were
    searched (``("pr*",)``); make it longer to reach the others."""

    def to_dict(self) -> dict:
        return {
            "query": self.query,
            "total": self.total,
            "hits": [hit.to_dict() for hit in self.hits],
            "suggestion": self.suggestion,
            "timed_out": self.timed_out,
            "truncated_prefixes": list(self.truncated_prefixes),
        }


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


@dataclass(slots=True)
class _Compiled:
    """A query clause as Whoosh queries: ``text`` must match in the passage itself,
    ``scored`` ranks it with its context; ``patterns`` mark it in the text."""

    text: wq.Query
    scored: wq.Query
    patterns: list[Pattern] = field(default_factory=list)
    frequency: int | None = None
    """In how many passages the clause's words occur (at most); None if unknown."""
    typo: bool = False
    """Held only through the correction of a typo: ranks below exact matches."""
    question: bool = False
    """A question word ("pourquoi", "quand"…): left out when the query has others."""
    corrections: list[tuple[str, Correction]] = field(default_factory=list)
    """Words as typed, and what each was corrected to."""
    literal: str | None = None
    """For a quoted phrase holding stop words: the phrase as ``literal_form`` writes
    it. Passages holding it word for word rank first (see ``rank_hits``)."""
    words: tuple[tuple[str, ...], tuple[tuple[str, str, float], ...]] | None = None
    """For a clause of words only (no phrase, no prefix): the ``text`` terms
    that hold it and the (field, term, boost) of each term it scores, what
    ``scoring`` needs to rank it without Whoosh's matchers."""


@dataclass(slots=True)
class CompiledQuery:
    """A whole query ready to run, with each top-level clause's patterns."""

    query: wq.Query | None
    """None when the query holds nothing to search for."""
    clauses: list[tuple[float, list[Pattern]]]
    """Each top-level clause's rank bonus and highlight patterns."""
    corrections: list[tuple[str, Correction]] = field(default_factory=list)
    literals: list[str] = field(default_factory=list)
    """Quoted phrases with stop words, as ``literal_form`` writes them."""
    words: list[WordClause] | None = None
    """The same query for ``scoring.top_passages``, when it is made of words only."""
    truncated_prefixes: tuple[str, ...] = ()
    """Prefixes (as typed, with their ``*``) cut to ``MAX_PREFIX_TERMS`` words."""
    deadline: Deadline = field(default_factory=lambda: Deadline(None))
    """When running the query must stop; started when it was compiled."""

    def collector(self, limit: int) -> TopCollector:
        """A Whoosh collector of the ``limit`` best passages, that stops at the deadline.

        Whoosh's search-time shortcuts (skipping blocks that cannot reach the
        current top scores, replacing matchers on the fly) drop the constant
        rank bonuses of this module: it collects without them."""
        return _CollectorWithDeadline(self.deadline, limit=limit, usequality=False, replace=0)


class _CollectorWithDeadline(TopCollector):
    """Whoosh's TopCollector, which stops collecting once ``deadline`` passes;
    its results are then the passages matched so far."""

    def __init__(self, deadline: Deadline, **options):
        super().__init__(**options)
        self.deadline = deadline

    def collect_matches(self) -> None:
        collect = self.collect
        for count, docnum in enumerate(self.matches()):
            if count % DEADLINE_CHECK_EVERY == 0 and self.deadline.expired():
                return
            collect(docnum)


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
    """``lowered`` with the accents French puts on the vowels of word endings."""
    tail_start = max(0, len(lowered) - _ENDING)
    choices = [
        _ACCENTED.get(char, char) if index >= tail_start else char
        for index, char in enumerate(lowered)
    ]
    return ["".join(letters) for letters in itertools.islice(itertools.product(*choices),
                                                             _MAX_SPELLINGS)]


class _Compiler:
    def __init__(self, reader, synonyms: Synonyms, deadline: Deadline):
        self.reader = reader
        self._held: dict[tuple[str, str], bool] = {}
        self.synonyms = synonyms
        self.deadline = deadline
        self._prefixes: dict[tuple[str, ...], _Compiled] = {}
        self.truncated_prefixes: list[str] = []
        """Prefixes as typed whose words were cut to ``MAX_PREFIX_TERMS``."""

    def has_term(self, term: str) -> bool:
        return self.holds("text", term)

    def holds(self, fieldname: str, term: str) -> bool:
        """True if the index holds ``term`` in this field (remembered: each
        lookup reads the term table, and a query asks about a term in several places)."""
        key = (fieldname, term)
        found = self._held.get(key)
        if found is None:
            found = self._held[key] = key in self.reader
        return found

    def terms(self, written: str, term: str) -> frozenset[str]:
        """The index terms a query word stands for."""
        lowered = lowercase_word(written)
        if not lowered.isascii() or lowered.isdigit():
            return frozenset({term})
        found = {t for t in map(term_for_word, _spellings(lowered)) if t and self.has_term(t)}
        return frozenset(found or {term})

    def word_sets(self, normalized: str, tokens: list[Token] | None = None):
        """Term sets of each word of ``normalized`` text, and the largest position gap."""
        if tokens is None:
            tokens = list(tokenize(normalized))
        sets = [self.terms(normalized[t.start:t.end], t.term) for t in tokens]
        gaps = [b.position - a.position for a, b in zip(tokens, tokens[1:], strict=False)]
        return sets, max(gaps, default=1)

    def held_terms(self, fieldname: str, terms: frozenset[str]) -> list[str]:
        """The ``terms`` this field holds (all of them if it holds none), sorted:
        the others would only add dead branches that Whoosh steps through for
        every passage."""
        return sorted(frozenset(t for t in terms if self.holds(fieldname, t)) or terms)

    def field_query(self, fieldname: str, sets: list[frozenset[str]], slop: int) -> wq.Query:
        """The words (one term set each) as a term, alternatives or a phrase."""
        sets = [frozenset(self.held_terms(fieldname, s)) for s in sets]
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

    def sequence(self, sets: list[frozenset[str]], slop: int) -> _Compiled:
        """A word (one term set) or a phrase (several), in the passage and its context."""
        text_query = self.field_query("text", sets, slop)
        contexts = [(name, boost) for name, boost in CONTEXT_BOOSTS.items()
                    if all(any(self.holds(name, t) for t in s) for s in sets)]
        context = [self.field_query(name, sets, slop).with_boost(boost)
                   for name, boost in contexts]
        words = None
        if len(sets) == 1:
            pattern: Pattern = TermPattern(sets[0])
            held_by = tuple(self.held_terms("text", sets[0]))
            words = (held_by, tuple(
                (name, term, boost) for name, boost in [("text", 1.0), *contexts]
                for term in self.held_terms(name, sets[0])))
        else:
            pattern = SequencePattern(tuple(sets), slop)
        frequency = min(sum(self.reader.doc_frequency("text", t) for t in s) for s in sets)
        question = len(sets) == 1 and bool(sets[0] & QUESTION_TERMS)
        return _Compiled(text_query, wq.Or([text_query, *context]), [pattern],
                         frequency=frequency, question=question, words=words)

    def words(self, text: str, phrase: bool = False) -> _Compiled | None:
        """Words typed as they are: a synonym group's variants, the index terms
        of the words (accents or not), or, for one unknown word, its correction."""
        normalized = normalize(text)
        tokens = list(tokenize(normalized))
        if not tokens:
            return None
        variants = self.synonyms.variants(tuple(t.term for t in tokens))
        if variants:
            alternatives = [self.sequence([frozenset({t}) for t in v], 1) for v in variants]
            words = None
            if all(a.words for a in alternatives):
                words = (tuple(t for a in alternatives for t in a.words[0]),
                         tuple(leaf for a in alternatives for leaf in a.words[1]))
            return _Compiled(wq.Or([a.text for a in alternatives]),
                             wq.Or([a.scored for a in alternatives]),
                             [p for a in alternatives for p in a.patterns],
                             frequency=sum(a.frequency or 0 for a in alternatives),
                             words=words)
        sets, slop = self.word_sets(normalized, tokens)
        if phrase and len(_WORDS.findall(normalized)) > len(tokens):
            # stop words left the phrase: "à la fois" is only "fois" to the index
            compiled = self.sequence(sets, slop)
            compiled.literal = literal_form(normalized)
            return compiled
        if len(sets) == 1 and not phrase and not any(self.has_term(t) for t in sets[0]):
            correction = self.correct(normalized[tokens[0].start:tokens[0].end])
            if correction is not None:
                compiled = self.sequence([correction.terms], 1)
                compiled.typo = True
                compiled.corrections.append((text, correction))
                return compiled
        return self.sequence(sets, slop)

    def correct(self, written: str) -> Correction | None:
        reader = self.reader
        return correct(
            written,
            has_term=self.has_term,
            frequency=lambda term: reader.doc_frequency("text", term),
            terms_with_prefix=lambda prefix: (
                term.decode("utf-8") for term in reader.expand_prefix("text", prefix)),
        )

    def prefix(self, text: str) -> _Compiled | None:
        """The words of the index that ``text`` starts (folded, or as its own
        stem: ``sanctions*`` is ``sanction…``), searched as the spellings of
        one word are; the commonest ``MAX_PREFIX_TERMS`` of them if more."""
        folded = "".join(ch for ch in fold(normalize(text)) if ch.isalnum())
        if not folded:
            return None
        prefixes = _outermost({folded, term_for_word(text.lower()) or folded})
        if prefixes in self._prefixes:  # "PR* pr*": one expansion, one clause
            return self._prefixes[prefixes]
        frequencies = self.expand("text", prefixes)
        kept = heapq.nlargest(MAX_PREFIX_TERMS, frequencies, key=frequencies.__getitem__)
        if len(kept) < len(frequencies):
            self.truncated_prefixes.append(f"{text}*")
        for term in kept:
            self._held["text", term] = True
        # no word starts so: the prefix itself, which the index lacks, finds nothing
        compiled = self.sequence([frozenset(kept or prefixes)], 1)
        compiled.question = False  # "quan*" is what is searched for, not how
        self._prefixes[prefixes] = compiled
        return compiled

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
        if node.field == "date":
            value = node.value.strip()
            return wq.Prefix("date", value) if value else None
        sets, slop = self.word_sets(normalize(node.value))
        return self.field_query("title", sets, slop) if sets else None

    def split(self, nodes: tuple[Node, ...]):
        """Children of a group, sorted into clauses, filters and exclusions."""
        clauses: list[_Compiled] = []
        filters: list[wq.Query] = []
        exclusions: list[wq.Query] = []
        for node in nodes:
            if self.deadline.expired():  # the clauses compiled so far are searched
                break
            if isinstance(node, Not):
                excluded = self.clause(node.child)
                if excluded is not None:
                    exclusions.append(excluded.text)
            elif isinstance(node, FieldFilter):
                found = self.filter(node)
                if found is not None:
                    filters.append(found)
            else:
                compiled = self.clause(node)
                if compiled is not None:
                    _add_clause(clauses, compiled)
        return clauses, filters, exclusions

    def clause(self, node: Node) -> _Compiled | None:
        if isinstance(node, Word):
            return self.words(node.text)
        if isinstance(node, Phrase):
            return self.words(node.text, phrase=True)
        if isinstance(node, Prefix):
            return self.prefix(node.text)
        if isinstance(node, FieldFilter):
            found = self.filter(node)
            return None if found is None else _Compiled(found, _constant(found, FILTER_SCORE))
        if isinstance(node, Not):
            return None  # a lone negation inside OR: nothing positive to add
        clauses, filters, exclusions = self.split(node.children)
        if not clauses and not filters:
            return None
        patterns = [p for c in clauses for p in c.patterns]
        if isinstance(node, And):
            required = [c.text for c in clauses] + filters
            text_query: wq.Query = wq.And(required)
            scored: wq.Query = wq.And([c.scored for c in clauses]
                                      + [_constant(f, FILTER_SCORE) for f in filters])
        else:  # Or, or a parenthesised soft group
            assert isinstance(node, (Or, Soft))
            text_query = wq.Or([c.text for c in clauses] + filters)
            scored = wq.Or([c.scored for c in clauses] + filters)
        if exclusions:
            text_query = wq.AndNot(text_query, wq.Or(exclusions))
            scored = wq.AndNot(scored, wq.Or(exclusions))
        corrections = [found for c in clauses for found in c.corrections]
        known = [c.frequency for c in clauses if c.frequency is not None]
        frequency = (min(known) if isinstance(node, And) else sum(known)) if known else None
        return _Compiled(text_query, scored, patterns, corrections=corrections,
                         frequency=frequency, typo=all(c.typo for c in clauses))


def compile_query(tree: Node | None, reader, synonyms: Synonyms | None = None,
                  time_budget: float | None = None) -> CompiledQuery:
    """Whoosh query for a parsed query, over the terms ``reader``'s index holds.

    The query's deadline starts now: ``time_budget`` seconds (None: no limit)
    for compiling and running it. Clauses left when it passes are dropped.
    """
    deadline = Deadline(time_budget)
    if tree is None:
        return CompiledQuery(None, [], deadline=deadline)
    compiler = _Compiler(reader, synonyms or Synonyms({}), deadline)
    top = tree.children if isinstance(tree, Soft) else (tree,)
    clauses, filters, exclusions = compiler.split(top)
    if any(not c.question for c in clauses):
        clauses = [c for c in clauses if not c.question]
    tiers_of = _tiers(clauses, reader.doc_count())
    # Whoosh 2.7's Require returns wrong documents once scores are optimised,
    # and a search filter spoils the result count: AndMaybe does both right.
    required = [_constant(f, FILTER_SCORE) for f in filters]
    if clauses:
        held = _constant(wq.Or([c.text for c in clauses]), HELD_SCORE)
        tiers = [wq.Or([_constant(c.text, tier), c.scored])
                 for c, tier in zip(clauses, tiers_of, strict=True)]
        query: wq.Query = wq.AndMaybe(wq.And([held, *required]) if required else held,
                                      wq.Or(tiers))
    elif required:
        query = wq.And(required)
    elif exclusions:
        query = wq.Every()
    else:
        return CompiledQuery(None, [], truncated_prefixes=tuple(compiler.truncated_prefixes),
                             deadline=deadline)
    if exclusions:
        query = wq.AndNot(query, wq.Or(exclusions))
    words = None
    if clauses and not filters and not exclusions and all(c.words for c in clauses):
        words = [WordClause(tier, *c.words) for c, tier in zip(clauses, tiers_of, strict=True)]
    return CompiledQuery(query, [(tier, c.patterns) for c, tier in zip(clauses, tiers_of,
                                                                        strict=True)],
                         [found for c in clauses for found in c.corrections],
                         [c.literal for c in clauses if c.literal], words,
                         tuple(compiler.truncated_prefixes), deadline)


def _outermost(prefixes: set[str]) -> tuple[str, ...]:
    """The prefixes no other one of the set starts: the words ``sanction``
    starts include those ``sanctions`` starts."""
    return tuple(sorted(p for p in prefixes
                        if not any(p != other and p.startswith(other) for other in prefixes)))


def _add_clause(clauses: list[_Compiled], compiled: _Compiled) -> None:
    """Add ``compiled`` to ``clauses`` unless one of them searches the same
    (``Sanctions sanction``: one word of the index twice), which would cost a
    second search and count the word twice in the ranking. Of a typo's
    correction and the word typed right, the latter stays (it ranks higher)."""
    for at, kept in enumerate(clauses):
        if (kept.text == compiled.text and kept.scored == compiled.scored
                and kept.literal == compiled.literal):
            if kept.typo and not compiled.typo:
                clauses[at] = compiled
            return
    clauses.append(compiled)


def _tiers(clauses: list[_Compiled], passages: int) -> list[float]:
    """Rank bonus of each clause held: ``TIER`` for the rarest word of the query,
    less for commoner ones (down to a tenth), and less than any exact word for
    a typo's correction. Every bonus is positive, so a passage holding all the
    words still ranks above one holding some; among the latter, rare words count."""
    def rarity(frequency: int | None) -> float:
        return math.log(1 + passages / (1 + (passages if frequency is None else frequency)))

    rarest = max((rarity(c.frequency) for c in clauses), default=1.0) or 1.0
    return [
        TIER * (MIN_WEIGHT * TYPO_WEIGHT if c.typo
                else max(MIN_WEIGHT, rarity(c.frequency) / rarest))
        for c in clauses
    ]


def _constant(query: wq.Query, score: float) -> wq.Query:
    return wq.ConstantScoreQuery(query, score)


def _hit(stored: StoredPassage, score: float, compiled: CompiledQuery,
         duplicates: list[Duplicate]) -> Hit:
    """A hit from a passage's stored fields; its score loses the rank bonuses,
    which only served to order the passages."""
    text = stored.text
    matches, held = match_groups(text, [patterns for _, patterns in compiled.clauses])
    bonus = sum(tier for (tier, _), found in zip(compiled.clauses, held, strict=True) if found)
    return Hit(
        passage_id=stored.passage_id,
        article_id=stored.article_id,
        title=stored.title,
        date=stored.date,
        paragraph=stored.paragraph,
        heading=stored.heading,
        score=max(0.0, score - bonus - (HELD_SCORE if bonus else 0.0)),
        text=text,
        matches=matches,
        snippet=make_snippet(text, matches),
        duplicates=duplicates,
    )


def literal_form(text: str) -> str:
    """Lowercase ASCII words separated by single spaces: ``À la fois,`` → ``a la fois``."""
    return " ".join(_WORDS.findall(fold(text)))


class Candidate:
    """A passage the index returned, in rank order; its stored fields are read
    only if it is shown or compared word for word (most of those fetched to
    fill a page are neither)."""

    __slots__ = ("_load", "_stored", "comparable", "score", "sketch")

    def __init__(self, score: float, sketch: bytes, load: Callable[[], StoredPassage]):
        self.score = score
        self.sketch = sketch
        self.comparable = is_comparable(sketch)
        self._load = load
        self._stored: StoredPassage | None = None

    @property
    def stored(self) -> StoredPassage:
        if self._stored is None:
            self._stored = self._load()
        return self._stored


def _same_passage(leader: Candidate, other: Candidate) -> bool:
    """Near-duplicates, or the same words however short. (The same words have
    the same sketch: texts are only compared when sketches are equal.)"""
    if leader.sketch == other.sketch and leader.stored.text == other.stored.text:
        return True
    return leader.comparable and other.comparable and are_near_duplicates(leader.sketch,
                                                                          other.sketch)


def rank_hits(
    found: list[Candidate], compiled: CompiledQuery, limit: int, collapse: bool,
) -> list[Hit]:
    """The ``limit`` best hits from the candidates, in rank order.

    With ``collapse``, a passage that nearly duplicates a better-ranked one (or
    repeats it word for word, however short) is listed under it instead of
    taking a place of its own.

    Past the query's deadline, passages are no longer read to be compared:
    the next candidates are shown as they rank (still at most ``limit``).
    """
    deadline = compiled.deadline
    if compiled.literals and not deadline.expired():
        # quoted phrases word for word first (a stable sort keeps the rank within)
        found = sorted(found, key=lambda candidate: not all(
            f" {literal} " in f" {literal_form(candidate.stored.text)} "
            for literal in compiled.literals))
    groups: list[tuple[Candidate, list[Candidate]]] = []
    for candidate in found:
        comparing = collapse and not deadline.expired()
        if comparing:
            leader = next((g for g in groups if _same_passage(g[0], candidate)), None)
            if leader is not None:
                leader[1].append(candidate)
                continue
        if len(groups) < limit:
            groups.append((candidate, []))
        elif not comparing:
            break
    return [
        _hit(leader.stored, leader.score, compiled, [
            Duplicate(copy.passage_id, copy.article_id, copy.title, copy.text)
            for copy in (candidate.stored for candidate in copies)])
        for leader, copies in groups
    ]


def suggest(query: str, compiled: CompiledQuery, hits: list[Hit]) -> str | None:
    """The query with each corrected word spelled as a passage found spells it."""
    if not compiled.corrections:
        return None
    suggestion = query
    for written, correction in compiled.corrections:
        spelling = correction.spelling
        for hit in hits:
            seen = next((hit.text[t.start:t.end] for t in tokenize(hit.text)
                         if t.term in correction.terms), None)
            if seen is not None:
                spelling = seen
                break
        suggestion = suggestion.replace(written, spelling, 1)
    return suggestion
