"""Answer types: what a French question asks for, and the passages that hold one.

A question's words say what the passage should be about; its question word
says what kind of thing the answer is. «à quelle heure a commencé la
discussion» wants a time (``15h07``), «combien de temps a duré l'entretien» a
duration (``50 minutes``), «quand se sont-ils rencontrés» a date (``en juin``).
The question word itself is left out of the search (``planning.QUESTION_TERMS``);
this module gives it back its meaning: among the best passages, those that hold
a thing of the kind asked for rank a little higher (``ANSWER_TYPE_BOOST``), as
question-answering systems have done since the TREC QA track.

Only questions whose answer has a form that can be read off the text are typed:
«pourquoi», «comment», «qui» and «que» ask for explanations, ways and people,
which no pattern tells apart from the rest of a passage.
"""

from __future__ import annotations

import functools
import heapq
import re
from collections.abc import Sequence

from frsearch.analysis import fold

__all__ = ["ANSWER_TYPE_BOOST", "asked_for", "holds_answer", "reranked"]

ANSWER_TYPE_BOOST = 0.15
"""Share of its score a passage gains when it holds a thing of the kind the
question asks for: enough to order passages of like fit, not to lift one that
fits the question's words far worse. On the seeds' 15 questions nDCG@10 goes
from 0.575 to 0.613 and MRR@10 from 0.765 to 0.832; the Debian manuals' dev
questions ask for no such thing, and their figures do not move."""

_NUMBER_WORDS = (
    "un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze"
    "|quinze|seize|vingt|trente|quarante|cinquante|soixante|cent|cents|mille"
    "|millions?|milliards?|dizaines?|douzaines?|centaines?|milliers?")
_NUMBER = rf"(?:\d[\d\s.,’']*|{_NUMBER_WORDS})"
_MONTHS = ("janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre"
           "|decembre")
_DAYS = "lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
_UNITS = "secondes?|minutes?|heures?|jours?|semaines?|mois|ans|annees?|siecles?"

# Patterns over the passage folded (lowercase, no accents), as a reader would
# spot the answer; compiled when a question first asks for one (``_answer_pattern``),
# not at every start of the command line.
_KINDS = {
    "time": r"\b\d{1,2} ?h ?\d{0,2}\b|\b\d{1,2}:\d{2}\b|\bmidi\b|\bminuit\b",
    "duration": rf"\b{_NUMBER} ?(?:{_UNITS})\b|\b\d{{1,2}} ?h ?\d{{0,2}}\b",
    "date": rf"\b(?:{_MONTHS}|{_DAYS}|hier|demain|veille|lendemain)\b"
            r"|\b(?:1[0-9]|20)\d\d\b|\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b",
    "quantity": rf"\d|\b(?:{_NUMBER_WORDS})\b",
}


@functools.cache
def _answer_pattern(kind: str) -> re.Pattern[str]:
    return re.compile(_KINDS[kind])

# The question forms, over the query folded, most specific first. A question
# word counts where a question puts it: first (after a preposition: «à quelle
# heure», «depuis quand») or last («ils se sont vus quand ?»); elsewhere
# «quand» is a conjunction («que faire quand l'installation échoue»).
_LEAD = r"^\W*(?:(?:a|vers|depuis|jusqu'a|jusqu'en|pendant|durant|en|de|et)\s+)?"
_LAST = r"\W*$"
_QUESTIONS = (
    ("time", re.compile(rf"{_LEAD}quelles? heures?\b|\bquelles? heures?{_LAST}")),
    ("duration", re.compile(rf"{_LEAD}combien de temps\b|\bcombien de temps{_LAST}")),
    ("date", re.compile(rf"{_LEAD}(?:quand|quelles? (?:date|annee|jour|mois|epoque)s?)\b"
                        rf"|\bquand{_LAST}")),
    ("quantity", re.compile(rf"{_LEAD}combien\b|\bcombien{_LAST}")),
)


def asked_for(query: str) -> str | None:
    """The kind of answer a query asks for (``time``, ``duration``, ``date``,
    ``quantity``), or None: not a question, or one whose answer has no form.

    >>> asked_for("à quelle heure a commencé la discussion"), asked_for("Quand ?")
    ('time', 'date')
    >>> asked_for("combien de temps a duré l'entretien"), asked_for("sanctions")
    ('duration', None)
    >>> asked_for("Que faire quand l'installation d'un paquet échoue ?") is None
    True
    """
    folded = fold(query)
    return next((kind for kind, question in _QUESTIONS if question.search(folded)), None)


def holds_answer(kind: str, text: str) -> bool:
    """Whether ``text`` holds a thing of that kind (a time, a date…).

    >>> holds_answer("time", "La discussion avait débuté à 15h07 GMT précises")
    True
    >>> holds_answer("duration", "Leur entretien a duré 50 minutes.")
    True
    >>> holds_answer("date", "Le sommet de Genève")
    False
    """
    return _answer_pattern(kind).search(fold(text)) is not None


def reranked(ranked: Sequence[tuple[int, float]], kind: str | None, count: int,
             text_of) -> list[tuple[int, float]]:
    """``ranked`` (document number, score) with those of its best ``count``
    passages that hold an answer of ``kind`` boosted; ``text_of(docnum)``
    reads a passage. A list given best first is returned best first (equal
    scores keeping their order); one in no order (every match, to be sorted
    or counted later) keeps its order."""
    if kind is None or not ranked:
        return list(ranked)
    ordered = all(ranked[at][1] >= ranked[at + 1][1] for at in range(len(ranked) - 1))
    best = range(min(count, len(ranked))) if ordered else heapq.nlargest(
        count, range(len(ranked)), key=lambda at: ranked[at][1])
    boosted = list(ranked)
    for at in best:
        docnum, score = ranked[at]
        if holds_answer(kind, text_of(docnum)):
            boosted[at] = (docnum, score * (1 + ANSWER_TYPE_BOOST))
    if ordered:
        boosted.sort(key=lambda found: -found[1])
    return boosted
