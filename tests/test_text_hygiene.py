"""Text hygiene at the door: invisible characters inside words, file names that
are not UTF-8 or not fit to be ids, files that are not regular files, JSON
fields of the wrong type, and passages too long to be one hit."""

from __future__ import annotations

import json
import os
import threading

import pytest

import frsearch
from frsearch.analysis import INVISIBLE, analyze, tokenize
from frsearch.articles import MAX_ID_CHARS, MAX_PASSAGE_CHARS, file_article_id, id_fault

HANG = 60
"""Seconds after which a test counts as hung (a FIFO opened the blocking way)."""

NAMES = {
    "\u00ad": "trait d’union conditionnel", "\u200b": "espace sans chasse",
    "\u200c": "antiliant sans chasse", "\u200d": "liant sans chasse",
    "\u2060": "gluon de mots", "\ufeff": "indicateur d’ordre des octets",
    "\u200e": "marque gauche-à-droite", "\u200f": "marque droite-à-gauche",
    "\u202a": "enchâssement gauche-à-droite", "\u202b": "enchâssement droite-à-gauche",
    "\u202c": "dépilement", "\u202d": "forçage gauche-à-droite",
    "\u202e": "forçage droite-à-gauche", "\u2066": "isolat gauche-à-droite",
    "\u2067": "isolat droite-à-gauche", "\u2068": "isolat à direction forte",
    "\u2069": "dépilement d’isolat",
}
"""Each invisible character the analysis reads past, and its French name."""

SENTENCES = [
    "Le gouvernement a présenté mardi un plan de relance pour l’économie régionale.",
    "Les visiteurs du musée d’histoire naturelle ont admiré les fossiles.",
    "La ministre a défendu sa réforme devant les députés réunis en séance.",
    "« Nous tiendrons bon », a lancé la porte-parole des cheminots ?",
    "Des pluies abondantes ont provoqué des crues dans plusieurs communes du Sud…",
]


def _jsonl(*records) -> str:
    return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)


def _report_of(folder, tmp_path):
    """An index of ``folder`` (in ``tmp_path``, beside it) and the report of building it."""
    index = frsearch.open_index(tmp_path / "ix", create=True)
    return index, index.add([folder])


@pytest.fixture
def folder(tmp_path):
    """An empty folder for articles, beside where ``_report_of`` puts the index."""
    (tmp_path / "articles").mkdir()
    return tmp_path / "articles"


# -- 1. invisible characters inside a word -------------------------------------

def test_the_list_covers_every_character_named_in_the_issue():
    assert set(INVISIBLE) == set(NAMES)


@pytest.mark.parametrize("invisible", list(NAMES), ids=[f"U+{ord(c):04X}" for c in NAMES])
def test_invisible_character_inside_a_word_leaves_its_terms_as_they_were(invisible):
    written = (f"Le gouver{invisible}nement et l’Ukr{invisible}aine"
               f" ont signé aujourd’{invisible}hui.")
    assert analyze(written) == analyze("Le gouvernement et l’Ukraine ont signé aujourd’hui.")
    assert analyze(written) == ["gouvern", "ukrain", "sign", "aujourd'hui"]


def test_span_of_a_word_holding_invisible_characters_is_the_word_as_written():
    text = "Le gouver\u00adne\u200bment de l’\u200eUkraine."
    spans = [text[token.start:token.end] for token in tokenize(text)]
    assert spans == ["gouver\u00adne\u200bment", "Ukraine"]  # after the elision, as before


def test_invisible_characters_around_words_and_alone_leave_no_token():
    text = "\u202bLe\u202c \u200b gouvernement\u200f \ufeff"
    assert analyze(text) == ["gouvern"]
    assert [text[t.start:t.end] for t in tokenize(text)] == ["gouvernement"]


