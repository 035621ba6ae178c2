"""Many passages that score alike: articles made of the seeds' sentences
shuffled, for the tests that compare two ways of ranking (the posting arrays
and Whoosh's matchers, kept tables and a fresh index, one writer process or
two) where ties and long posting lists show differences."""

from __future__ import annotations

import json
import random
from pathlib import Path

import frsearch


def seed_sentences() -> list[str]:
    """The seeds' sentences of more than three words, each ending with a full stop."""
    return [sentence.strip() + "."
            for article in frsearch.read_articles([frsearch.seeds_dir()])
            for passage in article.passages for sentence in passage.text.split(".")
            if len(sentence.split()) > 3]


def write_shuffled(out, count: int, paragraphs: int, seed: int, digits: int = 0) -> None:
    """``count`` JSON lines ``mix-<n>`` (``n`` written with ``digits`` digits at
    least), each of ``paragraphs`` pairs of seed sentences drawn with
    ``random.Random(seed)``, titled with one more."""
    sentences = seed_sentences()
    shuffle = random.Random(seed)
    for number in range(count):
        drawn = [" ".join(shuffle.sample(sentences, 2)) for _ in range(paragraphs)]
        out.write(json.dumps({"id": f"mix-{number:0{digits}}", "title": shuffle.choice(sentences),
                              "paragraphs": drawn}, ensure_ascii=False) + "\n")


def two_segment_index(root: Path, seed: int, added: str) -> Path:
    """An index in ``root / "index"`` of the seeds and 300 shuffled articles,
    then a second run that adds the paragraph ``added`` to one seed article:
    two segments, and deleted passages in the first."""
    with (root / "mixed.jsonl").open("w", encoding="utf-8") as out:
        write_shuffled(out, 300, 4, seed)
    seeds = root / "seeds"
    seeds.mkdir()
    for file in frsearch.seeds_dir().iterdir():
        (seeds / file.name).write_bytes(file.read_bytes())
    with frsearch.open_index(root / "index", create=True) as first:
        first.add([seeds, root / "mixed.jsonl"])
    changed = sorted(seeds.iterdir())[1]
    changed.write_text(changed.read_text(encoding="utf-8") + f"\n{added}\n", encoding="utf-8")
    with frsearch.open_index(root / "index") as second:
        assert second.add([seeds]).updated == 1
    return root / "index"
