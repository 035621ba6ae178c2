"""The ``frsearch`` command as a person or a script uses it, in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import frsearch

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, home: Path, env_extra: dict[str, str] | None = None):
    env = {k: v for k, v in os.environ.items() if k != "FRSEARCH_INDEX"}
    env["XDG_DATA_HOME"] = str(home)
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "frsearch", *args], capture_output=True,
                          text=True, env=env, timeout=120)


def test_first_query_builds_the_default_index_from_the_seeds(tmp_path):
    done = run("query", "sanctions", home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "frsearch" / "index").is_dir()
    assert "building" in done.stderr
    assert done.stdout.startswith("4 passages for 'sanctions'")
    assert done.stdout.count("**sanctions**") == 5  # 002:3 says it twice
    assert "\x1b[" not in done.stdout  # piped: plain markers, no escape codes
    again = run("query", "sanctions", home=tmp_path)
    assert again.returncode == 0 and "building" not in again.stderr


def test_json_output_keeps_its_field_names(tmp_path):
    done = run("query", "lignes", "rouges", "--json", "--limit", "2", home=tmp_path)
    assert done.returncode == 0
    payload = json.loads(done.stdout)
    assert set(payload) == {"query", "total", "hits", "suggestion", "timed_out",
                            "truncated_prefixes"}
    assert payload["timed_out"] is False and payload["truncated_prefixes"] == []
    assert payload["query"] == "lignes rouges"
    assert len(payload["hits"]) == 2 and payload["total"] == 3
    hit = payload["hits"][0]
    assert set(hit) >= {"passage_id", "article_id", "title", "date", "paragraph", "heading",
                        "score", "text", "matches", "snippet"}
    assert [hit["text"][s:e] for s, e in hit["matches"]] == ["lignes", "rouges"]


def test_exit_status_says_found_none_or_error(tmp_path):
    assert run("query", "sanctions", home=tmp_path).returncode == 0
    none = run("query", "xyzzyq", home=tmp_path)
    assert none.returncode == 1 and none.stdout.startswith("0 passages")
    missing = run("query", "sanctions", "--index", str(tmp_path / "nowhere"), home=tmp_path)
    assert missing.returncode == 2
    assert missing.stderr.count("\n") == 1 and "no index at" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_index_command_stats_and_explicit_index(tmp_path):
    folder = tmp_path / "ix"
    done = run("index", str(frsearch.seeds_dir()), "--index", str(folder), home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "5 added" in done.stderr and "46 passages" in done.stderr
    stats = run("stats", "--index", str(folder), "--json", home=tmp_path)
    figures = json.loads(stats.stdout)
    assert (figures["articles"], figures["passages"]) == (5, 46)
    assert figures["terms"] > 300 and figures["size_bytes"] > 0
    via_env = run("query", "Genève", env_extra={"FRSEARCH_INDEX": str(folder)}, home=tmp_path)
    assert via_env.returncode == 0 and via_env.stdout.startswith("5 passages")
    assert not (tmp_path / "frsearch").exists()  # the default index was never touched


@pytest.mark.skipif(os.environ.get("FRSEARCH_SKIP_WHEEL") == "1", reason="asked to skip")
def test_wheel_carries_the_seed_articles(tmp_path):
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("frsearch-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    seeds = sorted(n for n in names if n.startswith("frsearch/seeds/"))
    expected = sorted(p.name for p in frsearch.seeds_dir().glob("*.txt"))
    assert [Path(n).name for n in seeds] == expected


LONG_PASSAGE = " ".join(f"Point {n} : les sanctions européennes visent la Russie et ses banques."
                        for n in range(100))
OUTSIDE_BMP = "🇫🇷 Les sanctions de l’𝔉rance 😀 : de nouvelles sanctions."
"""Characters JavaScript counts as two (a flag is two of them) before each match."""


@pytest.fixture(scope="module")
def long_index(tmp_path_factory) -> Path:
    """An index holding a passage of 7,000 characters twice (the copy is
    grouped under it as a duplicate) and one with characters outside the BMP."""
    root = tmp_path_factory.mktemp("long")
    source = root / "long.jsonl"
    records = [
        {"id": "fleuve", "title": "Un texte fleuve", "paragraphs": [LONG_PASSAGE]},
        {"id": "copie", "title": "Sa copie", "paragraphs": [LONG_PASSAGE]},
        {"id": "drapeau", "title": "Brève", "paragraphs": [OUTSIDE_BMP]},
    ]
    source.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n",
                      encoding="utf-8")
    with frsearch.open_index(root / "index", create=True) as index:
        index.add([source])
    return root / "index"


def query_json(index: Path, *options: str, home: Path) -> dict[str, dict]:
    """``frsearch query sanctions --json``'s hits by passage id."""
    done = run("query", "sanctions", "--json", "--index", str(index), *options, home=home)
    assert done.returncode == 0, done.stderr
    return {hit["passage_id"]: hit for hit in json.loads(done.stdout)["hits"]}


