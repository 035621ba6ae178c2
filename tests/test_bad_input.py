"""Unreadable input: a folder of good articles mixed with files that cannot be
read is indexed as far as it can be, and every skipped file is named with why."""

from __future__ import annotations

import codecs
import json
import random
import shutil
import tracemalloc

import pytest

import frsearch
from frsearch.articles import MAX_PASSAGE_CHARS, decode_bytes

HANG = 60
"""Seconds after which a test counts as hung. Not a speed claim: speed is
measured in benchmarks/, these only keep a pathological case from stalling CI."""

SENTENCES = [
    "Le gouvernement a présenté mardi un plan de relance pour l’économie régionale.",
    "Les visiteurs du musée d’histoire naturelle ont admiré les fossiles.",
    "La ministre a défendu sa réforme devant les députés réunis en séance.",
    "Selon les syndicats, la grève pourrait durer jusqu’à la fin de la semaine.",
    "Des pluies abondantes ont provoqué des crues dans plusieurs communes du Sud.",
]


def _big_paragraph(megabytes: float, seed: int = 0) -> str:
    rng = random.Random(seed)
    words, size = [], 0
    while size < megabytes * 1_000_000:
        sentence = rng.choice(SENTENCES)
        words.append(sentence)
        size += len(sentence.encode()) + 1
    return " ".join(words)


def _jsonl(*records) -> str:
    return "".join(
        (r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in records)


# name -> (bytes, what the reason on stderr says)
BAD = {
    "empty.txt": (b"", "empty file"),
    "blank.txt": (b"  \n\t\n\r\n   \n", "empty file"),
    "image.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40,
                  "binary file"),
    "controls.txt": (bytes(range(1, 32)) * 400, "binary file"),
    "nothing.jsonl": (b'{"id": \n[1, 2]\n', "no article in this file"),
}
# name:line -> what the reason says; the lines are those of feed.jsonl below
BAD_LINES = {
    "feed.jsonl:2": "invalid JSON (Invalid control character at column 70)",
    "feed.jsonl:4": "invalid JSON (nested too deeply)",
    "feed.jsonl:5": "not a JSON object",
    "feed.jsonl:6": 'missing "id"',
    "feed.jsonl:7": '"paragraphs" must be a list of strings',
    "feed.jsonl:8": '"id" must be one line',
    "feed.jsonl:10": '"id" must be one line',
    "feed.jsonl:11": '"id" must be one line',
    "nothing.jsonl:1": "invalid JSON",
    "nothing.jsonl:2": "not a JSON object",
}
FEED = _jsonl(
    {"id": "bce-1", "title": "La BCE relève ses taux",
     "paragraphs": ["La Banque centrale européenne relève ses taux directeurs."]},
    '{"id": "cassé", "title": "Ligne coupée", "paragraphs": ["La suite man',
    {"id": "climat-2", "title": "Climat", "text": "Les glaciers alpins reculent.\n\nVite."},
    "[" * 100_000,
    ["une", "liste"],
    {"title": "Sans identifiant", "paragraphs": ["Perdu."]},
    {"id": "mauvais-paragraphes", "paragraphs": "pas une liste"},
    {"id": "ligne\nbrisée\u001b[2J", "paragraphs": ["Identifiant illisible."]},
    # U+2028 and U+0085 are inside a JSON string, not ends of lines
    {"id": "separateur-9", "title": "Séparateurs",
     "paragraphs": ["Avant\u2028après la ligne\u0085et la suite des chanterelles."]},
    '{"id": "\\ud800", "paragraphs": ["Un identifiant que UTF-8 ne peut pas écrire."]}',
    {"id": "x" * 1000, "paragraphs": ["Un identifiant de mille caractères."]},
    # a lone surrogate in the text is dropped, the article kept
    '{"id": "surrogat-12", "paragraphs": ["Les chrysanthèmes \\udc80 fleurissent."]}',
)
GOOD_FILES = {
    # Windows-1252: ’ is 0x92, œ 0x9c, « » 0xab 0xbb, – 0x96
    "latin.txt": "Un élève à l’école\n\nL’élève étudie la géographie avec cœur « toujours » –"
                 " même le soir.\n".encode("cp1252"),
    "iso.txt": "Réunion à Genève\n\nLes délégués se sont réunis à Genève jeudi.\n"
               .encode("latin-1"),
    "notepad.txt": "Note du préfet\n\nLe préfet a ordonné la fermeture des écoles.\n"
                   .encode("utf-16"),
    "bom-crlf.txt": "\ufeffTitre Windows\r\n\r\nLes cigognes reviennent en Alsace.\r\n".encode(),
    # cut in the middle of the "é" of "sécheresse": one damaged byte in UTF-8
    "cut.txt": "Alerte sécheresse\n\nLa préfecture limite l’arrosage des jardins "
               "pendant la sécheresse".encode()[:-9],
}


