"""How well each analysis order conflates the inflected forms of one French lemma.

Run: ``.venv/bin/python benchmarks/conflation.py`` (needs ``simplemma`` and ``whoosh``).

Why: frsearch stems the *accented* word with Snowball French and folds accents
after (``frsearch.analysis.term_for_word``). This measures that choice against
folding first, against Snowball alone, and against Whoosh's
``LanguageAnalyzer('fr')``, on simplemma's French dictionary of
(inflected form → lemma) pairs.

The lexicon: every pair whose form and lemma are both lowercase and
alphabetic (no multiword, hyphenated or capitalised entries). The forms of a
lemma are the dictionary keys that map to it; each form belongs to one lemma.

The metrics, per analysis order (a form's *term* is what the order indexes it as):

- lemmas with one term: share of the lemmas with at least two forms whose forms
  all get the same term (``sanction``, ``sanctions`` → ``sanction``);
- pair recall (conflation recall): share of the pairs of distinct forms of the same
  lemma that get the same term;
- false conflation: share of the pairs of forms of *different* lemmas that get the
  same term, counted exactly by grouping forms on their term, given per million pairs;
- pair precision: of all the pairs of forms that share a term, the share that are
  forms of the same lemma;
- terms per lemma: mean number of distinct terms over the lemmas with two forms or more.

A form that an order drops (Whoosh drops its stop words, ``été`` say) has no term:
it conflates with nothing and collides with nothing.

Then the accent-less typing question: a reader types ``crimee`` for ``crimée``.
For every word of the seed articles with a non-ASCII letter (accent, cedilla,
ligature), does its unidecode spelling get the same term as the word as written?
Folding first makes that true by construction; stemming first does not
(Snowball stems ``crimée`` → ``crim`` but ``crimee`` → ``crime``). The same is
counted over the lexicon's forms.

Last, the stemmer itself: ``snowballstemmer`` runs PyStemmer (Snowball compiled
to C) when it is installed, as frsearch's dependencies make sure. Over the
lexicon's forms: does it give the same stems as ``snowballstemmer``'s own
pure-Python French stemmer, and how much CPU time does each take to stem every
form once?

Prints Markdown tables and writes ``benchmarks/results/conflation.json`` (with
the commit it ran on: see ``measure.provenance``).
"""

from __future__ import annotations

import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

import snowballstemmer
from measure import provenance, write_result
from simplemma.strategies.dictionaries import DefaultDictionaryFactory
from unidecode import unidecode
from whoosh.analysis import LanguageAnalyzer

from frsearch.analysis import normalize, term_for_word, tokenize
from frsearch.locations import seeds_dir

REPO_ROOT = Path(__file__).resolve().parents[1]
MAX_EXAMPLES = 20

TermFunction = Callable[[str], str | None]


@dataclass(frozen=True)
class AnalysisOrder:
    """One way of turning a lowercase word into an index term (None: no term)."""

    key: str
    label: str
    term: TermFunction


@dataclass(frozen=True)
class Lexicon:
    """Lowercase single-word forms grouped by lemma, and how many entries were left out."""

    forms_by_lemma: dict[str, list[str]]
    dictionary_entries: int
    excluded_entries: int

    @property
    def form_count(self) -> int:
        return sum(len(forms) for forms in self.forms_by_lemma.values())


@dataclass(frozen=True)
class ConflationScores:
    """How one analysis order groups the lexicon's forms (see the module docstring)."""

    lemmas_with_one_term: float
    pair_recall: float
    false_conflation_per_million: float
    pair_precision: float
    terms_per_lemma: float
    distinct_terms: int
    forms_without_term: int
    same_lemma_pairs_conflated: int
    different_lemma_pairs_colliding: int


@dataclass(frozen=True)
class AccentlessMisses:
    """How often typing a word without accents gives another term than the word as written."""

    seed_words: int
    seed_words_differing: int
    seed_occurrences: int
    seed_occurrences_differing: int
    lexicon_forms: int
    lexicon_forms_differing: int
    examples: list[str]


def _pairs(count: int) -> int:
    return count * (count - 1) // 2


