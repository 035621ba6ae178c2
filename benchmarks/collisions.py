"""Stemming collisions: content words that share their index term with a word
they have nothing to do with, over the lexicon of a real corpus.

Run: ``.venv/bin/python benchmarks/collisions.py`` (needs ``simplemma``).

Snowball French strips what looks like a suffix: ``entrée`` becomes ``entre``,
the term of the preposition, and ``tante`` becomes ``tant``. A query for the
content word then finds every passage holding the other one, and when that one
is a function word it is in most passages. This counts, over each corpus's
words (as the analysis reads them: elided articles off, lowercase):

- **function words**: content words whose term is that of a French function
  word the index keeps (one of ``FUNCTION_WORDS``, which Snowball's stop list
  leaves in: ``entre``, ``vers``, ``pendant``, ``tant``…), and what share of that
  term's occurrences the function word takes; with Snowball's stems alone
  (stem, then fold) and with frsearch's terms, which mark such words'
  (``analysis.COLLISION_MARK``);
- **other lemmas**: content words whose term is shared with a word of another
  lemma (simplemma's French dictionary) that occurs more often than the
  word's own lemma under that term: a query for the word finds mostly the other;
- **misses**: agent nouns in ``-eur`` whose verb in ``-er`` has another term
  (``défragmenteur``/``défragmenter``), which Snowball does not conflate;
- the pairs named in issue 11, one by one.

The corpora: 10 MB of the Littré (``benchmarks/data/10mb.jsonl``) and the
Debian manuals of the relevance benchmark (``benchmarks/relevance``).
Prints Markdown and writes ``benchmarks/results/collisions.json``.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict
from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402
import simplemma  # noqa: E402
import snowballstemmer  # noqa: E402
from measure import provenance, write_result  # noqa: E402

import frsearch  # noqa: E402
from frsearch.analysis import (  # noqa: E402
    ELISIONS,
    STOP_WORDS,
    fold,
    lowercase_word,
    normalize,
    term_for_word,
    without_invisibles,
)

RELEVANCE_CORPUS = HERE / "data" / "relevance" / "debian-fr.jsonl"

FUNCTION_WORDS = frozenset("""
    après avant chez contre depuis derrière dès devant durant entre envers hors jusque
    malgré outre parmi pendant près selon sous vers via voici voilà
    car comme donc lorsque ni or parce pourquoi puisque quand quoique si sinon tandis
    ainsi alors assez aussi autant beaucoup bien cependant déjà encore enfin ensuite
    environ guère jamais là loin lors moins non oui partout peu plus plutôt pourtant
    presque puis souvent surtout tant tard tôt toujours tout toute toutes tous très trop
    vite voire aucun aucune autre autres celle celles celui ceux chacun chaque dont
    lequel laquelle lesquels lesquelles nul nulle où plusieurs quelque quelques rien
    tel telle tels telles ça
""".split())
"""French function words (prepositions, conjunctions, adverbs, pronouns and
determiners) that Snowball's stop list leaves out, so the index keeps them."""

ISSUE_PAIRS = [("entrée", "entre"), ("fois", "foi"), ("vive", "vivement"), ("vive", "vivre"),
               ("nommer", "nom"), ("déroulement", "déroulant"),
               ("défragmenteur", "défragmentation"), ("défragmenteur", "défragmenter")]
"""The pairs issue 11 names: same term or not."""

_WORD = re.compile(r"\w+(?:['’]\w+)*")
_APOSTROPHE = re.compile(r"['’]")
TOP = 25


def words_of(text: str):
    """The words of ``text`` as the analysis reads them: NFC, invisible
    characters out, an elided article (``l’``) off, lowercase."""
    for match in _WORD.finditer(without_invisibles(normalize(text))):
        word = match.group()
        parts = _APOSTROPHE.split(word, maxsplit=1)
        if len(parts) == 2 and parts[0].lower() in ELISIONS:
            word = parts[1]
        if not word.isdigit():
            yield lowercase_word(word)


def lexicon(path: Path) -> Counter:
    """How often each word occurs in the passages of a corpus of articles."""
    counts: Counter = Counter()
    for article in frsearch.read_articles([path]):
        for passage in article.passages:
            counts.update(words_of(passage.text))
    return counts


