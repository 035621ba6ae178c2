"""Web pages in (issue 12, problem 9): ``.html`` and ``.htm`` files, in folders
or named, and JSON Lines' ``"html"``, are indexed by their main text, title,
date and author; menus, sidebars, footers, scripts and markup never are."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import frsearch
from frsearch.articles import parse_html_article

PAGE = """<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<title>Sommet virtuel : Biden menace Poutine de « fortes sanctions » – Le Quotidien</title>
<meta name="author" content="Claire Martin">
<link rel="stylesheet" href="/static/site.css">
<script>window.dataLayer = [{"rubrique": "international", "gabarit": "div class"}];</script>
<style>div.publicite { display: none } .menu li { float: left }</style>
</head>
<body>
<header class="bandeau">
  <a class="logo" href="/">Le Quotidien</a>
  <nav class="menu"><ul>
    <li><a href="/">Accueil</a></li><li><a href="/international">International</a></li>
    <li><a href="/economie">Économie</a></li><li><a href="/abonnement">S'abonner</a></li>
  </ul></nav>
</header>
<main>
<article>
  <h1>Sommet virtuel : Biden menace Poutine de « fortes sanctions »</h1>
  <p class="signature">Par <span class="auteur">Claire Martin</span>, publié le
    <time datetime="2021-12-07T18:30:00+01:00">7 décembre 2021 à 18 h 30</time></p>
  <p>Le président américain a averti mardi son homologue russe que Washington prendrait
    des sanctions économiques sévères en cas d'invasion de l'Ukraine.</p>
  <p>Pendant plus de deux heures, les deux dirigeants ont échangé par visioconférence,
    sans parvenir à réduire les tensions à la frontière ukrainienne.</p>
  <h2>Moscou dément</h2>
  <p>Le Kremlin dément toute intention d'attaquer son voisin et réclame des garanties
    sur l'élargissement de l'Otan vers l'est.</p>
  <p>Les Européens, eux, se disent prêts à suivre Washington si la Russie franchit
    les « lignes rouges » fixées par les Occidentaux.</p>
</article>
<aside class="barre-laterale">
  <h2>Les plus lus</h2>
  <ul><li><a href="/inflation">Inflation : les prix flambent en zone euro</a></li>
      <li><a href="/greve">Grève à la SNCF ce week-end</a></li></ul>
  <div class="publicite">Abonnez-vous pour 1 € le premier mois</div>