def load_lexicon() -> Lexicon:
    """simplemma's French dictionary, kept to lowercase alphabetic single words."""
    dictionary = DefaultDictionaryFactory().get_dictionary("fr")
    forms_by_lemma: dict[str, list[str]] = defaultdict(list)
    excluded = 0
    for form, lemma in dictionary.items():
        if form.isalpha() and form.islower() and lemma.isalpha() and lemma.islower():
            forms_by_lemma[lemma].append(form)
        else:
            excluded += 1
    return Lexicon(dict(forms_by_lemma), len(dictionary), excluded)


def analysis_orders() -> list[AnalysisOrder]:
    """The four orders compared, each cached: word forms repeat across the measures."""
    # One stem cache for orders 2 and 3: an ASCII word is its own folded spelling.
    stem = cache(snowballstemmer.stemmer("french").stemWord)
    whoosh_analyzer = LanguageAnalyzer("fr")

    def stem_then_fold(word: str) -> str | None:
        return term_for_word(word) or None

    def fold_then_stem(word: str) -> str | None:
        return stem(unidecode(word).lower()) or None

    def stem_only(word: str) -> str | None:
        return stem(word) or None

    @cache
    def whoosh_term(word: str) -> str | None:
        # One alphabetic word is one token at most; none if Whoosh drops it as a stop word.
        return next((token.text for token in whoosh_analyzer(word)), None)

    return [
        AnalysisOrder("stem_then_fold", "1. frsearch: stem accented, then fold", stem_then_fold),
        AnalysisOrder("fold_then_stem", "2. fold, then stem", fold_then_stem),
        AnalysisOrder("stem_only", "3. Snowball alone (no folding)", stem_only),
        AnalysisOrder("whoosh", "4. Whoosh LanguageAnalyzer('fr')", whoosh_term),
    ]


def score_conflation(lexicon: Lexicon, order: AnalysisOrder) -> ConflationScores:
    """The conflation metrics of ``order`` over the whole lexicon."""
    forms_per_term: Counter[str] = Counter()
    forms_without_term = 0
    multi_form_lemmas = 0
    lemmas_with_one_term = 0
    terms_in_multi_form_lemmas = 0
    same_lemma_pairs = 0
    same_lemma_pairs_conflated = 0

    for forms in lexicon.forms_by_lemma.values():
        terms = [order.term(form) for form in forms]
        missing = terms.count(None)
        forms_without_term += missing
        term_counts = Counter(term for term in terms if term is not None)
        forms_per_term.update(term_counts)
        same_lemma_pairs_conflated += sum(_pairs(n) for n in term_counts.values())
        if len(forms) < 2:
            continue
        multi_form_lemmas += 1
        same_lemma_pairs += _pairs(len(forms))
        distinct = len(term_counts) + missing
        terms_in_multi_form_lemmas += distinct
        lemmas_with_one_term += distinct == 1

    colliding_pairs = sum(_pairs(n) for n in forms_per_term.values())
    different_lemma_colliding = colliding_pairs - same_lemma_pairs_conflated
    different_lemma_pairs = _pairs(lexicon.form_count) - same_lemma_pairs
    return ConflationScores(
        lemmas_with_one_term=lemmas_with_one_term / multi_form_lemmas,
        pair_recall=same_lemma_pairs_conflated / same_lemma_pairs,
        false_conflation_per_million=1e6 * different_lemma_colliding / different_lemma_pairs,
        pair_precision=same_lemma_pairs_conflated / colliding_pairs,
        terms_per_lemma=terms_in_multi_form_lemmas / multi_form_lemmas,
        distinct_terms=len(forms_per_term),
        forms_without_term=forms_without_term,
        same_lemma_pairs_conflated=same_lemma_pairs_conflated,
        different_lemma_pairs_colliding=different_lemma_colliding,
    )


def seed_words_with_accents() -> Counter[str]:
    """Lowercase words of the seed articles, as frsearch tokenizes them, that are not ASCII."""
    words: Counter[str] = Counter()
    for path in sorted(seeds_dir().glob("*.txt")):
        text = normalize(path.read_text(encoding="utf-8"))
        for token in tokenize(text):
            word = text[token.start : token.end].lower()
            if not word.isascii() and word.isalpha():
                words[word] += 1
    return words


