"""Near-duplicate sketches on the seeds: wire copies are similar, distinct
paragraphs are not, and a sketch stays the same bytes from one version to the next."""

from __future__ import annotations

import itertools

import pytest
from seed_ids import A000, A001, A002, A003, A004

from frsearch.analysis import analyze
from frsearch.duplicates import (
    BINS,
    MIN_SIMILARITY,
    are_near_duplicates,
    is_comparable,
    similarity,
    sketch,
)

WIRE_COPIES = {
    # the same paragraph; the differences are ones analysis erases (Otan/OTAN, 13’000/13.000)
    (f"{A000}:13", f"{A003}:8"),
    # one sentence, its opening rewritten ("L’espoir du président américain", "Son ambition")
    (f"{A000}:12", f"{A003}:7"),
}


@pytest.fixture(scope="module")
def sketches(seed_passages) -> dict[str, bytes]:
    return {key: sketch(analyze(text)) for key, text in seed_passages.items()}


def test_a_passage_is_identical_to_itself(sketches):
    text = sketches[f"{A001}:6"]
    assert len(text) == BINS and similarity(text, text) == 1.0


def test_a_wire_copy_spelled_differently_is_identical(seed_passages, sketches):
    first, copy = seed_passages[f"{A000}:13"], seed_passages[f"{A003}:8"]
    assert first != copy and "13’000" in first and "13.000" in copy
    assert similarity(sketches[f"{A000}:13"], sketches[f"{A003}:8"]) == 1.0


def test_a_wire_copy_with_its_opening_rewritten_is_near(sketches):
    near = similarity(sketches[f"{A000}:12"], sketches[f"{A003}:7"])
    assert MIN_SIMILARITY <= near < 1.0


def test_a_paragraph_merging_two_others_is_near_neither(sketches):
    # 004:5 is 000:4 followed by 000:8, as two wires ran them
    for part in (f"{A000}:4", f"{A000}:8"):
        assert 0.3 < similarity(sketches[f"{A004}:5"], sketches[part]) < MIN_SIMILARITY


def test_the_same_facts_told_in_other_words_are_not_near(sketches):
    # 001:3 tells 003:8's story (troops, Crimea, 13’000 dead) in its own sentences
    assert similarity(sketches[f"{A001}:3"], sketches[f"{A003}:8"]) < 0.5


def test_only_the_wire_copies_of_the_seeds_are_near_duplicates(sketches):
    near = {(a, b) for a, b in itertools.combinations(sorted(sketches), 2)
            if are_near_duplicates(sketches[a], sketches[b])}
    assert near == WIRE_COPIES


def test_the_figures_the_module_docstring_gives(sketches):
    def rounded(a: str, b: str) -> float:
        return round(similarity(sketches[a], sketches[b]), 2)

    assert sorted(rounded(a, b) for a, b in WIRE_COPIES) == [0.83, 1.0]
    assert [rounded(f"{A004}:5", f"{A000}:{n}") for n in (4, 8)] == [0.6, 0.47]
    merged = {(f"{A000}:4", f"{A004}:5"), (f"{A000}:8", f"{A004}:5")}
    others = [rounded(a, b) for a, b in itertools.combinations(sorted(sketches), 2)
              if (a, b) not in WIRE_COPIES | merged]
    assert max(others) == 0.38


def test_similarity_is_symmetric(sketches):
    for a, b in itertools.combinations(sorted(sketches), 2):
        assert similarity(sketches[a], sketches[b]) == similarity(sketches[b], sketches[a])


def test_short_lines_are_never_compared(seed_passages, sketches):
    headline = f"{A002}:0"
    assert seed_passages[headline] == "Biden/Poutine"
    assert not is_comparable(sketches[headline])
    assert similarity(sketches[headline], sketches[headline]) == 0.0
    assert not are_near_duplicates(sketches[headline], sketches[headline])
    assert not are_near_duplicates(None, sketches[f"{A001}:6"])
    assert not are_near_duplicates(b"", sketches[f"{A001}:6"])
    assert is_comparable(sketches[f"{A001}:6"])


def test_a_sketch_is_the_same_bytes_in_every_version(seed_passages):
    # sketches are stored in the index: a new hash would part old copies from new ones
    assert sketch(analyze(seed_passages[f"{A003}:8"])).hex() == "d6f1edffcd4f145c455c406fff4309ff"