@pytest.fixture(scope="module")
def scraped(tmp_path_factory):
    """An index of one article per invisible character, its passage holding it
    inside ``gouvernement``; one also holds a decomposed accent before the word,
    which NFC shortens."""
    root = tmp_path_factory.mktemp("scraped")
    records = [{"id": f"u{ord(ch):04x}", "title": f"Dépêche sur le {name}",
                "paragraphs": [f"Gene\u0300ve, mardi. Le gouver{ch}nement ({name}) a tranché."]}
               for ch, name in NAMES.items()]
    (root / "depeches.jsonl").write_text(_jsonl(*records), encoding="utf-8")
    index = frsearch.open_index(root / "ix", create=True)
    report = index.add([root / "depeches.jsonl"])
    assert report.passages == 2 * len(NAMES) and not report.problems
    yield index
    index.close()


@pytest.mark.parametrize("invisible", list(NAMES), ids=[f"U+{ord(c):04X}" for c in NAMES])
def test_passage_with_an_invisible_character_is_found_and_marked_whole(scraped, invisible):
    hits = {hit.article_id: hit for hit in
            scraped.search("gouvernement", limit=50, collapse=False).hits}
    hit = hits[f"u{ord(invisible):04x}"]
    written = f"gouver{invisible}nement"
    assert written in hit.text  # stored as written
    assert [hit.text[start:end] for start, end in hit.matches] == [written]
    assert f"<mark>{written}</mark>" in hit.snippet
    assert hit.text.startswith("Genève, mardi.")  # NFC: stored composed, spans count that


def test_a_query_holding_an_invisible_character_finds_the_clean_word(tmp_path):
    source = tmp_path / "propre.txt"
    source.write_text("Réforme\n\nLe gouvernement présente sa réforme.\n", encoding="utf-8")
    with frsearch.open_index(tmp_path / "ix", create=True) as index:
        index.add([source])
        hit = index.search("gouver\u00adnement").hits[0]
    assert [hit.text[start:end] for start, end in hit.matches] == ["gouvernement"]


def test_a_line_of_invisible_characters_separates_paragraphs(tmp_path):
    source = tmp_path / "page.txt"
    source.write_text("Titre\n\nPremier paragraphe.\u200b\n\u200b\ufeff\nSecond paragraphe.\n",
                      encoding="utf-8")
    article, = frsearch.read_articles([source])
    assert [p.text for p in article.passages] == [
        "Titre", "Premier paragraphe.", "Second paragraphe."]


# -- 2. and 3. ids from file names ---------------------------------------------

def _make_file(folder, name: bytes, text: str) -> None:
    """A file named with raw bytes: os.fsencode-level, as an old system wrote it."""
    try:
        descriptor = os.open(os.fsencode(folder) + b"/" + name, os.O_WRONLY | os.O_CREAT, 0o644)
    except OSError as error:  # e.g. a file system that only takes UTF-8 names
        pytest.skip(f"this file system refuses the name {name!r}: {error}")
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


def test_file_name_in_latin_1_is_indexed_with_the_seeds(folder, tmp_path):
    for seed in frsearch.seeds_dir().glob("*.txt"):
        (folder / seed.name).write_bytes(seed.read_bytes())
    _make_file(folder, b"caf\xe9.txt", "Le café\n\nLe prix du café arabica atteint un record.\n")
    index, report = _report_of(folder, tmp_path)
    with index:
        assert not report.problems
        assert report.added == 6
        hit = index.search("arabica").hits[0]
        assert hit.article_id == "café" and hit.passage_id == "café:1"
        assert index.search("sanctions").total > 0  # the seeds are there too
    assert {article.id for article in frsearch.read_articles([folder])} >= {"café"}


def test_latin_1_and_utf_8_names_of_one_word_are_told_apart_by_their_folder(folder, tmp_path):
    """Both read as café: the second file's id names its folder (issue 12: ids
    never collide), instead of its article being left out."""
    _make_file(folder, b"caf\xe9.txt", "Le café\n\nLe café arabica.\n")
    _make_file(folder, "café.txt".encode(), "Le café\n\nLe café robusta.\n")
    index, report = _report_of(folder, tmp_path)
    with index:
        assert report.added == 2 and not report.problems
        assert index.search("robusta").hits[0].article_id == "café"
        assert index.search("arabica").hits[0].article_id == "articles/café"