def _differs_without_accents(order: AnalysisOrder, word: str) -> bool:
    return order.term(word) != order.term(unidecode(word))


def score_accentless(
    order: AnalysisOrder, seed_words: Counter[str], lexicon_forms: Iterable[str]
) -> AccentlessMisses:
    """How often ``order`` gives the unaccented spelling another term than the accented word."""
    differing = [word for word in seed_words if _differs_without_accents(order, word)]
    differing.sort(key=lambda word: (-seed_words[word], word))
    accented_forms = [form for form in lexicon_forms if not form.isascii()]
    return AccentlessMisses(
        seed_words=len(seed_words),
        seed_words_differing=len(differing),
        seed_occurrences=sum(seed_words.values()),
        seed_occurrences_differing=sum(seed_words[word] for word in differing),
        lexicon_forms=len(accented_forms),
        lexicon_forms_differing=sum(
            _differs_without_accents(order, form) for form in accented_forms
        ),
        examples=[
            f"{word} → {order.term(word)} | {unidecode(word)} → {order.term(unidecode(word))}"
            for word in differing[:MAX_EXAMPLES]
        ],
    )


@dataclass(frozen=True)
class StemmerSpeed:
    """Snowball French compiled (PyStemmer) against pure Python, on the same forms."""

    forms: int
    differing_stems: int
    compiled: str
    compiled_cpu_seconds: float
    python_cpu_seconds: float

    @property
    def speedup(self) -> float:
        return self.python_cpu_seconds / self.compiled_cpu_seconds


def _stem_all(stem: Callable[[str], str], forms: list[str]) -> tuple[list[str], float]:
    """Each form's stem, and the CPU time (not wall time: the machine may be shared)."""
    started = time.process_time()
    stems = [stem(form) for form in forms]
    return stems, time.process_time() - started


def score_stemmers(forms: list[str]) -> StemmerSpeed:
    """Stem every form once with the stemmer frsearch gets and with the pure-Python one."""
    from snowballstemmer.french_stemmer import FrenchStemmer

    compiled = snowballstemmer.stemmer("french")
    compiled_stems, compiled_seconds = _stem_all(compiled.stemWord, forms)
    python_stems, python_seconds = _stem_all(FrenchStemmer().stemWord, forms)
    return StemmerSpeed(
        forms=len(forms),
        differing_stems=sum(a != b for a, b in zip(compiled_stems, python_stems, strict=True)),
        compiled=f"{type(compiled).__module__}.{type(compiled).__qualname__}",
        compiled_cpu_seconds=compiled_seconds,
        python_cpu_seconds=python_seconds,
    )


def _percent(part: float, whole: float = 1.0) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "n/a"


