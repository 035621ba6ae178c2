"""A small newsroom archive in French, as JSON Lines with metadata (source,
author, tags, url) and dates written whole, by month, by year or not at all:
what the filter, paging, facet and article-grouping tests search. Two
articles carry the same wire paragraph, one word apart."""

from __future__ import annotations

import json
from pathlib import Path

import frsearch

WIRE = ("Les États-Unis et leurs alliés européens préparent des sanctions contre les banques "
        "russes et le secteur de l’énergie, a indiqué un haut responsable de "
        "l’administration américaine sous le couvert de l’anonymat.")
WIRE_COPY = WIRE.replace("a indiqué un", "a indiqué jeudi un")

ARTICLES = [
    {"id": "lemonde-1", "date": "2021-12-07", "source": "lemonde", "author": "Piotr Smolar",
     "tags": ["Russie", "Ukraine"], "url": "https://www.lemonde.fr/1",
     "title": "Biden menace Poutine de sanctions économiques",
     "paragraphs": [
         "Le président américain a averti son homologue russe que Washington imposerait "
         "des sanctions économiques sévères en cas d’invasion de l’Ukraine.",
         "L’entretien par visioconférence a duré deux heures, selon la Maison Blanche.",
         WIRE]},
    {"id": "liberation-1", "date": "2021-12-08", "source": "Libération", "author": "Jean Dupont",
     "tags": ["Ukraine"],
     "title": "Ce que prépare l’Union européenne",
     "paragraphs": [
         "Les Vingt-Sept discutent d’un nouveau train de sanctions visant des proches du "
         "Kremlin.",
         WIRE_COPY]},
    {"id": "afp-1", "date": "2021-12", "source": "afp", "author": "Jean Dupont",
     "tags": ["Russie"],
     "title": "Moscou dénonce des menaces",
     "paragraphs": [
         "Le Kremlin a qualifié les sanctions envisagées de chantage et promis une réponse "
         "ferme."]},
    {"id": "lemonde-2", "date": "2022-01-15", "source": "lemonde", "tags": ["économie"],
     "title": "L’inflation atteint un record en zone euro",
     "paragraphs": [
         "Les prix à la consommation ont augmenté de 5 % sur un an, tirés par l’énergie.",
         "La Banque centrale européenne se dit prête à agir si les sanctions contre la "
         "Russie font encore monter les prix du gaz."]},
    {"id": "lemonde-3", "date": "2021", "source": "lemonde",
     "title": "Bilan de l’année diplomatique",
     "paragraphs": [
         "Les sanctions ont été l’outil préféré des chancelleries occidentales tout au long "
         "de l’année."]},
    {"id": "figaro-1", "source": "lefigaro", "author": "Marie Martin",
     "title": "Des mesures efficaces ?",
     "paragraphs": [
         "Plusieurs économistes doutent de l’efficacité des sanctions face à une économie "
         "russe habituée à l’isolement."]},
    {"id": "liberation-2", "date": "2021-06-16", "source": "Libération",
     "title": "Le sommet de Genève",
     "paragraphs": [
         "Joe Biden et Vladimir Poutine se sont rencontrés à Genève pour leur premier sommet.",
         "Aucune sanction nouvelle n’a été annoncée à l’issue de la rencontre."]},
]
DATES = {article["id"]: article.get("date") for article in ARTICLES}


def write_jsonl(path: Path, articles: list[dict]) -> Path:
    path.write_text("".join(json.dumps(article, ensure_ascii=False) + "\n"
                            for article in articles), encoding="utf-8")
    return path


def newsroom_index(folder: Path, articles: list[dict] = ARTICLES) -> frsearch.Index:
    """An index of ``articles`` (by default the archive above) in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    index = frsearch.open_index(folder / "index", create=True)
    index.add([write_jsonl(folder / "archive.jsonl", articles)])
    return index


def article_ids(result) -> set[str]:
    return {hit.article_id for hit in result.hits}