BAD_NAMES = {
    "ligne\nbrisée": "ligne\u240abrisée",              # newline shown as ␊
    "écran\x1b[2Jeffacé": "écran\u241b[2Jeffacé",      # ESC shown as ␛
    "cloche\x07": "cloche\u2407",
    "effacement\x7f": "effacement\u2421",
}


@pytest.mark.parametrize("name", list(BAD_NAMES), ids=["newline", "esc", "bell", "del"])
def test_file_name_with_control_characters_gets_an_id_showing_them(folder, tmp_path, name):
    _make_file(folder, f"{name}.txt".encode(), "Titre\n\nLes fossiles du musée.\n")
    article, = frsearch.read_articles([folder])
    assert article.id == BAD_NAMES[name]
    assert id_fault(article.id) is None
    # the same id string in JSON is refused by the same rule
    feed = tmp_path / "feed.jsonl"
    feed.write_text(_jsonl({"id": name, "paragraphs": ["Des fossiles."]}), encoding="utf-8")
    problems = []
    assert list(frsearch.read_articles([feed], problems.append)) == []
    assert problems[0].reason.startswith('"id" must be one line of at most 200 characters')


def test_long_file_names_are_cut_to_distinct_stable_ids(folder, tmp_path):
    stem = "Compte rendu de la séance du conseil municipal " * 5
    names = [stem[:230] + "A", stem[:230] + "B"]  # alike for the first 230 characters
    for name in names:
        _make_file(folder, f"{name}.txt".encode(), f"Séance {name[-1]}\n\nLe budget est voté.\n")
    ids = [article.id for article in frsearch.read_articles([folder])]
    assert len(set(ids)) == 2
    assert all(len(id_) <= MAX_ID_CHARS and id_.startswith(stem[:150]) for id_ in ids)
    assert ids == [article.id for article in frsearch.read_articles([folder])]  # stable
    assert ids == [file_article_id(folder / f"{name}.txt") for name in names]
    index, report = _report_of(folder, tmp_path)
    with index:
        assert report.added == 2 and not report.problems
        hits = index.search("budget", collapse=False).hits
        assert {hit.article_id for hit in hits} == set(ids)


# -- 4. files that are not regular files ---------------------------------------

@pytest.fixture
def with_fifo(tmp_path):
    """A folder of one good article and a named pipe called ``tube.txt``."""
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes here")
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "bon.txt").write_text("Titre\n\nLes cigognes reviennent en Alsace.\n",
                                    encoding="utf-8")
    os.mkfifo(folder / "tube.txt")
    return folder


def test_named_pipe_in_a_folder_is_reported_and_the_rest_indexed(with_fifo, tmp_path, time_limit):
    with time_limit(HANG):
        index, report = _report_of(with_fifo, tmp_path)
    with index:
        assert [(p.source, p.reason) for p in report.problems] == [
            (str(with_fifo / "tube.txt"), "not a regular file (a named pipe)")]
        assert index.search("cigognes").hits[0].article_id == "bon"


def test_named_pipe_given_by_name_is_reported(with_fifo, time_limit):
    problems = []
    with time_limit(HANG):
        assert list(frsearch.read_articles([with_fifo / "tube.txt"], problems.append)) == []
    assert [p.reason for p in problems] == ["not a regular file (a named pipe)"]


def test_opening_a_named_pipe_never_waits_for_a_writer(with_fifo):
    """What a named pipe swapped in after the folder was listed meets: the
    reader opens it without blocking, sees what it is and reports it."""
    from frsearch.articles import _read_file

    problems: list = []
    articles: list = []
    reader = threading.Thread(
        target=lambda: articles.extend(
            _read_file(with_fifo / "tube.txt", problems.append, lambda size: None)),
        daemon=True)
    reader.start()
    reader.join(HANG)
    if reader.is_alive():  # unblock it: open the other end, then fail
        with open(with_fifo / "tube.txt", "wb"):
            pass
        pytest.fail("opening a named pipe waited for a writer")
    assert articles == []
    assert [p.reason for p in problems] == ["not a regular file (a named pipe)"]


