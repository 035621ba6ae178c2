"""Typing without accents: does a word typed plain find what it finds accented?

Samples accented words of a corpus (distinct words as written, seeded), and
for each compares frsearch's top 10 for the word as written and for it typed
without accents (``unidecode``, lowercase). Reports the share of words whose
two top 10 are the same passages in the same order, the share with the same
set, and the words the plain spelling finds nothing for while the accented
one finds passages (which must never happen).

    python benchmarks/accents.py --corpus 10mb --words 200
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # noqa: E402
from measure import provenance  # noqa: E402
from unidecode import unidecode  # noqa: E402

import frsearch  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
_WORD = re.compile(r"[^\W\d_]{4,}")


def accented_words(path: Path, count: int, seed: int) -> list[str]:
    """``count`` distinct accented words of the corpus, drawn at random."""
    words: set[str] = set()
    for passage in corpus.read_passages(path):
        words.update(word.lower() for word in _WORD.findall(passage.text)
                     if not word.isascii())
    return random.Random(seed).sample(sorted(words), min(count, len(words)))


def top_ids(index, query: str) -> list[str]:
    return [hit.passage_id for hit in index.search(query, limit=10, collapse=False).hits]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default="10mb", choices=corpus.CORPORA)
    parser.add_argument("--words", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--index", type=Path, help="reuse this index of the corpus")
    args = parser.parse_args()
    source = corpus.corpus_path(args.corpus)
    folder = args.index or Path(tempfile.mkdtemp(prefix="frsearch-accents-")) / "index"
    index = frsearch.open_index(folder, create=True)
    if index.stats().passages == 0:
        index.add([source])
    same_order = same_set = 0
    lost, differ = [], []
    words = accented_words(source, args.words, args.seed)
    for word in words:
        written, plain = top_ids(index, word), top_ids(index, unidecode(word).lower())
        same_order += written == plain
        same_set += set(written) == set(plain)
        if written and not plain:
            lost.append(word)
        elif written != plain:
            differ.append(word)
    index.close()
    result = {
        "provenance": provenance(),
        "corpus": args.corpus,
        "words": len(words),
        "same_top10_order": round(same_order / len(words), 3),
        "same_top10_set": round(same_set / len(words), 3),
        "plain_finds_nothing": lost,
        "differ": differ,
    }
    (RESULTS / f"accents-{args.corpus}.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(words)} accented words of {args.corpus}: same top 10 typed without accents "
          f"{same_order}/{len(words)} ({same_order / len(words):.1%}), same set "
          f"{same_set}/{len(words)}; plain finds nothing for {len(lost)}: {lost[:10]}")
    print(f"differ: {differ[:20]}")


if __name__ == "__main__":
    main()
