"""The corpora a benchmark runs on, and the passages every engine indexes.

``seeds``: frsearch's five seed articles; ``10mb``: the first 10 MB of text of the
Littré; ``full``: the whole Littré (see ``littre``). Each is one JSON Lines file,
built on first use in ``benchmarks/data/``, so that every engine reads the same
input. The peers index exactly the passages frsearch makes of it: the headline
as passage 0, then one passage per paragraph.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import littre

DATA = Path(__file__).resolve().parent / "data"
CORPORA = ("seeds", "10mb", "full")
SLICE_TEXT_BYTES = 10_000_000


@dataclass(frozen=True, slots=True)
class Passage:
    passage_id: str
    title: str
    text: str


@dataclass(frozen=True, slots=True)
class CorpusStats:
    """What a corpus holds; ``text_bytes`` (UTF-8 of every passage) is what MB/s counts."""

    name: str
    path: str
    articles: int
    passages: int
    text_bytes: int
    file_bytes: int


def _write_seeds(target: Path) -> None:
    """The seed articles as frsearch reads them, written out as JSON Lines."""
    import frsearch

    with target.open("w", encoding="utf-8") as out:
        for article in frsearch.read_articles([frsearch.seeds_dir()]):
            body = [p.text for p in article.passages if p.kind != "headline"]
            record = {"id": article.id, "title": article.title, "paragraphs": body}
            if article.date:
                record["date"] = article.date
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def corpus_path(name: str, data: Path = DATA) -> Path:
    """The JSON Lines file of corpus ``name``, built if it is not there yet."""
    data.mkdir(parents=True, exist_ok=True)
    target = data / f"{name}.jsonl"
    if target.exists():
        return target
    if name == "seeds":
        _write_seeds(target)
    elif name == "full":
        print("building the Littré corpus (once)…", flush=True)
        littre.write_full_corpus(data, target)
    elif name == "10mb":
        littre.write_slice(corpus_path("full", data), target, SLICE_TEXT_BYTES)
    else:
        raise ValueError(f"unknown corpus {name!r}; choose one of {', '.join(CORPORA)}")
    return target


def read_passages(path: Path) -> Iterator[Passage]:
    """Passages of a JSON Lines corpus, numbered as frsearch numbers them."""
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            record = json.loads(line)
            title = record.get("title") or ""
            texts = [title] if title else []
            texts += [p for p in record["paragraphs"] if p.strip()]
            first = 0 if title else 1
            for number, text in enumerate(texts, start=first):
                yield Passage(f"{record['id']}:{number}", title, text)


def corpus_stats(name: str, path: Path) -> CorpusStats:
    articles = set()
    passages = text = 0
    for passage in read_passages(path):
        articles.add(passage.passage_id.rsplit(":", 1)[0])
        passages += 1
        text += len(passage.text.encode("utf-8"))
    return CorpusStats(name, str(path), len(articles), passages, text, path.stat().st_size)