def test_device_named_like_an_article_is_reported(tmp_path):
    if not os.path.exists(os.devnull) or os.name != "posix":
        pytest.skip("no /dev/null")
    (tmp_path / "bon.txt").write_text("Titre\n\nLe préfet ferme les écoles.\n", encoding="utf-8")
    (tmp_path / "nul.txt").symlink_to(os.devnull)
    problems = []
    articles = list(frsearch.read_articles([tmp_path], problems.append))
    assert [a.id for a in articles] == ["bon"]
    assert [p.reason for p in problems] == ["not a regular file (a character device)"]


def test_broken_link_named_like_an_article_is_reported(tmp_path):
    (tmp_path / "bon.txt").write_text("Titre\n\nLe préfet ferme les écoles.\n", encoding="utf-8")
    (tmp_path / "perdu.txt").symlink_to(tmp_path / "déplacé.txt")
    problems = []
    assert [a.id for a in frsearch.read_articles([tmp_path], problems.append)] == ["bon"]
    assert [(p.source, p.reason) for p in problems] == [
        (str(tmp_path / "perdu.txt"), "broken symbolic link")]


# -- 5. JSON fields of the wrong type ------------------------------------------

def test_title_or_date_of_the_wrong_type_is_reported(tmp_path):
    feed = tmp_path / "feed.jsonl"
    feed.write_text(_jsonl(
        {"id": "titre-liste", "title": ["La BCE", "relève ses taux"],
         "paragraphs": ["La Banque centrale européenne relève ses taux directeurs."]},
        {"id": "date-objet", "title": "Climat", "date": {"annee": 2021, "mois": 6},
         "paragraphs": ["Les glaciers alpins reculent."]},
        {"id": "date-nombre", "title": "Vendanges", "date": 2021,
         "paragraphs": ["Les vendanges commencent tôt en Bourgogne."]},
        {"id": "date-vrai", "title": "Marée", "date": True, "paragraphs": ["Grande marée."]},
        {"id": "bon", "title": "Cigognes", "date": "2021-06",
         "paragraphs": ["Les cigognes reviennent en Alsace."]},
    ), encoding="utf-8")
    index, report = _report_of(feed, tmp_path)
    with index:
        assert [(p.source, p.reason, p.skipped) for p in report.problems] == [
            (f"{feed}:1", '"title" must be a string, not a list', True),
            # a date is left out, not turned into text; the article is kept (issue 12)
            (f"{feed}:2", 'nothing skipped: the date {"annee": 2021, "mois": 6} of article '
             "'date-objet' is left out (a date is a string, not an object); the article "
             "is indexed without a date", False),
            (f"{feed}:3", "nothing skipped: the date 2021 of article 'date-nombre' is left out "
             "(a date is a string, not a number); the article is indexed without a date", False),
            (f"{feed}:4", "nothing skipped: the date true of article 'date-vrai' is left out "
             "(a date is a string, not true or false); the article is indexed without a date",
             False),
        ]
        assert report.added == 4
        hit = index.search("cigognes").hits[0]
        assert (hit.article_id, hit.date) == ("bon", "2021-06")
        assert [(hit.article_id, hit.date) for hit in index.search("glaciers").hits] == [
            ("date-objet", None)]


def test_absent_or_null_title_and_date_are_still_fine(tmp_path):
    feed = tmp_path / "feed.jsonl"
    feed.write_text(_jsonl({"id": "a", "title": None, "date": None, "paragraphs": ["Un."]},
                           {"id": "b", "paragraphs": ["Deux."]}), encoding="utf-8")
    problems = []
    articles = list(frsearch.read_articles([feed], problems.append))
    assert not problems
    assert [(a.title, a.date) for a in articles] == [("", None), ("", None)]


# -- 6. bounds on passages -----------------------------------------------------

def _long_paragraph(characters: int) -> str:
    sentences, size, index = [], 0, 0
    while size < characters:
        sentence = f"{SENTENCES[index % len(SENTENCES)]} Dépêche numéro {index}."
        sentences.append(sentence)
        size += len(sentence) + 1
        index += 1
    return " ".join(sentences)