</aside>
</main>
<footer><p>© Le Quotidien 2021 – Mentions légales – Politique de cookies – Nous contacter</p>
</footer>
<script>document.querySelectorAll("div.publicite").forEach(function (e) { e.remove(); });</script>
</body>
</html>
"""

PARAGRAPHS = [
    "Le président américain a averti mardi son homologue russe que Washington prendrait "
    "des sanctions économiques sévères en cas d'invasion de l'Ukraine.",
    "Pendant plus de deux heures, les deux dirigeants ont échangé par visioconférence, "
    "sans parvenir à réduire les tensions à la frontière ukrainienne.",
    "Moscou dément",
    "Le Kremlin dément toute intention d'attaquer son voisin et réclame des garanties "
    "sur l'élargissement de l'Otan vers l'est.",
    "Les Européens, eux, se disent prêts à suivre Washington si la Russie franchit "
    "les « lignes rouges » fixées par les Occidentaux.",
]
TITLE = "Sommet virtuel : Biden menace Poutine de « fortes sanctions »"
BOILERPLATE = ["Accueil", "S'abonner", "Les plus lus", "Inflation", "Grève", "Abonnez-vous",
               "Mentions légales", "cookies", "dataLayer", "querySelectorAll", "publicite",
               "float", "<", ">", "Par ,", "publié le"]

EMPTY_PAGE = """<!DOCTYPE html><html lang="fr"><head><title>Le Quotidien – Menu</title>
<script>var rubriques = ["international", "economie"];</script></head>
<body><nav><a href="/">Accueil</a> <a href="/sport">Sport</a> <a href="/meteo">Météo</a></nav>
</body></html>
"""

BRIEF = """<html><head><meta charset="windows-1252"><title>Brève – Le Quotidien</title></head>
<body><nav><a href="/">Accueil</a> | <a href="/region">Région</a></nav>
<article><h1>Neige : le préfet ferme les écoles</h1>
<p>En raison des chutes de neige, le préfet de Savoie a décidé de fermer les écoles
du département jeudi et vendredi.</p>
<p>Les transports scolaires sont également suspendus jusqu'à nouvel ordre.</p></article>
<footer>Tous droits réservés</footer></body></html>
"""


@pytest.fixture
def pages(tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "sommet.html").write_text(PAGE, encoding="utf-8")
    (folder / "neige.htm").write_bytes(BRIEF.encode("cp1252"))  # an old site's encoding
    return folder


def test_a_news_page_gives_its_main_text_title_date_and_author():
    article = parse_html_article(PAGE, "sommet", "sommet.html")
    assert article.title == TITLE
    assert article.date == "2021-12-07"
    assert article.meta == {"author": "Claire Martin"}
    assert [(p.number, p.kind, p.text) for p in article.passages] == [
        (0, "headline", TITLE),
        *((number, "heading" if text == "Moscou dément" else "paragraph", text)
          for number, text in enumerate(PARAGRAPHS, start=1))]
    assert [p.heading for p in article.passages[3:]] == [None, "Moscou dément", "Moscou dément"]
    every_text = " ".join(p.text for p in article.passages)
    for furniture in BOILERPLATE:
        assert furniture not in every_text, furniture


def test_a_folder_of_pages_is_indexed_and_found_by_its_words(pages, tmp_path, cli_main):
    index = str(tmp_path / "ix")
    done = cli_main("index", str(pages), "--index", index)
    assert done.returncode == 0, done.stderr
    assert "2 articles read: 2 added" in done.stderr
    assert cli_main("query", "div class", "--index", index).returncode == 1  # nothing found
    for furniture in ("Accueil", "dataLayer", "cookies", "Abonnez-vous", "SNCF"):
        found = json.loads(cli_main("query", furniture, "--json", "--index", index).stdout)
        assert found["total"] == 0, furniture
    found = json.loads(cli_main("query", "visioconférence", "--json", "--index", index).stdout)
    [hit] = found["hits"]
    assert (hit["article_id"], hit["title"], hit["date"]) == ("sommet", TITLE, "2021-12-07")
    assert hit["text"] == PARAGRAPHS[1] and hit["meta"] == {"author": "Claire Martin"}
    assert [hit["text"][start:end] for start, end in hit["matches"]] == ["visioconférence"]
    found = json.loads(cli_main("query", "Washington", "--json", "--index", index).stdout)
    assert {hit["text"] for hit in found["hits"]} == {PARAGRAPHS[0], PARAGRAPHS[4]}
    for hit in found["hits"]:
        assert [hit["text"][start:end] for start, end in hit["matches"]] == ["Washington"]
    found = json.loads(cli_main("query", "garanties Otan", "--json", "--index", index).stdout)
    assert found["hits"][0]["heading"] == "Moscou dément"
    assert [found["hits"][0]["text"][start:end] for start, end in found["hits"][0]["matches"]] \
        == ["garanties", "Otan"]
    found = json.loads(cli_main("query", "préfet écoles", "--json", "--index", index).stdout)
    assert found["hits"][0]["article_id"] == "neige"
    assert found["hits"][0]["title"] == "Neige : le préfet ferme les écoles"


def test_a_page_named_on_the_command_line_has_the_pages_title(pages, tmp_path, cli_main):
    index = str(tmp_path / "ix")
    done = cli_main("index", str(pages / "sommet.html"), "--index", index)
    assert done.returncode == 0, done.stderr
    found = json.loads(cli_main("query", "sanctions", "--json", "--index", index).stdout)
    assert {hit["title"] for hit in found["hits"]} == {TITLE}
    assert "sommet:0" in {hit["passage_id"] for hit in found["hits"]}  # the title, a passage


def test_a_page_without_text_is_reported_and_the_rest_indexed(pages, tmp_path, cli_main):
    (pages / "menu.html").write_text(EMPTY_PAGE, encoding="utf-8")
    index = str(tmp_path / "ix")
    done = cli_main("index", str(pages), "--index", index)
    assert done.returncode == 1  # something skipped
    assert (f"frsearch: skipped {pages / 'menu.html'}: no main text found in this page "
            "(only navigation, scripts or markup)") in done.stderr
    assert "2 articles read: 2 added" in done.stderr
    found = json.loads(cli_main("query", "Météo", "--json", "--index", index).stdout)
    assert found["total"] == 0


def test_html_in_json_lines(tmp_path):
    feed = tmp_path / "pages.jsonl"
    records = [
        {"id": "sommet", "url": "https://lequotidien.example/sommet", "html": PAGE},
        {"id": "neige", "title": "Alerte neige en Savoie", "date": "2021-12-09",
         "author": "Rédaction", "html": BRIEF},
        {"id": "menu", "html": EMPTY_PAGE},
        {"id": "liste", "html": ["<p>pas une page</p>"]},
    ]
    feed.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")
    problems = []
    articles = {a.id: a for a in frsearch.read_articles([feed], problems.append)}
    assert [(p.source, p.reason) for p in problems] == [
        (f"{feed}:3", "no main text found in this page (only navigation, scripts or markup)"),
        (f"{feed}:4", '"html" must be a string, not a list')]
    sommet, neige = articles["sommet"], articles["neige"]
    assert (sommet.title, sommet.date) == (TITLE, "2021-12-07")
    assert sommet.meta == {"url": "https://lequotidien.example/sommet", "author": "Claire Martin"}
    assert [p.text for p in sommet.passages[1:]] == PARAGRAPHS
    # what the record says wins over what the page says
    assert (neige.title, neige.date, neige.meta) == (
        "Alerte neige en Savoie", "2021-12-09", {"author": "Rédaction"})
    assert [p.text for p in neige.passages] == [
        "Alerte neige en Savoie",
        "En raison des chutes de neige, le préfet de Savoie a décidé de fermer les écoles du "
        "département jeudi et vendredi.",
        "Les transports scolaires sont également suspendus jusqu'à nouvel ordre."]
    with frsearch.open_index(tmp_path / "ix", create=True) as index:
        index.add([feed])
        hit = index.search("Kremlin").hits[0]
        assert (hit.article_id, hit.text) == ("sommet", PARAGRAPHS[3])
        assert index.search("html").total == 0 and index.search("Accueil").total == 0


def test_a_search_never_imports_the_extractor(seed_index_folder):
    """trafilatura takes a third of a second to import: only reading a page
    does."""
    code = ("import sys; from frsearch.cli import main; "
            f"main(['query', 'sanctions', '--index', {str(seed_index_folder)!r}]); "
            "print('imported' if 'trafilatura' in sys.modules else 'not imported')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.stdout.splitlines()[-1] == "not imported", done.stderr
