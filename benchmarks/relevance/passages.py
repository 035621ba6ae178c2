"""The passages of the corpus, with the ids and text frsearch gives them.

Read with ``frsearch.read_articles``, so that every system indexes exactly the
passages frsearch makes (the title as passage 0, then one passage a paragraph)
under the same ``<article id>:<number>`` ids the judgments name.
"""

from __future__ import annotations

from pathlib import Path

from systems import Passage

import frsearch


def read_passages(corpus: Path) -> list[Passage]:
    problems: list[str] = []
    passages = [Passage(f"{article.id}:{passage.number}", passage.text)
                for article in frsearch.read_articles([corpus], on_problem=problems.append)
                for passage in article.passages]
    if problems:
        raise SystemExit(f"frsearch could not read the corpus: {problems[0]}")
    return passages