def test_long_paragraph_is_cut_between_sentences_into_numbered_passages(tmp_path):
    paragraph = _long_paragraph(3 * MAX_PASSAGE_CHARS + 5_000)
    source = tmp_path / "roman.txt"
    source.write_text(f"Un roman-fleuve\n\n{paragraph}\n\nLe mot de la fin.\n", encoding="utf-8")
    problems = []
    article, = frsearch.read_articles([source], problems.append)
    body = article.passages[1:-1]
    assert len(body) == 4
    assert [p.number for p in article.passages] == list(range(6))  # unique, consecutive
    assert article.passages[-1].text == "Le mot de la fin."
    assert all(len(p.text) <= MAX_PASSAGE_CHARS for p in body)
    assert all(p.text.endswith(".") and p.kind == "paragraph" for p in body)
    assert " ".join(p.text for p in body) == paragraph  # nothing lost, nothing added
    notice, = problems
    assert not notice.skipped and notice.source == str(source)
    assert notice.reason.startswith("nothing skipped: a passage of article 'roman' is ")
    assert "indexed as 4 passages (1 to 4)" in notice.reason
    again, = frsearch.read_articles([source])
    assert again.passages == article.passages  # the same numbers at every reading


def test_a_sentence_longer_than_a_passage_is_cut_between_words(tmp_path):
    words = [f"mot{index}" for index in range(9_000)]  # about 70,000 characters, no full stop
    source = tmp_path / "liste.jsonl"
    source.write_text(_jsonl({"id": "liste", "title": "Inventaire",
                              "paragraphs": [" ".join(words)]}), encoding="utf-8")
    article, = frsearch.read_articles([source])
    pieces = [p.text for p in article.passages[1:]]
    assert len(pieces) == 4 and all(len(piece) <= MAX_PASSAGE_CHARS for piece in pieces)
    assert [word for piece in pieces for word in piece.split(" ")] == words


def test_a_word_longer_than_a_passage_is_cut_where_it_must(tmp_path):
    blob = "iVBORw0KGgo" * 5_000  # an inline image, 55,000 characters
    source = tmp_path / "image.txt"
    source.write_text(f"Photo du jour\n\nLégende : {blob}\n", encoding="utf-8")
    article, = frsearch.read_articles([source])
    pieces = [p.text for p in article.passages[1:]]
    assert pieces[0] == "Légende :"
    assert "".join(pieces[1:]) == blob and len(pieces) == 4


def test_split_passages_are_found_by_their_ids(tmp_path):
    paragraph = _long_paragraph(2 * MAX_PASSAGE_CHARS) + " Fin du texte zygomatique."
    feed = tmp_path / "feed.jsonl"
    feed.write_text(_jsonl({"id": "fleuve", "title": "Fleuve", "paragraphs": [paragraph]},
                           {"id": "court", "title": "Court", "paragraphs": ["Zygomatique."]}),
                    encoding="utf-8")
    index, report = _report_of(feed, tmp_path)
    with index:
        assert report.passages == 1 + 3 + 2
        notice, = report.problems
        assert not notice.skipped and notice.source == f"{feed}:1"
        assert "'fleuve'" in notice.reason and "indexed as 3 passages (1 to 3)" in notice.reason
        ids = {hit.passage_id for hit in index.search("zygomatique").hits}
        assert ids == {"fleuve:3", "court:1"}
        again = index.add([feed])
        assert (again.unchanged, again.passages) == (2, 0)


def test_a_title_longer_than_a_passage_becomes_the_first_paragraph(tmp_path):
    title = _long_paragraph(MAX_PASSAGE_CHARS + 1)
    feed = tmp_path / "feed.jsonl"
    feed.write_text(_jsonl({"id": "titre", "title": title, "paragraphs": ["La suite."]}),
                    encoding="utf-8")
    problems = []
    article, = frsearch.read_articles([feed], problems.append)
    assert article.title == ""
    assert [p.number for p in article.passages] == [1, 2, 3]
    assert " ".join(p.text for p in article.passages[:2]) == title
    assert {p.kind for p in article.passages} == {"paragraph"}
    assert [p.skipped for p in problems] == [False, False]
    assert "title of article 'titre'" in problems[0].reason
