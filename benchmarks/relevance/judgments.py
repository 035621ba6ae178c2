"""The judged queries of ``queries.json``: what each asks, and the grade of each passage read.

One entry a query::

    {"id": "qu07", "query": "Comment tuer un processus qui ne répond plus ?",
     "kind": "question", "need": "killing a process (kill, signals)",
     "split": "dev", "grades": {"reference-9.4.12:1": 2, "reference-9.4.12:0": 1, …}}

``grades`` holds every passage that was read for the query, relevant or not:

* 2: the passage answers the need (it says how, or what, the reader wants);
* 1: on the topic without the answer: a heading or table caption that names it,
  a passage that mentions it in passing or points to where the answer is;
* 0: read, and not about it.

A passage a system returns that nobody read counts as 0 in the figures, and
the run says how many of each system's top 10 were read (``judged@10``).

Kinds: ``keyword`` (a few words, well typed), ``question`` (a whole question),
``description`` (what one wants, in one's own words), ``no-accent`` (typed
without accents), ``typo`` (a misspelt word), ``variant`` (another name for
the thing: English, a synonym, the other spelling), ``phrase`` (with a quoted
phrase).

Splits: half of each kind is ``dev`` (looked at while working on ranking),
the other half ``heldout`` (run once, at the end, with ``run.py --heldout``),
drawn at random with a fixed seed (``assign_splits``).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path

QUERIES = Path(__file__).resolve().parent / "queries.json"
KINDS = ("keyword", "question", "description", "no-accent", "typo", "variant", "phrase")
SPLITS = ("dev", "heldout")
SPLIT_SEED = 20240611


@dataclass(slots=True)
class Judged:
    id: str
    query: str
    kind: str
    need: str
    split: str
    grades: dict[str, int] = field(default_factory=dict)

    @property
    def relevant(self) -> dict[str, int]:
        """The passages of grade 1 or 2."""
        return {pid: grade for pid, grade in self.grades.items() if grade > 0}


def load(path: Path = QUERIES) -> list[Judged]:
    """The queries; ValueError on a malformed entry, so a slip in the file fails loudly."""
    entries = json.loads(path.read_text(encoding="utf-8"))
    queries, seen = [], set()
    for entry in entries:
        query = Judged(entry["id"], entry["query"], entry["kind"], entry.get("need", ""),
                       entry.get("split", ""), {str(k): int(v) for k, v in
                                                entry.get("grades", {}).items()})
        if query.id in seen:
            raise ValueError(f"{query.id}: two queries share this id")
        seen.add(query.id)
        if query.kind not in KINDS:
            raise ValueError(f"{query.id}: unknown kind {query.kind!r}")
        if query.split and query.split not in SPLITS:
            raise ValueError(f"{query.id}: unknown split {query.split!r}")
        if any(grade not in (0, 1, 2) for grade in query.grades.values()):
            raise ValueError(f"{query.id}: grades are 0, 1 or 2")
        queries.append(query)
    return queries


def save(queries: list[Judged], path: Path = QUERIES) -> None:
    entries = [{"id": q.id, "query": q.query, "kind": q.kind, "need": q.need, "split": q.split,
                "grades": dict(sorted(q.grades.items()))} for q in queries]
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps(entries, ensure_ascii=False, indent=1) + "\n",
                       encoding="utf-8")
    partial.replace(path)


def assign_splits(queries: list[Judged], seed: int = SPLIT_SEED) -> None:
    """Half of each kind to ``dev``, half to ``heldout`` (an odd one out goes to
    ``heldout``), drawn with ``seed``; queries that already have a split keep it."""
    rng = random.Random(seed)
    for kind in KINDS:
        pending = sorted((q for q in queries if q.kind == kind and not q.split),
                         key=lambda q: q.id)
        rng.shuffle(pending)
        for position, query in enumerate(pending):
            query.split = "dev" if position < len(pending) // 2 else "heldout"