@cache
def lemma(word: str) -> str:
    return fold(simplemma.lemmatize(word, lang="fr"))


_snowball = snowballstemmer.stemmer("french")


@cache
def term(word: str) -> str:
    """frsearch's term of a lowercase word; "" for a stop word."""
    return "" if word in STOP_WORDS else term_for_word(word)


@cache
def snowball_term(word: str) -> str:
    """Snowball's stem of the word, folded: frsearch's term before the marks."""
    return "" if word in STOP_WORDS else fold(_snowball.stemWord(word))


def by_term(counts: Counter, term=term) -> dict[str, Counter]:
    groups: dict[str, Counter] = defaultdict(Counter)
    for word, count in counts.items():
        if term(word):
            groups[term(word)][word] += count
    return groups


def function_word_collisions(counts: Counter, groups: dict[str, Counter], term=term) -> dict:
    """Content words whose term is that of a function word the index keeps."""
    rows = []
    for function_term in sorted({term(w) for w in FUNCTION_WORDS if term(w)}):
        group = groups.get(function_term, Counter())
        functions = {w: c for w, c in group.items() if w in FUNCTION_WORDS}
        lemmas = {lemma(w) for w in functions}
        content = {w: c for w, c in group.items()
                   if w not in FUNCTION_WORDS and lemma(w) not in lemmas}
        if functions and content:
            total = sum(group.values())
            rows.append({"term": function_term, "function_words": functions,
                         "content_words": dict(Counter(content).most_common(8)),
                         "content_types": len(content), "content_tokens": sum(content.values()),
                         "function_share": round(sum(functions.values()) / total, 3)})
    rows.sort(key=lambda row: -row["content_tokens"])
    return {"terms": len(rows),
            "content_types": sum(row["content_types"] for row in rows),
            "content_tokens": sum(row["content_tokens"] for row in rows),
            "tokens": sum(counts.values()),
            "rows": rows}


def other_lemma_collisions(counts: Counter, groups: dict[str, Counter],
                           min_count: int) -> dict:
    """Content words (occurring ``min_count`` times or more) whose term holds a
    word of another lemma occurring more often than the word's own lemma does."""
    rows = []
    types = 0
    for shared, group in groups.items():
        per_lemma: Counter = Counter()
        for word, count in group.items():
            per_lemma[lemma(word)] += count
        if len(per_lemma) < 2:
            continue
        for word, count in group.items():
            if count < min_count or word in FUNCTION_WORDS:
                continue
            types += 1
            own = per_lemma[lemma(word)]
            other, other_count = max(((name, n) for name, n in per_lemma.items()
                                      if name != lemma(word)), key=lambda item: item[1])
            if other_count > own:
                rows.append({"word": word, "count": count, "term": shared,
                             "lemma": lemma(word), "lemma_count": own,
                             "other_lemma": other, "other_count": other_count,
                             "other_words": [w for w, _ in Counter(
                                 {w: c for w, c in group.items() if lemma(w) == other}
                             ).most_common(3)]})
    rows.sort(key=lambda row: -row["other_count"] * row["count"])
    considered = sum(1 for word, count in counts.items()
                     if count >= min_count and term(word) and word not in FUNCTION_WORDS)
    return {"min_count": min_count, "content_types": considered,
            "sharing_a_term_with_another_lemma": types,
            "outnumbered": len(rows), "rows": rows}


def agent_noun_misses(counts: Counter) -> dict:
    """``-eur`` nouns whose ``-er`` verb occurs in the corpus with another term."""
    rows = []
    for word, count in counts.items():
        if not word.endswith("eur") or len(word) < 6 or not term(word):
            continue
        verb_stem = word[:-3]
        forms = {w: c for w, c in counts.items()
                 if w.startswith(verb_stem) and w != word and not w.startswith(word)
                 and lemma(w) == lemma(verb_stem + "er") and lemma(w) != lemma(word)}
        if forms and term(verb_stem + "er") != term(word):
            rows.append({"noun": word, "count": count, "term": term(word),
                         "verb": verb_stem + "er", "verb_term": term(verb_stem + "er"),
                         "verb_count": sum(forms.values())})
    rows.sort(key=lambda row: -min(row["count"], row["verb_count"]))
    return {"pairs": len(rows), "rows": rows}


