"""French analysis: the one chain that turns text into index terms.

The chain, in order, and why that order:

1. normalise: Unicode NFC, so that ``é`` typed as ``e`` + combining accent is ``é``.
2. tokenize: words, digit groups (``13’000``, ``13.000``, ``13 000`` with a no-break
   space become ``13000``); a hyphen separates words, so ``États-Unis`` is the two
   consecutive tokens ``États`` ``Unis`` and matches ``Etats Unis`` as a phrase.
   Invisible characters inside a word (``INVISIBLE``: soft hyphens, zero-width
   spaces and joiners, direction marks) are part of it and left out of its term:
   the scraped ``gouver``+soft hyphen+``nement`` is ``gouvernement``, its span the
   whole word as written. (One between a word and an apostrophe still ends it:
   ``l``+zero-width space+``’Ukraine`` is ``l`` ``Ukraine``, which loses only a stop
   word; joining them too costs a tenth of the tokenizer's speed.)
3. strip elisions (``l’``, ``d'``, ``qu’``, ``jusqu’``…) before lowercasing, so that
   ``L’Ukraine`` and ``l'Ukraine`` lose the same prefix; the token's span then
   starts after the apostrophe, which is what highlighting marks.
4. lowercase.
5. drop French stop words (Snowball's list, without the English words that
   Whoosh's ``LanguageAnalyzer`` mixes in).
6. stem with Snowball French on the *accented* word, then fold accents with
   unidecode (``cœur`` → ``coeur``). Snowball French reads accents (``-ée``,
   ``-ère``…); folding first loses conflations, see ``benchmarks/conflation.py``.
   ``snowballstemmer`` runs Snowball's C implementation when PyStemmer is
   installed (a dependency): the same stems as its pure-Python one, for a
   small part of the time.
7. mark the term of a word whose stem is that of a function word the stop list
   keeps (``FUNCTION_WORDS``: ``entre``, ``moins``, ``contre``…) with
   ``COLLISION_MARK``: Snowball stems ``entrée`` to ``entre``, ``moine`` to
   ``moin``, ``contrée`` to ``contr``, so a query for them found every passage
   saying "entre", "moins" or "contre" (``benchmarks/collisions.py``).

Every stage keeps character offsets into the original text, so a match can be
shown in the words as written. Invisible characters are skipped by the
tokenizer, not removed from the text, so they never shift an offset; NFC can
change a text's length, so spans refer to the NFC form, which is the text as
stored (``articles`` stores passages in NFC). Word forms follow Zipf's law, so the
word → term step is cached.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from array import array
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple

import snowballstemmer
from unidecode import unidecode

__all__ = [
    "ACCENT_FORM_SEPARATOR",
    "COLLISION_MARK",
    "FUNCTION_WORDS",
    "accent_form",
    "accent_forms",
    "Token",
    "analyze",
    "fold",
    "indexed_terms",
    "is_stop_word",
    "lowercase_word",
    "term_for_word",
    "tokenize",
    "unaccented_stop_words",
    "without_invisibles",
    "word_codes",
]

APOSTROPHES = "'’‘ʼ"
"""ASCII apostrophe, typographic right and left quotes, modifier letter apostrophe."""

INVISIBLE = (
    "\u00ad"                          # soft hyphen: where a word may break across lines
    "\u200b\u200c\u200d"              # zero-width space, non-joiner, joiner
    "\u2060\ufeff"                    # word joiner; zero-width no-break space (BOM)
    "\u200e\u200f"                    # left-to-right and right-to-left marks
    "\u202a\u202b\u202c\u202d\u202e"  # bidi embeddings, pop, overrides
    "\u2066\u2067\u2068\u2069"        # bidi isolates
)
"""Characters that show nothing. Scraped French news is full of them (a CMS's
hyphenation hints, marks pasted with a quote): inside a word they would split
it in two halves nobody searches for."""

# A thousands group separator inside a number: apostrophe (Swiss style), dot,
# no-break space, narrow no-break space, thin space. A plain space is not one:
# "le 10 000" is rare and "en 2014 000" would be wrong.
_GROUP_SEPARATORS = "'’.\u00a0\u202f\u2009"

_WORD = rf"\w+(?:[{APOSTROPHES}{INVISIBLE}][{INVISIBLE}]*\w+)*"
_TOKEN_RE = re.compile(
    rf"""
    (?P<number>(?<![\w.,])\d{{1,3}}(?:[{_GROUP_SEPARATORS}]\d{{3}})+(?![\w]|[.,]\d))
    | (?P<word>{_WORD})
    """,
    re.VERBOSE,
)
_WORD_RE = re.compile(_WORD)
_MAYBE_NUMBER = re.compile(rf"\d[{_GROUP_SEPARATORS}]\d{{3}}")
"""What every digit group of ``_TOKEN_RE`` holds: a text without it has
only words, which ``_WORD_RE`` finds in half the time."""
_NOT_DIGIT = re.compile(r"\D")
_NOT_TERM_CHAR = re.compile(r"[^a-z0-9']")
_APOSTROPHE_RE = re.compile(f"[{APOSTROPHES}]")
_ELISION_END = re.compile(f"[{APOSTROPHES}][{INVISIBLE}]*")
_INVISIBLE_RE = re.compile(f"[{INVISIBLE}]+")

ELISIONS = frozenset(
    "l d j m n s t c qu jusqu lorsqu puisqu quoiqu".split()
)
"""Elided words that attach to the next word with an apostrophe: ``l’Ukraine``."""

# Snowball's French stop list (snowballstem.org, algorithms/french/stop.txt),
# minus two forms that are far more often nouns in news text: "été" (summer)
# and "avions" (planes). Plus "a", the commonest form of "avoir", which the
# list leaves out.
STOP_WORDS = frozenset(
    """
    au aux avec ce ces dans de des du elle en et eux il je la le leur lui ma mais
    me même mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses
    son sur ta te tes toi ton tu un une vos votre vous c d j l à m n s t y
    étée étées étés étant suis es est sommes êtes sont serai seras sera serons
    serez seront serais serait serions seriez seraient étais était étions étiez
    étaient fus fut fûmes fûtes furent sois soit soyons soyez soient fusse fusses
    fût fussions fussiez fussent ayant eu eue eues eus ai as avons avez ont aurai
    auras aura aurons aurez auront aurais aurait aurions auriez auraient avais
    avait aviez avaient eut eûmes eûtes eurent aie aies ait ayons ayez aient
    eusse eusses eût eussions eussiez eussent ceci cela celà cet cette ici ils
    les leurs quel quels quelle quelles sans soi a
    """.split()
)
# The same words as someone types them without accents ("etait", "a").
# Applied only to words typed without accents, so that "sûr" is not "sur".
_STOP_WORDS_FOLDED = frozenset(unidecode(w) for w in STOP_WORDS)

FUNCTION_WORDS = frozenset(
    """
    après avant chez contre depuis derrière dès devant durant entre envers hors jusque
    malgré outre parmi pendant près selon sous vers via voici voilà
    car comme donc lorsque ni or parce puisque quoique si sinon tandis
    ainsi alors assez aussi autant beaucoup cependant déjà encore enfin ensuite
    environ guère jamais là loin lors moins non oui partout peu plus plutôt pourtant
    presque puis souvent surtout tant tard tôt toujours tout toute toutes tous très trop
    vite voire aucun aucune autre autres celle celles celui ceux chacun chaque dont
    lequel laquelle lesquels lesquelles nul nulle plusieurs quelque quelques rien
    tel telle tels telles ça
    """.split()
)
"""Prepositions, conjunctions, adverbs and pronouns that the stop list keeps (a
query may be about "avant" or "sous"): other words stemmed like them are
marked (``COLLISION_MARK``). The question words ``quand``, ``pourquoi`` and
``où`` are not among them: planning knows them by their terms."""
# Typed without accents, a function word is the one it spells ("apres" is "après",
# whose stem Snowball reads with its accent)
_FUNCTION_WORDS_FOLDED = {unidecode(w): w for w in FUNCTION_WORDS}
COLLISION_MARK = "~"
"""Ends the term of a word stemmed like a function word (``entrée``: ``entre~``),
which no stem (``[a-z0-9']``) can equal; a prefix still starts it."""

_stemmer = snowballstemmer.stemmer("french")


class Token(NamedTuple):
    """One indexed word: its term, its span in the original text, its position.
    (A named tuple: millions are made while indexing, and tuples are cheap.)"""

    term: str
    start: int
    end: int
    position: int


def without_invisibles(text: str) -> str:
    """``text`` without its ``INVISIBLE`` characters: ``gouver\u00adnement`` → ``gouvernement``."""
    return _INVISIBLE_RE.sub("", text)


class _Spellings(dict):
    """unidecode's ASCII spelling of each character, asked once per character:
    unidecode spells a text one character at a time, in Python, and searching
    folds whole passages (quoted phrases are checked word for word); a
    translation table does it in C. Only characters met are kept."""

    def __missing__(self, code: int) -> str:
        spelled = self[code] = unidecode(chr(code))
        return spelled


_ASCII_SPELLINGS = _Spellings()
_NOT_ASCII = re.compile(r"[^\x00-\x7f]")


def _spelled(found: re.Match[str]) -> str:
    return _ASCII_SPELLINGS[ord(found.group())]


def fold(text: str) -> str:
    """Lowercase ASCII spelling of ``text``: ``Crimée`` → ``crimee``, ``œ`` → ``oe``.
    Invisible characters go (unidecode makes a zero-width space a space).
    Only the characters outside ASCII are looked up (``str.translate`` looks up
    every one): a French passage folds in 8 µs instead of 14, and a quoted
    phrase folds 300 of them."""
    text = without_invisibles(text)
    if not text.isascii():
        text = _NOT_ASCII.sub(_spelled, text)
    return text.lower()


def is_stop_word(lowered: str) -> bool:
    """True for a French function word (``lowered`` is already lowercase)."""
    if lowered in STOP_WORDS:
        return True
    return lowered.isascii() and lowered in _STOP_WORDS_FOLDED


@lru_cache(maxsize=300_000)
def term_for_word(lowered: str) -> str:
    """Index term of one lowercase word: Snowball stem of the accented word,
    folded, marked if it is the stem of a function word the word is not.

    >>> term_for_word("sanctions"), term_for_word("crimée"), term_for_word("cœur")
    ('sanction', 'crim', 'coeur')
    >>> term_for_word("entrée"), term_for_word("entre"), term_for_word("moines")
    ('entre~', 'entre', 'moin~')

    Returns "" for a word that has no Latin letters or digits (an emoji, say).
    """
    if lowered.isdigit():
        return lowered
    if lowered.isascii():
        lowered = _FUNCTION_WORDS_FOLDED.get(lowered, lowered)
    stem = _stem(lowered)
    if stem in _FUNCTION_STEMS and lowered not in FUNCTION_WORDS:
        return stem + COLLISION_MARK
    return stem


def _stem(lowered: str) -> str:
    return _NOT_TERM_CHAR.sub("", unidecode(_stemmer.stemWord(lowered)).lower())


_FUNCTION_STEMS = frozenset(_stem(word) for word in FUNCTION_WORDS)


def _strip_elision(word: str) -> int:
    """Length of the elided prefix of ``word`` including its apostrophe (and
    invisible characters after it), or 0."""
    match = _ELISION_END.search(word)
    if match is None:
        return 0
    if without_invisibles(word[: match.start()]).lower() in ELISIONS:
        return match.end()
    return 0


def lowercase_word(word: str) -> str:
    """``word`` lowercased, its apostrophes all ASCII: the form stop words and
    stemming see (``Aujourd’hui`` → ``aujourd'hui``)."""
    lowered = word.lower()
    if "'" in lowered or "’" in lowered or "‘" in lowered or "ʼ" in lowered:
        return _APOSTROPHE_RE.sub("'", lowered)
    return lowered


@lru_cache(maxsize=500_000)
def _analyse_word(word: str) -> tuple[int, str]:
    """Stages 3 to 6 for one word as written: the length of its elided prefix
    and its term ("" for a stop word). Cached: most words of a text are repeats,
    and only the rare word holding invisible characters pays for removing them."""
    cut = _strip_elision(word)
    lowered = lowercase_word(without_invisibles(word[cut:]))
    if is_stop_word(lowered):
        return cut, ""
    return cut, term_for_word(lowered)


ACCENT_FORM_SEPARATOR = "\x1f"


@lru_cache(maxsize=300_000)
def accent_form(word: str) -> str | None:
    """``"<word without accents>\\x1f<its term>"`` for a word as written whose
    term its accent-free spelling would not give, else None.

    Snowball reads accents inside words too: ``égoïsme`` stems to ``ego`` but
    ``egoisme`` to ``egoism``, so a reader typing without accents misses it.
    Indexing records these pairs (``indexing.AccentForms``); a query word is
    looked up there, which finds exactly the terms its accented spellings in
    the index have, where guessing accents would not. A spelling that is a
    stop word once its accents are gone (``mémé``, ``dès``) is recorded too:
    typed plain, it would otherwise find nothing.

    >>> accent_form("égoïsme"), accent_form("Crimée"), accent_form("mémé"), accent_form("Kiev")
    ('egoisme\\x1fego', 'crimee\\x1fcrim', 'meme\\x1fmem', None)
    """
    if word.isascii():
        return None
    cut, term = _analyse_word(word)
    if not term:
        return None
    plain = fold(word[cut:])
    lowered = lowercase_word(plain)
    if not is_stop_word(lowered) and term_for_word(lowered) == term:
        return None
    return f"{plain}{ACCENT_FORM_SEPARATOR}{term}"


def accent_forms(text: str) -> set[str]:
    """The ``accent_form`` of every word of ``text`` (NFC) that has one."""
    return {form for number, word in _TOKEN_RE.findall(text)
            if word and (form := accent_form(word)) is not None}


def tokenize(text: str) -> Iterator[Token]:
    """Tokens of ``text`` with their term, span and position, stop words skipped.

    Positions count stop words too, so a phrase query keeps its gaps.
    ``text`` should be NFC; ``analyze`` normalises for you.
    """
    for position, match in enumerate(_TOKEN_RE.finditer(text)):
        if match.lastgroup == "number":
            yield Token(_NOT_DIGIT.sub("", match.group()), match.start(), match.end(), position)
            continue
        cut, term = _analyse_word(match.group())
        if term:
            yield Token(term, match.start() + cut, match.end(), position)


def unaccented_stop_words(text: str) -> Iterator[Token]:
    """The words of ``text`` (NFC) that ``tokenize`` leaves out only because,
    typed without accents, they spell a stop word: ``meme`` may be ``même`` or
    ``mémé``. A query looks them up among the index's accented words
    (``accent_form``). Each token's term is the word's own spelling, folded.

    >>> [t.term for t in unaccented_stop_words("tout de meme, même")]
    ['meme']
    """
    for position, match in enumerate(_TOKEN_RE.finditer(text)):
        if match.lastgroup != "word":
            continue
        word = match.group()
        cut = _strip_elision(word)
        lowered = lowercase_word(without_invisibles(word[cut:]))
        if lowered.isascii() and lowered in _STOP_WORDS_FOLDED and lowered not in STOP_WORDS:
            yield Token(lowered, match.start() + cut, match.end(), position)


class _WordsRead(dict):
    """What ``indexed_terms`` needs of each word as ``_TOKEN_RE.findall``
    gives it (a pair: number, word): its term ("" for a stop word) and its
    ``accent_form`` (None if it has none). A dict looked up by the pair costs
    a third of what calling the cached functions and testing for accents did
    per word. ``cache_info`` and ``cache_clear`` as ``lru_cache``'s, for
    ``segments.trim_word_caches``."""

    def __missing__(self, pair: tuple[str, str]) -> tuple[str, str | None]:
        read = self[pair] = self.read(pair)
        return read

    @staticmethod
    def read(pair: tuple[str, str]) -> tuple[str, str | None]:
        """The term and accent form of ``pair``, not cached here."""
        number, word = pair
        if number:
            return _NOT_DIGIT.sub("", number), None
        return _analyse_word(word)[1], None if word.isascii() else accent_form(word)

    def cache_info(self) -> _CacheSize:
        return _CacheSize(len(self))

    def cache_clear(self) -> None:
        self.clear()


class _CacheSize(NamedTuple):
    currsize: int


_WORDS_READ = _WordsRead()


def indexed_terms(text: str) -> tuple[list[str], dict[str, list[int]]]:
    """The terms of ``text`` (NFC) in order, and the positions of each: what
    ``tokenize`` gives, without the spans and the token objects, in half the
    time."""
    terms: list[str] = []
    positions: dict[str, list[int]] = {}
    words = _WORDS_READ
    for position, pair in enumerate(_TOKEN_RE.findall(text)):
        term = words[pair][0]
        if term:
            terms.append(term)
            if term in positions:
                positions[term].append(position)
            else:
                positions[term] = [position]
    return terms, positions


class WordCodes(dict):
    """A writer process's words as integers: what ``word_codes`` gives each
    word as ``_TOKEN_RE.findall`` gives it (a plain word as ``_WORD_RE``'s).
    0 is a stop word; a positive code is a term's number in ``terms``; a
    negative one, for a word that has an ``accent_form``, its number in
    ``forms``, which gives its term's number and the form. Indexing keeps a
    passage's words as an array of these, four bytes each, and ``streams``
    turns the arrays of a whole segment into postings at once: the per-word
    work left in Python is one dict lookup. Codes stay valid for the
    process's life; the word → code entries are a cache (``cache_clear``
    empties them, for ``segments.trim_word_caches``)."""

    MAX_WORDS = 500_000
    """Words kept (as ``functools.lru_cache``'s ``maxsize``): past it the cache
    is emptied, so that a process writing for long holds a bounded cache."""

    def __init__(self) -> None:
        super().__init__()
        self.terms: list[str] = [""]
        self.forms: list[tuple[int, str]] = [(0, "")]
        self._term_codes: dict[str, int] = {}
        self._form_codes: dict[tuple[int, str], int] = {}
        self._numbering = threading.Lock()
        """Threads writing two indexes at once share the codes: one numbers at a time."""

    def __missing__(self, pair: tuple[str, str] | str) -> int:
        term, form = _WordsRead.read(("", pair) if isinstance(pair, str) else pair)
        code = 0
        with self._numbering:
            if term:
                code = self._term_codes.get(term, 0)
                if not code:
                    code = self._term_codes[term] = len(self.terms)
                    self.terms.append(term)
                if form is not None:
                    key = (code, form)
                    code = -self._form_codes.get(key, 0)
                    if not code:
                        self._form_codes[key] = len(self.forms)
                        code = -len(self.forms)
                        self.forms.append(key)
            if len(self) >= self.MAX_WORDS:
                self.clear()
            self[pair] = code
        return code

    def cache_info(self) -> _CacheSize:
        return _CacheSize(len(self))

    def cache_clear(self) -> None:
        self.clear()


WORD_CODES = WordCodes()
"""This process's word codes (each writer process has its own). The terms it
has numbered stay for the process's life: as many as the distinct terms it
indexed."""


def word_codes(text: str) -> array:
    """The ``WORD_CODES`` of the words of ``text`` (NFC), in order: a word's
    position is its index, as ``tokenize`` counts positions.

    >>> [WORD_CODES.terms[code] for code in word_codes("Les sanctions contre la Russie")]
    ['', 'sanction', 'contr', '', 'russ']
    """
    words = (_TOKEN_RE if _MAYBE_NUMBER.search(text) else _WORD_RE).findall(text)
    return array("i", map(WORD_CODES.__getitem__, words))


def normalize(text: str) -> str:
    """NFC form of ``text``; offsets of tokens refer to this form."""
    return unicodedata.normalize("NFC", text)


def analyze(text: str) -> list[str]:
    """Index terms of French ``text``, in order; the same analysis serves queries.

    >>> analyze("Les sanctions qu’ils brandissent contre l'Ukraine")
    ['sanction', 'brand', 'contr', 'ukrain']
    """
    return [token.term for token in tokenize(normalize(text))]
