"""The exported analyzer, built by Lucene's own factories as OpenSearch and
Elasticsearch build it (``tests/lucene/AnalyzeWithSettings.java``), gives the
terms and positions ``frsearch.analyze`` gives: on the seeds and on French
sentences chosen for what French analysis gets wrong (elisions with either
apostrophe, numbers with group separators, hyphenated names, invisible
characters, function words, words whose stem changed between Snowball releases,
Greek and Cyrillic words). Needs Java and Debian's ``liblucene8-java``; skipped,
saying which is missing, otherwise. ``benchmarks/export_parity.py`` runs the
same comparison on 10 MB of the Littré."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

import frsearch
from frsearch.export import export_opensearch
from frsearch.synonyms import load_synonyms

sys.path.insert(0, str(Path(__file__).parent / "lucene"))
import parity  # noqa: E402

SENTENCES = [
    "L’Ukraine a reçu jusqu’à 13 000 obus, d'après l'état-major ; qu’il s’agisse d’Odessa "
    "ou de Kiev.",
    "Aujourd’hui, les États-Unis et l’OTAN ont livré 1.234.567 cartouches et 13’000 casques.",
    "Le gouver\u00adnement a nié l\u200b’évidence : c’est une mauvaise nouvelle pour le palais.",
    "Les genoux à terre, les bijoux et les cailloux de la Française ne valent rien.",
    "Une politique archaïque et naïve, aiguë et héroïque, dit le poëte à Noël.",
    "L'entrée des moines se fit contre la contrée, après la durée du désir.",
    "Le mot grec λόγος et le russe Москва figurent dans l’étymologie.",
    "Il a été élu en 2014 avec 52,3 % des voix, 3,14 fois plus qu’en 2009.",
    "Moscou a démenti ; le Kremlin nie toute implication, selon Dmitri Peskov.",
    "« Nous n’avons pas d’autre choix », a déclaré Volodymyr Zelensky à Kyïv.",
    "Les ministres de l’Union européenne se réunissent à Bruxelles ; l’ONU s’inquiète.",
    "Quoiqu’il en soit, lorsqu’on parle de l’Élysée, puisqu’il faut y aller…",
    "L\u2018ambassade et l\u02bcarmée: deux apostrophes rares, ŒUVRE et cœur, Straße.",
    "Ça va très vite, trop vite : déjà là, voilà tout, malgré tout, plutôt tôt.",
    "Les Français mangent des fouilloux et des choux ; il biaisait, il niait, ils nièrent.",
]


@pytest.fixture(scope="module")
def runner(tmp_path_factory):
    try:
        return parity.compile_runner(tmp_path_factory.mktemp("lucene-runner"))
    except parity.Unavailable as missing:
        pytest.skip(f"the Lucene comparison needs Java and Lucene: {missing}")


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """The seeds and the sentences above, indexed and exported."""
    folder = tmp_path_factory.mktemp("lucene-export")
    (folder / "phrases.txt").write_text("Phrases de contrôle\n\n" + "\n\n".join(SENTENCES),
                                        encoding="utf-8")
    with frsearch.open_index(folder / "index", create=True) as index:
        index.add([frsearch.seeds_dir(), folder / "phrases.txt"])
    export_opensearch(folder / "index", folder / "out")
    return folder / "out"


def _passages(out: Path) -> list[tuple[str, str]]:
    """(id, text) of every exported passage, read back from the bulk files."""
    passages = []
    for path in sorted(out.glob("bulk-*.ndjson")):
        for line in path.read_text(encoding="utf-8").splitlines()[1::2]:
            document = json.loads(line)
            passages.append((document["passage_id"], document["text"]))
            if document["heading"]:
                passages.append((document["passage_id"] + "/heading", document["heading"]))
    return passages


def test_lucene_gives_frsearch_terms_and_positions(runner, exported):
    passages = _passages(exported)
    assert len(passages) > 46 + len(SENTENCES) - 1
    tokens = parity.lucene_tokens(runner, exported / "index.json", "frsearch_french", passages)
    found = parity.compare(passages, tokens)
    assert found.kinds == {}, found.examples
    assert found.same_terms == found.passages
    # spans differ only where Lucene keeps an elided article in the word's span
    assert set(found.offset_kinds) <= {"elision: Lucene's span starts at the article"}


def test_without_the_word_overrides_snowball_releases_show(runner, exported, tmp_path):
    """What ``frsearch_known_words`` is for: Debian's Lucene 8 runs a Snowball
    older than 2.0, frsearch one of 3.x; and ASCII folding leaves Greek."""
    definition = json.loads((exported / "index.json").read_text())
    definition["settings"]["analysis"]["filter"]["frsearch_known_words"]["rules"] = []
    bare = tmp_path / "index.json"
    bare.write_text(json.dumps(definition))
    passages = [(str(n), text) for n, text in enumerate(SENTENCES)]
    found = parity.compare(passages, parity.lucene_tokens(runner, bare, "frsearch_french",
                                                          passages))
    assert set(found.kinds) == {
        "Snowball before 2.0: no diaeresis rules",
        "Snowball 3.0: -oux, -aise, -ais after al/auv/ni/épl",
        "script: unidecode transliterates, ASCII folding leaves non-Latin letters",
    }, found.examples
    assert found.same_terms < found.passages


def test_search_analyzer_expands_the_synonym_groups(runner, exported):
    """The synonym_graph filter, its rules parsed by the chain before it as the
    engines parse them, gives each group's variants as frsearch's groups do."""
    groups = load_synonyms()
    queries = ["Kyiv", "les USA", "Nations unies", "l’OTAN", "Poutine", "Biélorussie"]
    tokens = parity.lucene_tokens(runner, exported / "index.json", "frsearch_french_search",
                                  [(q, q) for q in queries])
    for query in queries:
        terms = tuple(frsearch.analyze(query))
        expected = {term for variant in groups.variants(terms) for term in variant}
        assert {token[0] for token in tokens[query]} == expected, query