@pytest.fixture(scope="module")
def messy(tmp_path_factory):
    """A folder of good and bad inputs, and the passages its good ones hold."""
    root = tmp_path_factory.mktemp("messy")
    folder = root / "articles"
    good = root / "good-only"
    shutil.copytree(frsearch.seeds_dir(), folder)
    shutil.copytree(frsearch.seeds_dir(), good)
    for name, (data, _reason) in BAD.items():
        (folder / name).write_bytes(data)
    big = "Un paragraphe géant\n\n" + _big_paragraph(3) + " Fin du texte zygomatique.\n"
    for name, data in {**GOOD_FILES, "big.txt": big.encode()}.items():
        (folder / name).write_bytes(data)
        (good / name).write_bytes(data)
    (folder / "feed.jsonl").write_text(FEED, encoding="utf-8")
    (good / "feed.jsonl").write_text(
        "".join(FEED.split("\n")[i] + "\n" for i in (0, 2, 8, 11)), encoding="utf-8")
    articles = list(frsearch.read_articles([good]))
    return folder, articles


def test_cli_indexes_every_good_article_and_names_every_bad_file(messy, cli, tmp_path):
    folder, articles = messy
    index_dir = tmp_path / "index"
    done = cli("index", str(folder), "--index", str(index_dir))
    assert done.returncode == 1, done.stderr  # some input was skipped
    assert "Traceback" not in done.stderr
    # the cut giant paragraph is a notice, "nothing skipped", however it is introduced
    assert "big.txt: nothing skipped: a passage of article 'big'" in done.stderr
    skipped = [line for line in done.stderr.splitlines()
               if line.startswith("frsearch: skipped") and "nothing skipped" not in line]
    for name, (_data, reason) in BAD.items():
        assert any(f"/{name}: {reason}" in line for line in skipped), (name, skipped)
    for where, reason in BAD_LINES.items():
        assert any(f"/{where}: {reason}" in line for line in skipped), (where, skipped)
    assert len(skipped) == len(BAD) + len(BAD_LINES)  # nothing good was skipped
    assert f"{len(articles)} articles read" in done.stderr

    stats = json.loads(cli("stats", "--index", str(index_dir), "--json").stdout)
    assert stats["articles"] == len(articles) == 5 + len(GOOD_FILES) + 1 + 4
    assert stats["passages"] == sum(len(article.passages) for article in articles)


@pytest.fixture(scope="module")
def messy_index(messy, tmp_path_factory):
    folder, _articles = messy
    index = frsearch.open_index(tmp_path_factory.mktemp("messy-index") / "ix", create=True)
    report = index.add([folder])
    yield index, report
    index.close()


def test_library_reports_the_same_problems(messy_index):
    _index, report = messy_index
    sources = {problem.source.rsplit("/", 1)[-1] for problem in report.problems
               if problem.skipped}
    assert sources == set(BAD) | set(BAD_LINES)
    notices = [problem for problem in report.problems if not problem.skipped]
    assert [notice.source.rsplit("/", 1)[-1] for notice in notices] == ["big.txt"]


@pytest.mark.parametrize("query", ["élève", "eleve", "ELEVE", "cœur", "coeur"])
def test_windows_1252_file_is_decoded(messy_index, query):
    index, _ = messy_index
    texts = {hit.text for hit in index.search(query).hits if hit.article_id == "latin"}
    assert "L’élève étudie la géographie avec cœur « toujours » – même le soir." in texts


