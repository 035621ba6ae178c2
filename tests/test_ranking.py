"""The ranking (issue 11): BM25F carries the weight, coordination is soft, a
heading holding the query lifts its passages, words close together count for
more, and equal scores are ordered by passage id, so that one writer process
or two give the same ranking."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from shuffled import write_shuffled

import frsearch
from frsearch import catalog, execution, index, planning, scoring
from frsearch.articles import id_fault
from frsearch.codec import passage_order, read_passage_order
from frsearch.query import parse_query

ROOT = Path(__file__).resolve().parent.parent
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


def test_a_headline_counts_its_words_once(tmp_path):
    """A headline is the context of its article's passages, not its own: it
    scores as the same words do in a paragraph of an article with no title."""
    built = _index(tmp_path, [
        {"id": "titrée", "title": "Sanctions contre Moscou",
         "paragraphs": ["Le conseil se réunit demain matin."]},
        {"id": "sans-titre", "paragraphs": ["Sanctions contre Moscou",
                                            "Le conseil se réunit demain soir."]},
        *({"id": f"autre-{n}", "title": "Divers", "paragraphs": [_filler(12, 60 + n)]}
          for n in range(4)),
    ])
    scores = {hit.passage_id: hit.score
              for hit in built.search("sanctions Moscou", collapse=False).hits}
    assert set(scores) == {"titrée:0", "sans-titre:1"}
    assert scores["titrée:0"] == scores["sans-titre:1"]
    built.close()


def test_every_headline_counts_its_words_once_whatever_else_matches(tmp_path):
    """Sixty headlines alike, more than are ever reranked, and each alone
    through a filter: all score as the untitled paragraph of the same words."""
    built = _index(tmp_path, [
        *({"id": f"titrée-{n:02}", "title": "Sanctions contre Moscou",
           "paragraphs": ["Le conseil se réunit demain matin."]} for n in range(60)),
        {"id": "sans-titre", "paragraphs": ["Sanctions contre Moscou"]},
    ])
    scores = {hit.passage_id: hit.score
              for hit in built.search("Moscou", limit=100, collapse=False).hits}
    assert len(scores) == 61 and set(scores.values()) == {scores["sans-titre:1"]}
    for article in ("titrée-00", "titrée-59"):
        alone = built.search("Moscou", filters={"id": article}).hits
        assert [(hit.passage_id, hit.score) for hit in alone] == [
            (f"{article}:0", scores["sans-titre:1"])]
    built.close()


# -- proximity -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def distances(tmp_path_factory):
    """The same words, side by side in one passage and apart in another of
    the same length."""
    records = [
        {"id": "loin", "title": "Notes", "paragraphs": [
            "Le serveur répond vite aux clients du bureau quand il est distant."]},
        {"id": "proche", "title": "Notes", "paragraphs": [
            "Le serveur distant répond vite aux clients du bureau quand il est."]},
        *({"id": f"autre-{n}", "title": "Divers", "paragraphs": [_filler(12, 40 + n)]}
          for n in range(6)),
    ]
    built = _index(tmp_path_factory.mktemp("distances"), records)
    yield built
    built.close()


def test_words_close_together_rank_higher(distances):
    hits = distances.search("serveur distant", limit=10, collapse=False).hits
    assert [hit.passage_id for hit in hits] == ["proche:1", "loin:1"]
    assert hits[0].score > hits[1].score


def test_proximity_is_bm25tp_of_the_pairs_within_the_window(distances):
    searcher = distances._current_searcher()
    plan = planning.compile_query(parse_query("serveur distant"), searcher.reader())
    ranked = execution.execute(searcher, plan, 10).ranked
    bonuses = scoring.proximity(searcher, [docnum for docnum, _ in ranked], plan.clauses)
    near, far = (docnum for docnum, _ in ranked)
    assert bonuses[near] > 0 and far not in bonuses  # 10 words apart: past the window
    # one clause alone: no pair, no bonus
    alone = planning.compile_query(parse_query("serveur"), searcher.reader())
    assert scoring.proximity(searcher, [near, far], alone.clauses) == {}


# -- equal scores ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def copies(tmp_path_factory):
    """One paragraph in five articles, written in an order that is not their ids'."""
    text = "Les ministres ont annoncé de nouvelles sanctions contre les banques."
    records = [{"id": name, "title": f"Dépêche {name}", "paragraphs": [text]}
               for name in ("delta", "bravo", "echo", "alpha", "charlie")]
    built = _index(tmp_path_factory.mktemp("copies"), records)
    yield built
    built.close()


