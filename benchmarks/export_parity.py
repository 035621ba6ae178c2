"""The exported analyzer against ``frsearch.analyze`` on 10 MB of the Littré.

    .venv/bin/python benchmarks/export_parity.py [--corpus benchmarks/data/10mb.jsonl]

Every passage (and title) of the corpus is analysed by frsearch and by Lucene's
own filters built from the export's settings (``tests/lucene``), and the token
streams are compared: the share of passages with the same terms at the same
positions, and with the same character spans too. Three runs:

* ``exported``: the settings as ``frsearch export`` writes them for this corpus
  (its ``frsearch_known_words`` built from these passages);
* ``no_word_overrides``: the same without ``frsearch_known_words``, which shows
  what the engine's own Snowball and ASCII folding do differently;
* ``held_out``: the overrides built from the even-numbered articles, measured on
  the odd-numbered ones: passages written after the export, or words never seen.

Writes ``benchmarks/results/export_parity.json``. Needs Java and Debian's
``liblucene8-java`` (installed, or unpacked by ``benchmarks/relevance``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "lucene"))

import parity  # noqa: E402

from frsearch import analysis, read_articles  # noqa: E402
from frsearch.export import index_definition, synonym_rules, word_overrides  # noqa: E402


def corpus_passages(path: Path) -> list[tuple[int, str, str]]:
    """(article number, id, text) of every passage, and of each distinct heading."""
    passages = []
    for number, article in enumerate(read_articles([path])):
        headings = set()
        for passage in article.passages:
            passages.append((number, f"{article.id}:{passage.number}", passage.text))
            if passage.heading and passage.heading not in headings:
                headings.add(passage.heading)
                passages.append((number, f"{article.id}:{passage.number}/heading",
                                 passage.heading))
    return passages


def run(classpath: str, folder: Path, name: str, overrides: dict[str, str] | None,
        passages: list[tuple[str, str]]) -> dict:
    definition = folder / f"{name}.json"
    definition.write_text(json.dumps(index_definition("opensearch", synonym_rules(),
                                                      len(passages), overrides)))
    started = time.monotonic()
    tokens = parity.lucene_tokens(classpath, definition, "frsearch_french", passages)
    lucene_seconds = time.monotonic() - started
    result = parity.compare(passages, tokens).to_dict()
    result["overrides"] = len(overrides or {})
    result["lucene_seconds"] = round(lucene_seconds, 1)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=HERE / "data" / "10mb.jsonl")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "export_parity.json")
    args = parser.parse_args()
    if not args.corpus.exists():
        print(f"no corpus at {args.corpus}: run benchmarks/littre.py first", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="export-parity-") as name:
        folder = Path(name)
        try:
            classpath = parity.compile_runner(folder)
        except parity.Unavailable as missing:
            print(f"cannot compare: {missing}", file=sys.stderr)
            return 2
        numbered = corpus_passages(args.corpus)
        passages = [(passage_id, text) for _, passage_id, text in numbered]
        texts = [analysis.normalize(text) for _, text in passages]
        overrides = word_overrides(texts)
        even = word_overrides(analysis.normalize(text) for number, _, text in numbered
                              if number % 2 == 0)
        odd = [(passage_id, text) for number, passage_id, text in numbered if number % 2]
        results = {
            "corpus": str(args.corpus.relative_to(HERE.parent)
                          if args.corpus.is_relative_to(HERE.parent) else args.corpus),
            "corpus_bytes": args.corpus.stat().st_size,
            "lucene_jars": [jar.name for jar in parity.lucene_jars()],
            "java": subprocess.run(["java", "-version"], capture_output=True,
                                   text=True).stderr.splitlines()[0],
            "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE,
                                     capture_output=True, text=True).stdout.strip(),
            "exported": run(classpath, folder, "exported", overrides, passages),
            "no_word_overrides": run(classpath, folder, "bare", None, passages),
            "held_out": run(classpath, folder, "held-out", even, odd),
        }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n",
                        encoding="utf-8")
    for run_name in ("exported", "no_word_overrides", "held_out"):
        figures = results[run_name]
        print(f"{run_name:18} {figures['same_terms_and_positions']:>6,} / "
              f"{figures['passages']:,} passages the same "
              f"({100 * figures['share_same_terms_and_positions']:.2f} %), "
              f"with spans {100 * figures['share_same_with_offsets']:.2f} %; "
              f"{figures['overrides']:,} word overrides")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