@pytest.mark.parametrize(("query", "article"), [
    ("Genève délégués", "iso"),           # Latin-1
    ("préfet fermeture", "notepad"),      # UTF-16 with a byte order mark
    ("cigognes Alsace", "bom-crlf"),      # UTF-8 BOM, CRLF line ends
    ("préfecture arrosage", "cut"),       # UTF-8 with a damaged last character
    ("taux directeurs", "bce-1"),         # the JSON line before the malformed one
    ("glaciers alpins", "climat-2"),      # the JSON line after it
    ("chanterelles", "separateur-9"),     # U+2028 inside a JSON string
    ("chrysanthèmes", "surrogat-12"),     # a lone surrogate in a JSON string
    ("zygomatique", "big"),               # the end of a 3 MB paragraph
])
def test_every_good_article_is_found(messy_index, query, article):
    index, _ = messy_index
    hits = index.search(query).hits
    assert hits and hits[0].article_id == article
    assert "Ã" not in hits[0].text and "\ufffd" not in hits[0].text[:-1]


def test_header_of_a_file_in_utf16_or_with_bom_is_its_title(messy_index):
    index, _ = messy_index
    assert index.search("préfet").hits[0].title == "Note du préfet"
    assert index.search("cigognes").hits[0].title == "Titre Windows"


def test_giant_paragraph_is_cut_into_passages_and_its_end_found(messy, messy_index):
    index, _ = messy_index
    big = next(article for article in messy[1] if article.id == "big")
    last = big.passages[-1].number
    assert last > 100 and [p.number for p in big.passages] == list(range(last + 1))
    hit = index.search("zygomatique").hits[0]
    assert hit.passage_id == f"big:{last}" and len(hit.text) <= MAX_PASSAGE_CHARS
    assert hit.text.endswith("Fin du texte zygomatique.")
    assert len(hit.snippet) < 1000 and "<mark>zygomatique</mark>" in hit.snippet


def test_a_json_line_of_megabytes_is_read_holding_few_copies_of_it(tmp_path):
    """Reading a 5 MB line takes a few copies of it at the peak (the bytes,
    the text, the parsed text), and while the article is indexed only its
    passages are held: not the line, nor a copy per word."""
    source = tmp_path / "livre.jsonl"
    source.write_text(json.dumps({"id": "livre", "title": "Un livre en une ligne",
                                  "text": _big_paragraph(5)}, ensure_ascii=False) + "\n",
                      encoding="utf-8")
    size = source.stat().st_size
    tracemalloc.start()
    try:
        articles = frsearch.read_articles([source])
        article = next(articles)
        held = tracemalloc.get_traced_memory()[0]
        assert next(articles, None) is None
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(article.passages) > 200
    assert held < 3 * size, f"{held / size:.1f} times the line held while it is indexed"
    assert peak < 8 * size, f"{peak / size:.1f} times the line at the peak of reading it"


