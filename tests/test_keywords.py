"""The ``keywords`` field: an article's metadata values as ``name=value`` terms
on each of its passages, the contract that filters (``source:lemonde``) use."""

from __future__ import annotations

import json

import frsearch
from frsearch.indexing import keyword_term, keyword_terms

DEPECHES = [
    {"id": "lemonde-1", "title": "Biden menace Poutine de sanctions", "source": "LeMonde",
     "author": "Piotr  Smolar ", "tags": ["Russie", "Ukraine", ["imbriqué"]], "paywall": False,
     "words": 640, "rating": 4.5, "extra": {"rubrique": "international"}, "note": None,
     "paragraphs": ["Le président américain a promis des sanctions économiques sévères.",
                    "Moscou dément toute intention d'envahir l'Ukraine."]},
    {"id": "liberation-1", "title": "L'inflation en zone euro", "source": "liberation",
     "tags": "économie",
     "paragraphs": ["Les prix ont augmenté de 4,9 % sur un an en novembre."]},
]


def _terms_by_passage(index) -> dict[str, set[str]]:
    """Passage id → its keywords terms, read from the index on disk."""
    reader = index._current_searcher().reader()
    found: dict[str, set[str]] = {}
    for term in reader.lexicon("keywords"):
        postings = reader.postings("keywords", term)
        for docnum in postings.all_ids():
            stored = reader.stored_fields(docnum)["passage"]
            found.setdefault(f"{stored[0]}:{stored[1]}", set()).add(term.decode("utf-8"))
    return found


def test_every_passage_holds_its_articles_keywords(tmp_path):
    source = tmp_path / "depeches.jsonl"
    source.write_text("".join(json.dumps(record, ensure_ascii=False) + "\n"
                              for record in DEPECHES), encoding="utf-8")
    with frsearch.open_index(tmp_path / "ix", create=True) as index:
        index.add([source])
        terms = _terms_by_passage(index)
        hit = index.search("sanctions").hits[0]
    lemonde = {"source=lemonde", "author=piotr smolar", "tags=russie", "tags=ukraine",
               "paywall=false", "words=640", "rating=4.5"}
    assert terms == {"lemonde-1:0": lemonde, "lemonde-1:1": lemonde, "lemonde-1:2": lemonde,
                     "liberation-1:0": {"source=liberation", "tags=économie"},
                     "liberation-1:1": {"source=liberation", "tags=économie"}}
    # what cannot filter is still returned as written
    assert hit.meta["extra"] == {"rubrique": "international"} and hit.meta["note"] is None
    assert hit.meta["tags"] == ["Russie", "Ukraine", ["imbriqué"]]


def test_a_filter_value_is_normalised_as_the_indexed_one():
    assert keyword_term("Source", " LeMonde ") == keyword_term("source", "lemonde") \
        == "source=lemonde"
    assert keyword_term("author", "Jean\tDupont") == "author=jean dupont"
    assert keyword_term("paywall", True) == "paywall=true"
    assert keyword_term("words", 640) == "words=640"
    for name, value in [("a=b", "x"), ("source", ""), ("source", "   "), ("extra", {"k": 1}),
                        ("note", None), ("résumé", "mot " * 60), ("tags", ["x"])]:
        assert keyword_term(name, value) is None
    assert keyword_terms(None) == [] and keyword_terms({}) == []


def test_text_files_have_no_keywords(seed_index):
    assert _terms_by_passage(seed_index) == {}
