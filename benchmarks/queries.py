"""The fixed French queries every engine answers, timed one by one.

Chosen to make sense on a dictionary (the Littré) and on news (the seeds): single
words, several words, quoted phrases, the same word with and without accents,
singular and plural, ``oe`` and ``œ``.
"""

QUERIES: tuple[str, ...] = (
    # single words
    "sanctions",
    "guerre",
    "paix",
    "cheval",
    "chevaux",
    "coeur",
    "cœur",
    "œuvre",
    "oeuvre",
    "élève",
    "eleve",
    "president",
    "président",
    "gouvernement",
    "liberté",
    "liberte",
    "Russie",
    "frontière",
    "négociations",
    "armée",
    "crise",
    # several words
    "république française",
    "pays étrangers",
    "prix du blé",
    "défense nationale",
    "roi de France",
    "menace militaire",
    "accord commercial",
    "économie politique",
    "negociations diplomatiques",
    # phrases
    '"chemin de fer"',
    '"coup d\'état"',
    '"mise en œuvre"',
    '"tout à coup"',
    '"chef d\'état"',
    '"à la fois"',
)