def test_equal_scores_are_ordered_by_passage_id(copies):
    hits = copies.search("sanctions banques", limit=10, collapse=False).hits
    assert len({hit.score for hit in hits}) == 1
    assert [hit.passage_id for hit in hits] == [
        f"{name}:1" for name in ("alpha", "bravo", "charlie", "delta", "echo")]


def test_the_passages_kept_at_a_cut_through_equal_scores_are_the_first_ids(copies):
    searcher = copies._current_searcher()
    plan = planning.compile_query(parse_query("sanctions"), searcher.reader())
    # the first stage keeps every passage tied with the last it returns
    ranked, total = scoring.top_passages(searcher, plan.words, planning.HELD_SCORE, 2)
    assert len(ranked) == total == 5
    passages = execution.StoredPassages(searcher)
    kept = execution.execute(searcher, plan, 2).ranked
    assert [passages[docnum].passage_id for docnum, _ in kept] == ["alpha:1", "bravo:1"]
    grouped = copies.search("sanctions", limit=1)
    assert grouped.hits[0].passage_id == "alpha:1" and len(grouped.hits[0].duplicates) == 4


ARTICLE_IDS = st.text(min_size=1, max_size=12).filter(lambda text: id_fault(text) is None)


@given(ARTICLE_IDS, st.integers(0, 2**40), st.integers(0, 2**40))
def test_the_order_column_holds_the_passage_id(article_id, number, position):
    back, read, article = read_passage_order(passage_order(article_id, number, position))
    assert (back, read) == (position, number)
    assert article == (article_id.encode("utf-8") if position == 0 else b"")


def test_a_damaged_order_value_is_damage():
    with pytest.raises(frsearch.IndexDamagedError):
        read_passage_order(b"\x80")  # a varint cut short
    values = [passage_order("a", 0, 0), passage_order("a", 1, 1), passage_order("a", 2, 1)]
    with pytest.raises(frsearch.IndexDamagedError):  # points to a passage that is not first
        catalog._article_of(values.__getitem__, 2, 1, b"")
    assert catalog._article_of(values.__getitem__, 1, 1, b"") == b"a"


@given(st.lists(ARTICLE_IDS, min_size=2, max_size=20))
def test_article_ids_in_utf8_compare_as_the_ids(article_ids):
    assert sorted(article_ids, key=lambda text: text.encode("utf-8")) == sorted(article_ids)


@pytest.fixture(scope="module")
def near_ids(tmp_path_factory):
    """The same paragraph twelve times in one article and once in articles whose
    ids are prefixes of one another or differ by an accent, written in an
    order that is not their ids'."""
    text = "Les ministres ont annoncé de nouvelles sanctions contre les banques."
    records = [{"id": name, "title": f"Dépêche {name}", "paragraphs": [text] * count}
               for name, count in (("é", 1), ("ab", 12), ("a", 1), ("a b", 1), ("e", 1),
                                   ("abc", 1), ("z", 1))]
    built = _index(tmp_path_factory.mktemp("near-ids"), records)
    yield built
    built.close()


def test_equal_scores_are_ordered_without_reading_a_stored_passage(near_ids, monkeypatch):
    searcher = near_ids._current_searcher()
    plan = planning.compile_query(parse_query("sanctions banques"), searcher.reader())
    read: list[int] = []
    stored_fields = searcher.stored_fields
    monkeypatch.setattr(searcher, "stored_fields",
                        lambda docnum: read.append(docnum) or stored_fields(docnum))
    ranked = execution.execute(searcher, plan, 30).ranked
    assert len(ranked) == 18 and len({score for _, score in ranked}) == 1
    assert read == []
    passages = execution.StoredPassages(searcher)
    assert [passages[docnum].passage_id for docnum, _ in ranked] == [
        "a:1", "a b:1", *(f"ab:{number}" for number in range(1, 13)), "abc:1", "e:1", "z:1",
        "é:1"]