def conflation_table(orders: list[AnalysisOrder], scores: dict[str, ConflationScores]) -> str:
    rows = [
        "| Order | Lemmas with one term | Pair recall | False conflation (per M pairs) "
        "| Pair precision | Terms per lemma | Distinct terms | Forms without term |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for order in orders:
        s = scores[order.key]
        rows.append(
            f"| {order.label} | {_percent(s.lemmas_with_one_term)} | {_percent(s.pair_recall)} "
            f"| {s.false_conflation_per_million:.1f} | {_percent(s.pair_precision)} "
            f"| {s.terms_per_lemma:.2f} | {s.distinct_terms:,} | {s.forms_without_term:,} |"
        )
    return "\n".join(rows)


def accentless_table(orders: list[AnalysisOrder], misses: dict[str, AccentlessMisses]) -> str:
    rows = [
        "| Order | Seed words differing | Seed occurrences differing | Lexicon forms differing |",
        "|---|---:|---:|---:|",
    ]
    for order in orders:
        m = misses[order.key]
        rows.append(
            f"| {order.label} "
            f"| {_percent(m.seed_words_differing, m.seed_words)} "
            f"({m.seed_words_differing}/{m.seed_words}) "
            f"| {_percent(m.seed_occurrences_differing, m.seed_occurrences)} "
            f"({m.seed_occurrences_differing}/{m.seed_occurrences}) "
            f"| {_percent(m.lexicon_forms_differing, m.lexicon_forms)} "
            f"({m.lexicon_forms_differing:,}/{m.lexicon_forms:,}) |"
        )
    return "\n".join(rows)


def main() -> int:
    started = time.perf_counter()
    lexicon = load_lexicon()
    orders = analysis_orders()
    lemma_sizes = [len(forms) for forms in lexicon.forms_by_lemma.values()]
    multi_form_lemmas = sum(size >= 2 for size in lemma_sizes)
    same_lemma_pairs = sum(_pairs(size) for size in lemma_sizes)
    different_lemma_pairs = _pairs(lexicon.form_count) - same_lemma_pairs

    scores = {order.key: score_conflation(lexicon, order) for order in orders}
    seed_words = seed_words_with_accents()
    all_forms = [form for forms in lexicon.forms_by_lemma.values() for form in forms]
    misses = {order.key: score_accentless(order, seed_words, all_forms) for order in orders}
    stemmers = score_stemmers(sorted(all_forms))
    elapsed = time.perf_counter() - started

    frsearch_recall = scores["stem_then_fold"].pair_recall
    fold_first_recall = scores["fold_then_stem"].pair_recall
    print("## Conflation of inflected forms (simplemma French dictionary)\n")
    print(
        f"Lexicon: {lexicon.form_count:,} lowercase alphabetic forms of "
        f"{len(lexicon.forms_by_lemma):,} lemmas ({lexicon.excluded_entries:,} of "
        f"{lexicon.dictionary_entries:,} entries excluded: multiword, hyphen, capitals); "
        f"{multi_form_lemmas:,} lemmas with ≥ 2 forms; {same_lemma_pairs:,} same-lemma "
        f"pairs; {different_lemma_pairs:,} different-lemma pairs (false conflation "
        "counted exactly).\n"
    )
    print(conflation_table(orders, scores))
    print(
        f"\nFold-then-stem conflates {_percent(fold_first_recall, frsearch_recall)} of the "
        f"same-lemma pairs that frsearch's order conflates "
        f"(pair recall {_percent(fold_first_recall)} vs {_percent(frsearch_recall)}).\n"
    )
    print("## Typing without accents: does the unaccented spelling get the same term?\n")
    print(
        "Share of accented words whose unidecode spelling gets a *different* term "
        "(seed words: distinct non-ASCII words of seeds/*.txt that frsearch indexes).\n"
    )
    print(accentless_table(orders, misses))
    print("\nExamples under order 1 (most frequent in the seeds first):\n")
    for example in misses["stem_then_fold"].examples:
        print(f"- {example}")
    print("\n## The stemmer: Snowball French compiled, or in pure Python\n")
    print(
        f"{stemmers.forms:,} forms stemmed once each: {stemmers.compiled} in "
        f"{stemmers.compiled_cpu_seconds:.2f} s of CPU, snowballstemmer's pure Python in "
        f"{stemmers.python_cpu_seconds:.2f} s ({stemmers.speedup:.0f} times as long); "
        f"stems that differ: {stemmers.differing_stems:,}."
    )
    print(f"\n_{elapsed:.1f} s_")

    results = {
        "lexicon": {
            "source": "simplemma French dictionary (fr)",
            "dictionary_entries": lexicon.dictionary_entries,
            "excluded_entries": lexicon.excluded_entries,
            "forms": lexicon.form_count,
            "lemmas": len(lexicon.forms_by_lemma),
            "lemmas_with_two_forms_or_more": multi_form_lemmas,
            "same_lemma_pairs": same_lemma_pairs,
            "different_lemma_pairs": different_lemma_pairs,
        },
        "orders": {
            order.key: {
                "label": order.label,
                "conflation": asdict(scores[order.key]),
                "accentless_typing": asdict(misses[order.key]),
            }
            for order in orders
        },
        "stemmers": {**asdict(stemmers), "speedup": stemmers.speedup},
        "seconds": round(elapsed, 1),
    }
    source = provenance(("frsearch", "whoosh", "PyStemmer", "snowballstemmer", "simplemma",
                         "Unidecode"))
    target = write_result("conflation", results, source)
    print(f"Wrote {target.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
