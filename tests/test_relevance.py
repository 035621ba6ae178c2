"""Ranking quality must not slip: frsearch on the judged queries of
``benchmarks/judgments.json``, scored by ``benchmarks/evaluate.py``.

Floors are the figures measured when they were set, less a margin: a change
that only reorders a tie or two passes, one that loses answers fails. When
ranking improves, raise the floors to the new figures (run the evaluation
script to see them) so that the gain is kept.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

import frsearch

EVALUATE_SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "evaluate.py"


def _load_evaluate() -> ModuleType:
    """The evaluation script as a module; benchmarks/ is not a package."""
    spec = importlib.util.spec_from_file_location("frsearch_benchmark_evaluate", EVALUATE_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while being created
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


evaluate = _load_evaluate()

OVERALL_MARGIN = 0.02
KIND_MARGIN = 0.05
"""Wider per kind: a kind holds 9 to 19 queries, so one query moves it more."""

# Measured figures (recall@10, MRR@10, nDCG@10, answered first) when set.
MEASURED = {
    "overall": (0.767, 0.931, 0.803, 0.779),
    "plain": (0.802, 1.000, 0.892, 0.947),
    "no-accent": (0.824, 1.000, 0.854, 0.846),
    "typo": (0.839, 1.000, 0.917, 0.917),
    "variant": (0.822, 0.833, 0.772, 0.667),
    "question": (0.581, 0.786, 0.572, 0.467),
}


@pytest.fixture(scope="module")
def judgments():
    return evaluate.load_judgments()


@pytest.fixture(scope="module")
def scores(judgments, tmp_path_factory):
    return evaluate.evaluate_frsearch(tmp_path_factory.mktemp("relevance") / "index", judgments)


def test_judgments_cover_every_kind_and_name_real_passages(judgments):
    # A change in how articles are split renumbers passages: the judgments
    # would then grade the wrong text, so this must fail before any figure.
    passages = evaluate.seed_passages()
    unknown = {pid for judgment in judgments for pid in judgment.relevant} - passages.keys()
    assert not unknown, f"judged passages no longer in the seeds: {sorted(unknown)}"
    assert len(judgments) >= 40
    assert {judgment.kind for judgment in judgments} == set(evaluate.KINDS)
    assert len({judgment.query for judgment in judgments}) == len(judgments)


def test_seed_passages_are_what_frsearch_reads():
    count = sum(len(a.passages) for a in frsearch.read_articles([frsearch.seeds_dir()]))
    assert len(evaluate.seed_passages()) == count == 46


def _check(figures: dict[str, float], floor: tuple[float, ...], margin: float, label: str):
    slipped = {
        metric: f"{figures[metric]:.3f} < {measured - margin:.3f}"
        for metric, measured in zip(evaluate.METRICS, floor, strict=True)
        if figures[metric] < measured - margin
    }
    assert not slipped, f"{label}: {slipped}"


def test_overall_figures_do_not_slip(scores):
    _check(evaluate.mean_figures(scores), MEASURED["overall"], OVERALL_MARGIN, "overall")


@pytest.mark.parametrize("kind", [kind for kind in MEASURED if kind != "overall"])
def test_figures_by_kind_do_not_slip(scores, kind):
    of_kind = [score for score in scores if score.kind == kind]
    _check(evaluate.mean_figures(of_kind), MEASURED[kind], KIND_MARGIN, kind)


def test_frsearch_ranks_above_both_baselines_overall(scores, judgments):
    # BM25F carries the ranking now: it must not fall to what plain BM25 gives
    passages = evaluate.seed_passages()
    ours = evaluate.mean_figures(scores)
    for search in (evaluate.fts5_search(passages), evaluate.whoosh_search(passages)):
        theirs = evaluate.mean_figures(evaluate.run_queries(search, judgments))
        assert all(ours[metric] > theirs[metric] for metric in evaluate.METRICS), theirs


def test_metrics_on_a_known_ranking():
    # Two answers (grade 2) and a partial one; the system finds a partial
    # first, then one answer, then an unjudged passage.
    grades = {"a": 2, "b": 2, "c": 1}
    ranked = ["c", "a", "x"]
    assert evaluate.recall_at(ranked, grades) == pytest.approx(2 / 3)
    assert evaluate.reciprocal_rank(ranked, grades) == 1.0
    ideal = 3 + 3 / 1.5849625 + 1 / 2
    assert evaluate.ndcg_at(ranked, grades) == pytest.approx((1 + 3 / 1.5849625) / ideal)
    judgment = evaluate.Judgment("q", "plain", "", grades)
    assert not evaluate.score_query(judgment, ranked).answered_first
    assert evaluate.score_query(judgment, ["b"]).answered_first


def test_any_string_is_a_valid_fts5_query():
    # The baseline must not fail on what a user types: FTS5 operators, quotes,
    # a lone star, or nothing that is a word.
    search = evaluate.fts5_search(evaluate.seed_passages())
    for query in ('NEAR(Biden Poutine) AND "Genève', "-sanctions*", "^OR", "?! «»", ""):
        search(query)
    assert evaluate.fts5_match("l’Otan AND") == '"l" OR "Otan" OR "AND"'
    assert evaluate.fts5_match("?! «»") is None
