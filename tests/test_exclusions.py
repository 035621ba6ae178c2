"""A word excluded (``-Russie``) removes every passage holding it, wherever the
passages fall in a segment."""

from __future__ import annotations

import json

import frsearch


def test_the_first_passage_of_a_word_is_excluded_too(tmp_path):
    # the first passage holding "Russie" comes before the first holding
    # "sanctions", which holds both: Whoosh's AndNotMatcher let that one through
    article = {"id": "sommet", "title": "Le sommet", "paragraphs": [
        "La Russie masse des troupes à la frontière.",
        "Des sanctions contre la Russie sont prévues.",
        "Les sanctions toucheront d'abord les banques.",
        "Moscou dément, et la Russie menace à son tour.",
        "Les sanctions financières seraient sévères.",
    ]}
    path = tmp_path / "sommet.jsonl"
    path.write_text(json.dumps(article, ensure_ascii=False) + "\n", encoding="utf-8")
    with frsearch.open_index(tmp_path / "index", create=True) as index:
        index.add([str(path)])
        found = {hit.passage_id for hit in index.search("sanctions -Russie", limit=10).hits}
        assert found == {"sommet:3", "sommet:5"}
        grouped = {hit.passage_id for hit in
                   index.search("(sanctions OR troupes) -Russie", limit=10).hits}
        assert grouped == {"sommet:3", "sommet:5"}