def measure(name: str, path: Path, min_count: int) -> dict:
    counts = lexicon(path)
    groups = by_term(counts)
    return {
        "corpus": name,
        "words": len(counts),
        "tokens": sum(counts.values()),
        "terms": len(groups),
        "function_words_snowball": function_word_collisions(
            counts, by_term(counts, snowball_term), snowball_term),
        "function_words": function_word_collisions(counts, groups),
        "other_lemmas": other_lemma_collisions(counts, groups, min_count),
        "agent_nouns": agent_noun_misses(counts),
        "issue_pairs": [{"words": [a, b], "terms": [term(a), term(b)],
                         "same_term": term(a) == term(b), "counts": [counts[a], counts[b]]}
                        for a, b in ISSUE_PAIRS],
    }


def markdown(result: dict) -> str:
    lines = [f"## {result['corpus']}: {result['words']:,} distinct words, "
             f"{result['tokens']:,} words, {result['terms']:,} terms", ""]
    for key, how in (("function_words", "frsearch's terms"),
                     ("function_words_snowball", "Snowball's stems")):
        found = result[key]
        lines.append(f"Content words on the term of a function word the index keeps, "
                     f"{how}: {found['content_types']} distinct words, "
                     f"{found['content_tokens']:,} occurrences "
                     f"({found['content_tokens'] / found['tokens']:.2%} of all), "
                     f"on {found['terms']} terms.")
    found = result["function_words_snowball"]
    lines += ["", "With Snowball's stems:", "",
              "| term | function words | their share | content words |",
              "| --- | --- | ---: | --- |"]
    for row in found["rows"][:TOP]:
        lines.append(f"| {row['term']} | {', '.join(row['function_words'])} | "
                     f"{row['function_share']:.0%} | "
                     f"{', '.join(f'{w} {c}' for w, c in row['content_words'].items())} |")
    other = result["other_lemmas"]
    lines += ["", f"Content words seen {other['min_count']} times or more: "
              f"{other['content_types']:,}; sharing their term with another lemma: "
              f"{other['sharing_a_term_with_another_lemma']:,}; outnumbered there by "
              f"another lemma: {other['outnumbered']:,}.", "",
              "| word | seen | term | its lemma | other lemma | seen | e.g. |",
              "| --- | ---: | --- | ---: | --- | ---: | --- |"]
    for row in other["rows"][:TOP]:
        lines.append(f"| {row['word']} | {row['count']} | {row['term']} | {row['lemma_count']} "
                     f"| {row['other_lemma']} | {row['other_count']} | "
                     f"{', '.join(row['other_words'])} |")
    agents = result["agent_nouns"]
    lines += ["", f"-eur nouns whose -er verb has another term: {agents['pairs']}: "
              + ", ".join(f"{r['noun']} ({r['term']}) / {r['verb']} ({r['verb_term']})"
                          for r in agents["rows"][:12]), "",
              "Issue 11's pairs: " + "; ".join(
                  f"{a} {ta} {'=' if same else '≠'} {b} {tb}"
                  for (a, b), (ta, tb), same in (
                      (p["words"], p["terms"], p["same_term"]) for p in result["issue_pairs"]))]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-count", type=int, default=5,
                        help="count content words seen this often or more (default 5)")
    args = parser.parse_args()
    results = [measure("Littré 10 MB", corpus.corpus_path("10mb"), args.min_count)]
    if RELEVANCE_CORPUS.exists():
        results.append(measure("Debian manuals", RELEVANCE_CORPUS, args.min_count))
    else:
        print(f"skipped the Debian manuals: {RELEVANCE_CORPUS} is not built "
              "(benchmarks/relevance/build_corpus.py)")
    for result in results:
        print(markdown(result), end="\n\n")
    write_result("collisions", {"function_words": sorted(FUNCTION_WORDS), "corpora": results},
                 provenance(("frsearch", "simplemma")))


if __name__ == "__main__":
    main()