def test_nothing_readable_exits_2(cli, tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    for name, (data, _reason) in BAD.items():
        (folder / name).write_bytes(data)
    done = cli("index", str(folder), str(tmp_path / "missing.txt"),
               "--index", str(tmp_path / "ix"))
    assert done.returncode == 2, done.stderr
    assert "missing.txt: no such file or directory" in done.stderr
    assert "0 articles read" in done.stderr and "Traceback" not in done.stderr
    # a run that read nothing leaves no empty index behind (a mistyped path)
    assert not (tmp_path / "ix").exists() and "no index was made" in done.stderr
    # an index that was there stays as it was
    assert cli("index", "--index", str(tmp_path / "seeds")).returncode == 0
    again = cli("index", str(folder), "--index", str(tmp_path / "seeds"))
    assert again.returncode == 2 and "no index was made" not in again.stderr
    assert cli("query", "sanctions", "--index", str(tmp_path / "seeds")).returncode == 0


def test_folder_without_articles_is_reported(cli, tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "readme.md").write_text("# rien à indexer\n")
    done = cli("index", str(tmp_path / "notes"), "--index", str(tmp_path / "ix"))
    assert done.returncode == 2
    assert "notes: no *.txt, *.jsonl or *.html file in this folder" in done.stderr


def test_control_characters_never_reach_the_terminal(cli, tmp_path):
    source = tmp_path / "ansi.jsonl"
    source.write_text(_jsonl({"id": "ansi", "title": "Piège\u001b]0;titre\u0007",
                              "paragraphs": ["Attention \u001b[2J\u001b[31m rouge\u009b1m ici."]}))
    assert cli("index", str(source), "--index", str(tmp_path / "ix")).returncode == 0
    done = cli("query", "rouge", "--index", str(tmp_path / "ix"))
    assert done.returncode == 0 and "**rouge**" in done.stdout
    assert not any(ord(ch) < 32 and ch != "\n" or 0x7F <= ord(ch) < 0xA0 for ch in done.stdout)


@pytest.mark.parametrize(("data", "expected"), [
    ("élève".encode(), "élève"),
    ("élève".encode("cp1252"), "élève"),
    ("l’œuf".encode("cp1252"), "l’œuf"),
    ("élève".encode("utf-16"), "élève"),
    (codecs.BOM_UTF16_BE + "élève".encode("utf-16-be"), "élève"),
    ("Un élève, une élève, des él".encode() + "è".encode()[:1],
     "Un élève, une élève, des él\ufffd"),
])
def test_decode_bytes(data, expected):
    assert decode_bytes(data) == expected


@pytest.mark.parametrize("data", [b"\x00" * 10, b"ab\x00cd", bytes(range(1, 32)) * 10,
                                  "élève".encode("utf-32")])
def test_decode_bytes_refuses_what_is_not_text(data):
    with pytest.raises(ValueError, match="binary"):
        decode_bytes(data)


def test_frequent_word_in_a_giant_paragraph_is_highlighted(tmp_path, time_limit):
    source = tmp_path / "big.txt"
    source.write_text("Titre\n\n" + "Le gouvernement a annoncé des mesures. " * 40_000 + "\n",
                      encoding="utf-8")
    with frsearch.open_index(tmp_path / "ix", create=True) as index:
        index.add([source])
        with time_limit(HANG):
            hit = index.search("gouvernement").hits[0]
    assert hit.snippet.count("<mark>") >= 1 and len(hit.snippet) < 1000


def test_paragraph_holding_a_megabyte_long_word_is_indexed(tmp_path, time_limit):
    rng = random.Random(2)
    blob = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
                   for _ in range(1_000_000))
    source = tmp_path / "inline-image.txt"
    source.write_text(f"Photo du jour\n\nLégende de la photo. data:image/png;base64,{blob}\n")
    with frsearch.open_index(tmp_path / "ix", create=True) as index, time_limit(HANG):
        index.add([source])
        assert index.search("légende").hits[0].article_id == "inline-image"


def test_each_problem_names_its_place_and_a_file_given_twice_is_read_once(tmp_path, cli_main):
    """A duplicated JSON id names both lines; a file given both alone and
    through its folder is no problem; a symbolic link loop is called one."""
    folder = tmp_path / "dépêches"
    folder.mkdir()
    (folder / "flux.jsonl").write_text(_jsonl(
        {"id": "a", "title": "Premier", "paragraphs": ["Les cigognes reviennent."]},
        {"id": "b", "title": "Deuxième", "paragraphs": ["Les hirondelles aussi."]},
        {"id": "a", "title": "Doublon", "paragraphs": ["Les grues passent."]},
        '{"id": "c", "paragraphs": ["coupé\u0001"]}'),  # a raw control character
        encoding="utf-8")
    (folder / "boucle-1.txt").symlink_to("boucle-2.txt")
    (folder / "boucle-2.txt").symlink_to("boucle-1.txt")
    done = cli_main("index", str(folder), str(folder / "flux.jsonl"),
                    "--index", str(tmp_path / "ix"))
    problems = sorted(line for line in done.stderr.splitlines() if "skipped" in line)
    assert problems == [
        f"frsearch: skipped {folder / 'boucle-1.txt'}: symbolic link loop",
        f"frsearch: skipped {folder / 'boucle-2.txt'}: symbolic link loop",
        f"frsearch: skipped {folder / 'flux.jsonl'}:3: article id 'a' already read from "
        f"{folder / 'flux.jsonl'}:1",
        f"frsearch: skipped {folder / 'flux.jsonl'}:4: invalid JSON (Invalid control "
        "character at column 34)",
    ]
    assert "2 articles read: 2 added" in done.stderr
