"""The exported analyzer run by Lucene's own filters, compared with ``frsearch.analyze``.

``AnalyzeWithSettings.java`` builds the analyzer of an ``index.json`` from
Lucene's analysis factories, as OpenSearch and Elasticsearch do, and prints each
passage's tokens. This module finds Java and the Lucene jars, compiles the
runner into a temporary folder, runs it, and compares its tokens with frsearch's
passage by passage. Used by ``tests/test_export_lucene.py`` (the seeds and
French sentences) and ``benchmarks/export_parity.py`` (10 MB of the Littré).

Two comparisons: the terms and their positions (what matching, phrases and
proximity see: the figure that matters), and the same with the character
offsets. Lucene's elision filter keeps the elided article in the token's span
(``l'Ukraine`` from the ``l``), where frsearch starts it after the apostrophe;
frsearch computes highlights itself, so that difference costs nothing.
"""

from __future__ import annotations

import glob
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from frsearch import analysis

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "AnalyzeWithSettings.java"
REPOSITORY = HERE.parents[1]
JARS_ENV = "FRSEARCH_LUCENE_JARS"
JAR_FOLDERS = (
    "/usr/share/java",
    str(REPOSITORY / "benchmarks/data/unpacked/liblucene8-java_*/usr/share/java"),
)
"""Where the jars are looked for: Debian's ``liblucene8-java`` installed, or
unpacked by ``benchmarks/relevance`` (``FRSEARCH_LUCENE_JARS`` names another folder)."""


class Unavailable(Exception):
    """Java or the Lucene jars are missing: the message says what to install."""


def lucene_jars() -> list[Path]:
    """lucene-core and lucene-analyzers-common, from the first folder holding both."""
    folders = [os.environ[JARS_ENV]] if os.environ.get(JARS_ENV) else []
    for pattern in folders + list(JAR_FOLDERS):
        for folder in sorted(glob.glob(pattern)):
            jars = [sorted(Path(folder).glob(f"lucene-{part}-[0-9]*.jar"))
                    for part in ("core", "analyzers-common")]
            if all(jars):
                return [found[-1] for found in jars]
    raise Unavailable("no Lucene jars (apt-get install liblucene8-java, or set "
                      f"{JARS_ENV} to a folder holding lucene-core and lucene-analyzers-common)")


def compile_runner(into: Path, sources: tuple[Path, ...] = (SOURCE,)) -> str:
    """Compile the runner (or the runners of ``sources``) into ``into``
    (Unavailable without Java or Lucene); the classpath to run it with."""
    for tool in ("java", "javac"):
        if shutil.which(tool) is None:
            raise Unavailable(f"{tool} is not on this machine "
                              "(apt-get install openjdk-17-jdk-headless)")
    classpath = os.pathsep.join(str(jar) for jar in lucene_jars())
    done = subprocess.run(["javac", "-encoding", "UTF-8", "-cp", classpath, "-d", str(into),
                           *map(str, sources)], capture_output=True, text=True)
    if done.returncode != 0:
        names = " ".join(source.name for source in sources)
        raise RuntimeError(f"javac {names} failed: {done.stderr.strip()}")
    return os.pathsep.join([str(into), classpath])


def lucene_tokens(classpath: str, definition: Path, analyzer: str,
                  passages: Iterable[tuple[str, str]]) -> dict[str, list[list]]:
    """Passage id → its tokens by Lucene, ``[term, position, start, end, length]``."""
    with tempfile.TemporaryDirectory(prefix="frsearch-lucene-") as folder:
        given = Path(folder) / "passages.jsonl"
        with given.open("w", encoding="utf-8") as handle:
            for passage_id, text in passages:
                handle.write(json.dumps({"id": passage_id, "text": text}) + "\n")
        with given.open("rb") as stdin:
            done = subprocess.run(["java", "-Xmx512m", "-cp", classpath, "AnalyzeWithSettings",
                                   str(definition), analyzer], stdin=stdin,
                                  capture_output=True)
    if done.returncode != 0:
        raise RuntimeError(f"the Lucene runner failed: {done.stderr.decode()[-2000:]}")
    tokens = {}
    for line in done.stdout.decode("utf-8").splitlines():
        record = json.loads(line)
        tokens[record["id"]] = record["tokens"]
    return tokens