def test_the_order_column_gives_each_live_passage_its_article(tmp_path):
    """Three commits (three segments), an article changed and one removed:
    the passages' article ids from the ``order`` column are those their terms
    and stored records give."""
    def records(names: str, version: str) -> list[dict]:
        return [{"id": name, "title": f"Dépêche {name} {version}",
                 "paragraphs": [f"Paragraphe {number} de {name}, {version}." for number in
                                range(1 + len(name))]} for name in names.split()]
    built = _index(tmp_path, records("delta b charlie", "un"))
    for at, (names, version) in enumerate((("alpha b", "deux"), ("echo charlie", "trois"))):
        corpus = tmp_path / f"more-{at}.jsonl"
        corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n"
                                  for r in records(names, version)), encoding="utf-8")
        built.add([corpus])
    built.remove(["delta"])
    searcher = built._current_searcher()
    reader = searcher.reader()
    assert len(list(reader.leaf_readers())) > 1 and reader.has_deletions()
    articles = catalog.Catalog(reader).articles()
    passages = execution.StoredPassages(searcher)
    assert articles == catalog.Catalog(reader)._of("article_id") == {
        docnum: passages[docnum].article_id for docnum in reader.all_doc_ids()}
    assert sorted(set(articles.values())) == ["alpha", "b", "charlie", "echo"]
    built.close()


# -- one writer process or two ---------------------------------------------------------


JUDGED = [entry["query"] for entry in
          json.loads((ROOT / "benchmarks" / "judgments.json").read_text(encoding="utf-8"))]
MORE = ["sanctions", "Biden", "Poutine", "russe", "Kiev Kyiv", "Etats-Un*", "sanct*",
        '"à la fois" fois', '"de la Russie"', "sanctions -Russie", "title:sanctions",
        "(sanctions AND Russie) OR otan", "co* pr* re*", "troupes frontière menace"]


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory):
    """The seeds and 400 articles of their sentences shuffled (many passages
    scoring alike), indexed by one writer process and by two."""
    root = tmp_path_factory.mktemp("builds")
    corpus = root / "corpus.jsonl"
    with corpus.open("w", encoding="utf-8") as out:
        for article in frsearch.read_articles([frsearch.seeds_dir()]):
            out.write(json.dumps({"id": article.id, "title": article.title, "paragraphs": [
                p.text for p in article.passages[1:]]}, ensure_ascii=False) + "\n")
        write_shuffled(out, 400, 3, seed=11, digits=3)
    builds = {"serial": _built(root / "serial", corpus, parallel=False)}
    # Which writer process takes which job is up to them: on a loaded machine
    # one may take every job and number the passages as one process does.
    # Built again until the numbering differs, the case this module is about.
    for attempt in range(5):
        if attempt:
            builds["parallel"].close()
        builds["parallel"] = _built(root / f"parallel-{attempt}", corpus, parallel=True)
        if _numbering(builds["parallel"]) != _numbering(builds["serial"]):
            break
    yield builds
    for built in builds.values():
        built.close()


def _built(folder, corpus, parallel: bool) -> frsearch.Index:
    """An index of ``corpus`` written by two writer processes, or by one."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(index, "PARALLEL_FROM_BYTES", 1 if parallel else 10**12)
        built = frsearch.open_index(folder, create=True)
        built.add([corpus])
    return built


def _numbering(built: frsearch.Index) -> list[str]:
    searcher = built._current_searcher()
    passages = execution.StoredPassages(searcher)
    return [passages[docnum].passage_id for docnum in range(searcher.doc_count_all())]


@pytest.mark.slow
def test_two_writer_processes_number_passages_otherwise(two_builds):
    serial, parallel = _numbering(two_builds["serial"]), _numbering(two_builds["parallel"])
    assert sorted(serial) == sorted(parallel) and serial != parallel
    assert len(list(two_builds["parallel"]._current_searcher().leaf_searchers())) > 1


@pytest.mark.slow
@pytest.mark.parametrize("query", JUDGED + MORE)
def test_one_writer_process_or_two_give_the_same_ranking(two_builds, query):
    for collapse in (False, True):
        serial, parallel = (
            [(hit.passage_id, hit.score, [d.passage_id for d in hit.duplicates])
             for hit in two_builds[name].search(query, limit=30, collapse=collapse).hits]
            for name in ("serial", "parallel"))
        assert serial == parallel