def test_json_caps_each_passage_text_and_keeps_offsets_valid(long_index, tmp_path):
    whole = query_json(long_index, home=tmp_path)  # the default cap: no news passage meets it
    assert whole["fleuve:1"]["text"] == LONG_PASSAGE
    assert whole["fleuve:1"]["text_truncated"] is False
    assert len(whole["fleuve:1"]["matches"]) == 100
    assert whole["drapeau:1"]["text"] == OUTSIDE_BMP
    assert whole["drapeau:1"]["text_truncated"] is False
    assert query_json(long_index, "--max-text-chars", "0", home=tmp_path) == whole

    hits = query_json(long_index, "--max-text-chars", "5000", home=tmp_path)
    fleuve = hits["fleuve:1"]
    assert fleuve["text"] == LONG_PASSAGE[:5000] and fleuve["text_truncated"] is True
    assert fleuve["matches"] and all(e <= 5000 for _, e in fleuve["matches"])
    assert {fleuve["text"][s:e] for s, e in fleuve["matches"]} == {"sanctions"}
    (copy,) = fleuve["duplicates"]
    assert copy["passage_id"] == "copie:1"
    assert copy["text"] == LONG_PASSAGE[:5000] and copy["text_truncated"] is True
    assert hits["drapeau:1"] == whole["drapeau:1"]  # shorter: as it was

    cut_in_a_match = LONG_PASSAGE.index("sanctions", 3000) + 4  # "sanc|tions"
    cut = query_json(long_index, "--max-text-chars", str(cut_in_a_match), home=tmp_path)
    spans = cut["fleuve:1"]["matches"]
    assert len(cut["fleuve:1"]["text"]) == cut_in_a_match
    assert spans[-1][1] < cut_in_a_match - len("sanc")  # the word cut in two is not marked
    assert len(spans) == LONG_PASSAGE[:cut_in_a_match].count("sanctions")  # whole ones


def test_json_offsets_in_utf16_select_the_same_words_in_javascript(long_index, tmp_path):
    in_python = query_json(long_index, home=tmp_path)["drapeau:1"]
    in_javascript = query_json(long_index, "--offsets", "utf16", home=tmp_path)["drapeau:1"]
    text = in_python["text"]
    assert [text[s:e] for s, e in in_python["matches"]] == ["sanctions", "sanctions"]
    units = text.encode("utf-16-le")  # what a JavaScript string holds, two bytes a unit
    assert [units[2 * s:2 * e].decode("utf-16-le") for s, e in in_javascript["matches"]] \
        == ["sanctions", "sanctions"]
    # the flag counts 2 code points, 4 units; "𝔉" and "😀" one more each
    assert [s for s, _ in in_javascript["matches"]] \
        == [in_python["matches"][0][0] + 2, in_python["matches"][1][0] + 4]

    capped = query_json(long_index, "--offsets", "utf16", "--max-text-chars", "40",
                        home=tmp_path)["drapeau:1"]
    units = capped["text"].encode("utf-16-le")
    assert capped["text_truncated"] is True and len(capped["matches"]) == 1
    assert [units[2 * s:2 * e].decode("utf-16-le") for s, e in capped["matches"]] \
        == ["sanctions"]


@pytest.mark.parametrize(("options", "says"), [
    (["--max-text-chars", "-1"], "frsearch: --max-text-chars must be 0 (no cap) or more\n"),
    (["--max-text-chars", "beaucoup"], "invalid int value: 'beaucoup'"),
    (["--offsets", "utf8"], "invalid choice: 'utf8'"),
])
def test_bad_json_options_are_one_line_errors(options, says, tmp_path):
    done = run("query", "sanctions", "--json", *options, "--index", str(tmp_path / "ix"),
               home=tmp_path)
    assert done.returncode == 2 and not done.stdout
    assert says in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "ix").exists()


def test_help_says_what_offsets_count(tmp_path):
    done = run("query", "--help", home=tmp_path)
    assert done.returncode == 0
    said = " ".join(done.stdout.split())
    assert "in Unicode code points unless --offsets utf16" in said
    assert "UTF-16 code units, as JavaScript does" in said
    assert "--max-text-chars N" in said and "(default: 20,000; 0: no cap)" in said


def test_a_notice_is_not_a_skip(tmp_path):
    """A paragraph over the passage limit is indexed whole, in pieces: the CLI
    says so as a note and the run succeeds."""
    sentence = "Le sommet de Genève a duré deux heures sans percée diplomatique. "
    article = tmp_path / "long.jsonl"
    article.write_text(json.dumps({"id": "long", "title": "Un long compte rendu",
                                   "paragraphs": [sentence * 500]}) + "\n", encoding="utf-8")
    done = run("index", str(article), "--index", str(tmp_path / "ix"), home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "frsearch: note: " in done.stderr and "skipped" not in done.stderr.split("nothing")[0]


def test_a_cut_prefix_is_noted_in_the_text_output(tmp_path):
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = " ".join(f"pre{a}{b}{c}x" for a in letters for b in letters for c in "mn")
    article = tmp_path / "mots.jsonl"
    article.write_text(json.dumps({"id": "mots", "title": "Liste",
                                   "paragraphs": [words, "Les sanctions du jour."]}) + "\n",
                       encoding="utf-8")
    assert run("index", str(article), "--index", str(tmp_path / "ix"),
               home=tmp_path).returncode == 0
    done = run("query", "pre*", "--index", str(tmp_path / "ix"), home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "note: pre* starts too many words" in done.stdout