@dataclass
class Parity:
    """How many passages Lucene analyses as frsearch does, and the differences."""

    passages: int = 0
    same_terms: int = 0
    """Same terms at the same positions."""
    same_offsets: int = 0
    """Same terms, positions and character spans."""
    kinds: Counter = field(default_factory=Counter)
    """Kind of difference → differing tokens."""
    examples: dict = field(default_factory=dict)
    """Kind → a few (word, frsearch's term, Lucene's term)."""
    offset_kinds: Counter = field(default_factory=Counter)

    @property
    def share(self) -> float:
        return self.same_terms / self.passages if self.passages else 1.0

    def to_dict(self) -> dict:
        return {
            "passages": self.passages,
            "same_terms_and_positions": self.same_terms,
            "share_same_terms_and_positions": round(self.share, 5),
            "same_with_offsets": self.same_offsets,
            "share_same_with_offsets": round(
                self.same_offsets / self.passages if self.passages else 1.0, 5),
            "differing_tokens_by_kind": dict(self.kinds.most_common()),
            "examples": self.examples,
            "offset_differences_by_kind": dict(self.offset_kinds.most_common()),
        }


_NON_LATIN = re.compile(r"[^\x00-\u024f\u1e00-\u1eff]")


def kind_of(word: str, mine: str | None, theirs: str | None) -> str:
    """Why a word's term differs between frsearch and Lucene (see the benchmark's notes)."""
    lowered = word.lower()
    if _NON_LATIN.search(lowered):
        return "script: unidecode transliterates, ASCII folding leaves non-Latin letters"
    if re.search(r"[ëïüÿ]", lowered):
        return "Snowball before 2.0: no diaeresis rules"
    if re.search(r"oux$|aises?$|ai[st]?$|aient$|^ni|épl", lowered):
        return "Snowball 3.0: -oux, -aise, -ais after al/auv/ni/épl"
    if mine is None or theirs is None:
        return "token present on one side only"
    return "other"


def compare(passages: Iterable[tuple[str, str]], lucene: dict[str, list[list]],
            examples: int = 5) -> Parity:
    """Compare frsearch's tokens of each ``(id, text)`` with Lucene's."""
    parity = Parity()
    for passage_id, text in passages:
        parity.passages += 1
        normal = analysis.normalize(text)
        mine = list(analysis.tokenize(normal))
        theirs = lucene[passage_id]
        if [(t.term, t.position) for t in mine] != [(t[0], t[1]) for t in theirs]:
            words = [m.group() for m in analysis._TOKEN_RE.finditer(normal)]
            by_position = {t.position: t.term for t in mine}
            lucene_by_position = {t[1]: t[0] for t in theirs}
            for position in sorted(set(by_position) | set(lucene_by_position)):
                ours, its = by_position.get(position), lucene_by_position.get(position)
                if ours != its:
                    word = words[position] if position < len(words) else ""
                    kind = kind_of(word, ours, its)
                    parity.kinds[kind] += 1
                    shown = parity.examples.setdefault(kind, [])
                    if len(shown) < examples and [word, ours, its] not in shown:
                        shown.append([word, ours, its])
            continue
        parity.same_terms += 1
        spans = [(t.start, t.end) for t in mine]
        lucene_spans = [(t[2], t[3]) for t in theirs]
        if spans == lucene_spans:
            parity.same_offsets += 1
            continue
        for (start, end), (its_start, its_end) in zip(spans, lucene_spans, strict=True):
            if (start, end) != (its_start, its_end):
                elided = end == its_end and normal[its_start:start][-1:] in analysis.APOSTROPHES
                parity.offset_kinds["elision: Lucene's span starts at the article"
                                    if elided else "other"] += 1
    return parity
