"""An article that holds no text is skipped with the reason, not counted as added.

Before, ``{"id": …, "paragraphs": []}`` gave no passage, so no version term was
written: every run counted it "added" again and nothing said why it found nothing.
"""

from __future__ import annotations

import json

import frsearch

ARTICLES = [
    {"id": "sommet", "title": "Sommet virtuel : Biden menace Poutine",
     "paragraphs": ["Joe Biden a menacé Vladimir Poutine de «fortes sanctions»."]},
    {"id": "vide", "paragraphs": []},
    {"id": "blanc", "title": "  ", "paragraphs": ["", " \u00a0 "]},
    {"id": "texte-vide", "date": "2021-12", "text": "\n\n\u200b\n"},
    # a headline is text: the article is its headline alone
    {"id": "titre-seul", "title": "Entretien entre Joe Biden et Vladimir Poutine",
     "paragraphs": []},
]


def test_article_without_text_is_skipped_with_its_reason_at_every_run(tmp_path):
    corpus = tmp_path / "fil.jsonl"
    corpus.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in ARTICLES),
                      encoding="utf-8")
    index = frsearch.open_index(tmp_path / "ix", create=True)
    try:
        first = index.add([corpus])
        second = index.add([corpus])
        assert (first.added, first.updated, first.unchanged, first.passages) == (2, 0, 0, 3)
        assert (second.added, second.updated, second.unchanged, second.passages) == (0, 0, 2, 0)
        for report in (first, second):
            assert [(p.source, p.skipped) for p in report.problems] == [
                (f"{corpus}:2", True), (f"{corpus}:3", True), (f"{corpus}:4", True)]
            assert all(p.reason.startswith("no text to index") for p in report.problems)
            assert "'vide'" in report.problems[0].reason
        assert {hit.passage_id for hit in index.search("Poutine").hits} == {
            "sommet:0", "sommet:1", "titre-seul:0"}
    finally:
        index.close()
