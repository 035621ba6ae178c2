"""The ranking (issue 11): BM25F carries the weight, coordination is soft, and
a heading holding the query lifts its passages."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

import frsearch
from frsearch import planning

FILLER = ("le jardin de la maison donne sur une rue calme où passent chaque matin des "
          "voisins pressés vers la gare du village").split()


def _index(folder: Path, records: list[dict]) -> frsearch.Index:
    """An index of ``records`` (JSON Lines articles), written in their order."""
    corpus = folder / "corpus.jsonl"
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                      encoding="utf-8")
    built = frsearch.open_index(folder / "index", create=True)
    built.add([corpus])
    return built


def _filler(words: int, seed: int) -> str:
    pick = random.Random(seed)
    return " ".join(pick.choice(FILLER) for _ in range(words))


def _order(found: frsearch.Index, query: str) -> list[str]:
    return [hit.passage_id for hit in found.search(query, limit=50, collapse=False).hits]


# -- soft coordination and length ----------------------------------------------------


@pytest.fixture(scope="module")
def fits(tmp_path_factory):
    """Passages holding more or less of "chiffrement disque partition", at
    different lengths, among others that hold none of it."""
    long_all = " ".join([_filler(150, 1), "chiffrement", _filler(150, 2), "disque",
                         _filler(150, 3), "partition."])
    records = [
        {"id": "long-tout", "title": "Notes", "paragraphs": [long_all]},
        {"id": "court-deux", "title": "Notes", "paragraphs": [
            "Le chiffrement du disque, le chiffrement de tout le disque."]},
        {"id": "court-tout", "title": "Notes", "paragraphs": [
            "Le chiffrement du disque et de chaque partition."]},
        {"id": "court-un", "title": "Notes", "paragraphs": ["Une partition de plus."]},
        *({"id": f"autre-{n}", "title": "Divers", "paragraphs": [_filler(20, 10 + n)]}
          for n in range(20)),
    ]
    built = _index(tmp_path_factory.mktemp("fits"), records)
    yield built
    built.close()


def test_holding_more_of_the_query_ranks_higher_at_a_like_fit(fits):
    order = _order(fits, "chiffrement disque partition")
    assert order.index("court-tout:1") < order.index("court-deux:1")


def test_a_far_better_fit_beats_holding_one_more_word(fits):
    # the long passage holds all three words once among 450 others: BM25F's
    # length normalisation decides, not the count of words held
    order = _order(fits, "chiffrement disque partition")
    assert order.index("court-deux:1") < order.index("long-tout:1")
    assert order[0] == "court-tout:1"


def test_every_passage_holding_a_word_is_found(fits):
    found = fits.search("chiffrement disque partition", limit=50, collapse=False)
    assert found.total == 4


# -- structure -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def headings(tmp_path_factory):
    """The same paragraph under a section heading that is the query, and under
    one that is not."""
    root = tmp_path_factory.mktemp("headings")
    text = "La commande apt installe le paquet demandé et ses dépendances."
    (root / "guide.txt").write_text(
        f"Guide\n\nNotes diverses\n\n{text}\n\nInstaller un paquet\n\n{text}\n", encoding="utf-8")
    built = frsearch.open_index(root / "index", create=True)
    built.add([root / "guide.txt"])
    yield built
    built.close()


def test_a_heading_holding_the_query_lifts_the_passages_under_it(headings):
    hits = headings.search("installer un paquet", limit=10, collapse=False).hits
    by_heading = {hit.heading: hit for hit in hits if hit.heading}
    assert set(by_heading) == {"Notes diverses", "Installer un paquet"}
    assert hits[0].heading == "Installer un paquet" or hits[0].text == "Installer un paquet"
    assert by_heading["Installer un paquet"].score > by_heading["Notes diverses"].score


def test_the_heading_bonus_grows_with_the_share_of_the_query_it_holds():
    clauses = [planning.WordClause(1.0, 4.0, (), ()), planning.WordClause(1.0, 2.0, (), ())]
    coordination = planning.Coordination(clauses)
    assert coordination.bonus(0.0) == 0.0
    assert 0 < coordination.bonus(1.0) < coordination.bonus(2.0)
    assert coordination.bonus(2.0) == pytest.approx(planning.HEADING_MATCH * 6.0)
    assert coordination.score(10.0, 2.0, 0.0) - coordination.score(10.0, 1.0, 0.0) == (
        pytest.approx(10.0 * (1 - 0.5 ** planning.COORDINATION)))
