"""The ``frsearch`` command as a person or a script uses it: in this process
through ``main(argv)`` (``cli_main``), and in a real one only for what needs it
(the entry point, building a wheel)."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import frsearch
from frsearch.cli import QUERY_HELP, _with_cli_hint

ROOT = Path(__file__).resolve().parent.parent


def test_first_query_builds_the_default_index_from_the_seeds(cli_main):
    done = cli_main("query", "sanctions")
    assert done.returncode == 0, done.stderr
    assert (cli_main.home / "frsearch" / "index").is_dir()
    assert "building" in done.stderr
    assert done.stdout.startswith("4 passages for 'sanctions'")
    assert done.stdout.count("**sanctions**") == 5  # 002:3 says it twice
    assert "\x1b[" not in done.stdout  # not a terminal: plain markers, no escape codes
    again = cli_main("query", "sanctions")
    assert again.returncode == 0 and "building" not in again.stderr


def test_json_output_keeps_its_field_names(cli_main, seed_index_folder):
    done = cli_main("query", "lignes", "rouges", "--json", "--limit", "2",
                    "--index", str(seed_index_folder))
    assert done.returncode == 0
    payload = json.loads(done.stdout)
    assert set(payload) == {"query", "total", "hits", "suggestion", "timed_out",
                            "truncated_prefixes", "total_passages", "offset", "sort",
                            "warnings", "facets"}
    assert payload["timed_out"] is False and payload["truncated_prefixes"] == []
    assert payload["query"] == "lignes rouges"
    assert len(payload["hits"]) == 2 and payload["total"] == 3
    hit = payload["hits"][0]
    assert set(hit) >= {"passage_id", "article_id", "title", "date", "paragraph", "heading",
                        "score", "text", "matches", "snippet"}
    assert [hit["text"][s:e] for s, e in hit["matches"]] == ["lignes", "rouges"]


def test_exit_status_says_found_none_or_error(cli_main, seed_index_folder, tmp_path):
    index = ("--index", str(seed_index_folder))
    assert cli_main("query", "sanctions", *index).returncode == 0
    none = cli_main("query", "xyzzyq", *index)
    assert none.returncode == 1 and none.stdout.startswith("0 passages")
    missing = cli_main("query", "sanctions", "--index", str(tmp_path / "nowhere"))
    assert (missing.returncode, missing.stdout) == (2, "")
    assert missing.stderr == (f"frsearch: no index at {tmp_path / 'nowhere'}: "
                              "build one with 'frsearch index' first\n")


def test_index_command_stats_and_explicit_index(cli_main, monkeypatch, tmp_path):
    folder = tmp_path / "ix"
    done = cli_main("index", str(frsearch.seeds_dir()), "--index", str(folder))
    assert done.returncode == 0, done.stderr
    assert "5 added" in done.stderr and "46 passages" in done.stderr
    stats = cli_main("stats", "--index", str(folder), "--json")
    figures = json.loads(stats.stdout)
    assert (figures["articles"], figures["passages"]) == (5, 46)
    assert figures["terms"] > 300 and figures["size_bytes"] > 0
    monkeypatch.setenv("FRSEARCH_INDEX", str(folder))
    via_env = cli_main("query", "Genève")
    assert via_env.returncode == 0 and via_env.stdout.startswith("5 passages")
    assert not (cli_main.home / "frsearch").exists()  # the default index was never touched


def test_version_names_the_package_version(cli_main, cli):
    done = cli_main("--version")
    assert (done.returncode, done.stdout, done.stderr) \
        == (0, f"frsearch {frsearch.__version__}\n", "")
    installed = cli("--version")  # the entry point, in a process of its own
    assert (installed.returncode, installed.stdout) == (0, f"frsearch {frsearch.__version__}\n")


def test_query_help_gives_the_syntax_the_exit_status_and_examples(cli_main):
    done = cli_main("query", "--help")
    assert done.returncode == 0 and not done.stderr
    assert QUERY_HELP in done.stdout  # as written: its columns kept
    for line in ('"lignes rouges"', "sanctions AND Russie", "présid*", "title:sanctions",
                 "0 passages found, 1 nothing found, 2 error"):
        assert line in done.stdout


@pytest.mark.parametrize("command", ["index", "query", "stats", "check"])
def test_every_command_s_help_gives_an_example(cli_main, command):
    done = cli_main(command, "--help")
    assert done.returncode == 0
    examples = done.stdout.split("\nexamples:\n")[1].splitlines()
    assert examples and all(line.startswith(f"  frsearch {command}") for line in examples)
    if command != "stats":
        assert "\nexit status:\n" in done.stdout


def test_the_query_examples_in_the_help_find_passages(cli_main, seed_index_folder):
    examples = QUERY_HELP.split("examples:\n")[1].splitlines()
    assert len(examples) == 4
    for example in examples:
        argv = shlex.split(example)[1:]
        done = cli_main(*argv, "--index", str(seed_index_folder))
        assert done.returncode == 0, (example, done.stderr)


@pytest.mark.parametrize(("options", "status", "says"), [
    (["--limit", "abc", "sanctions"], 2,
     "frsearch query: argument --limit: invalid int value: 'abc'; "
     "see 'frsearch query --help'\n"),
    (["--limit", "0", "sanctions"], 2, "frsearch: --limit must be at least 1\n"),
    (["--limit", "-5", "sanctions"], 2, "frsearch: --limit must be at least 1\n"),
    (["--json"], 2, "frsearch query: the following arguments are required: QUERY; "
                    "see 'frsearch query --help'\n"),
    (["--nonsense", "x"], 2, "frsearch: unrecognized arguments: --nonsense; "
                             "see 'frsearch --help'\n"),
    (["--limit", "999999999", "sanctions"], 0, ""),
])
def test_bad_options_are_one_line_errors(cli_main, seed_index_folder, options, status, says):
    done = cli_main("query", "--index", str(seed_index_folder), *options)
    assert (done.returncode, done.stderr) == (status, says)
    assert bool(done.stdout) == (status == 0)


@pytest.mark.parametrize("seconds", ["nan", "-1", "inf", "soon"])
def test_a_lock_timeout_is_seconds(cli_main, tmp_path, seconds):
    done = cli_main("index", "--lock-timeout", seconds, "--index", str(tmp_path / "ix"))
    assert (done.returncode, done.stderr) == (2, (
        f"frsearch index: argument --lock-timeout: {seconds!r} is not a number of seconds, "
        "0 or more; see 'frsearch index --help'\n"))
    assert not (tmp_path / "ix").exists()


def test_a_long_query_is_named_by_its_start(cli_main, seed_index_folder):
    done = cli_main("query", "--index", str(seed_index_folder), " ".join(["sanctions"] * 300))
    first = done.stdout.splitlines()[0]
    assert first.startswith("4 passages for 'sanctions sanctions") and first.endswith("'…")
    assert len(first) < 130


def test_no_command_is_a_one_line_error(cli_main):
    done = cli_main()
    assert (done.returncode, done.stdout, done.stderr) == (
        2, "", "frsearch: the following arguments are required: COMMAND; "
               "see 'frsearch --help'\n")


@pytest.mark.parametrize(("error", "shown"), [
    (frsearch.IndexDamagedError("index at ix is damaged (a checksum differs); "
                                "open it with rebuild=True to start over"),
     "index at ix is damaged (a checksum differs); start over with 'frsearch index --rebuild'"),
    (frsearch.IndexTamperedError("an index file asks to run os.system: not an frsearch index, "
                                 "or tampered with (nothing was run)"),
     "an index file asks to run os.system: not an frsearch index, or tampered with "
     "(nothing was run); start over with 'frsearch index --rebuild'"),
    (frsearch.IndexNotFoundError("no index at ix"),
     "no index at ix: build one with 'frsearch index' first"),
    (frsearch.IndexLockedError.at("ix"),
     "index is locked by another writer (a process, or a thread of this one): ix (wait for "
     "it, or pass --lock-timeout SECONDS)"),
    (frsearch.NotAnIndexError("ix is a file, not an index folder"),
     "ix is a file, not an index folder"),
])
def test_library_advice_is_said_in_the_cli_s_words(error, shown):
    assert _with_cli_hint(error) == shown


def test_a_damaged_index_says_what_to_type(cli_main, seed_index_folder, tmp_path):
    import shutil

    folder = tmp_path / "ix"
    shutil.copytree(seed_index_folder, folder)
    for toc in folder.glob("*.toc"):
        toc.unlink()
    done = cli_main("query", "sanctions", "--index", str(folder))
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.count("\n") == 1
    assert done.stderr.endswith("; start over with 'frsearch index --rebuild'\n")
    assert "rebuild=True" not in done.stderr


@pytest.mark.skipif(os.environ.get("FRSEARCH_SKIP_WHEEL") == "1", reason="asked to skip")
def test_wheel_carries_the_seed_articles_and_its_types(tmp_path):
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("frsearch-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    seeds = sorted(n for n in names if n.startswith("frsearch/seeds/"))
    expected = sorted(p.name for p in frsearch.seeds_dir().glob("*.txt"))
    assert [Path(n).name for n in seeds] == expected
    assert "frsearch/py.typed" in names  # type checkers read its annotations


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
        {"id": "reprise", "title": "Sa reprise", "paragraphs": [LONG_PASSAGE]},
        {"id": "drapeau", "title": "Brève", "paragraphs": [OUTSIDE_BMP]},
    ]
    source.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n",
                      encoding="utf-8")
    with frsearch.open_index(root / "index", create=True) as index:
        index.add([source])
    return root / "index"


@pytest.fixture
def query_json(cli_main, long_index):
    """``frsearch query sanctions --json OPTIONS``'s hits by passage id."""
    def run(*options: str) -> dict[str, dict]:
        done = cli_main("query", "sanctions", "--json", "--index", str(long_index), *options)
        assert done.returncode == 0, done.stderr
        return {hit["passage_id"]: hit for hit in json.loads(done.stdout)["hits"]}

    return run


def test_json_caps_each_passage_text_and_keeps_offsets_valid(query_json):
    whole = query_json()  # the default cap: no news passage meets it
    assert whole["fleuve:1"]["text"] == LONG_PASSAGE
    assert whole["fleuve:1"]["text_truncated"] is False
    assert len(whole["fleuve:1"]["matches"]) == 100
    assert whole["drapeau:1"]["text"] == OUTSIDE_BMP
    assert whole["drapeau:1"]["text_truncated"] is False
    assert query_json("--max-text-chars", "0") == whole

    hits = query_json("--max-text-chars", "5000")
    fleuve = hits["fleuve:1"]
    assert fleuve["text"] == LONG_PASSAGE[:5000] and fleuve["text_truncated"] is True
    assert fleuve["matches"] and all(e <= 5000 for _, e in fleuve["matches"])
    assert {fleuve["text"][s:e] for s, e in fleuve["matches"]} == {"sanctions"}
    (copy,) = fleuve["duplicates"]
    assert copy["passage_id"] == "reprise:1"  # equal scores: the first passage id leads
    assert copy["text"] == LONG_PASSAGE[:5000] and copy["text_truncated"] is True
    assert hits["drapeau:1"] == whole["drapeau:1"]  # shorter: as it was

    cut_in_a_match = LONG_PASSAGE.index("sanctions", 3000) + 4  # "sanc|tions"
    cut = query_json("--max-text-chars", str(cut_in_a_match))
    spans = cut["fleuve:1"]["matches"]
    assert len(cut["fleuve:1"]["text"]) == cut_in_a_match
    assert spans[-1][1] < cut_in_a_match - len("sanc")  # the word cut in two is not marked
    assert len(spans) == LONG_PASSAGE[:cut_in_a_match].count("sanctions")  # whole ones


def test_json_offsets_in_utf16_select_the_same_words_in_javascript(query_json):
    in_python = query_json()["drapeau:1"]
    in_javascript = query_json("--offsets", "utf16")["drapeau:1"]
    text = in_python["text"]
    assert [text[s:e] for s, e in in_python["matches"]] == ["sanctions", "sanctions"]
    units = text.encode("utf-16-le")  # what a JavaScript string holds, two bytes a unit
    assert [units[2 * s:2 * e].decode("utf-16-le") for s, e in in_javascript["matches"]] \
        == ["sanctions", "sanctions"]
    # the flag counts 2 code points, 4 units; "𝔉" and "😀" one more each
    assert [s for s, _ in in_javascript["matches"]] \
        == [in_python["matches"][0][0] + 2, in_python["matches"][1][0] + 4]

    capped = query_json("--offsets", "utf16", "--max-text-chars", "40")["drapeau:1"]
    units = capped["text"].encode("utf-16-le")
    assert capped["text_truncated"] is True and len(capped["matches"]) == 1
    assert [units[2 * s:2 * e].decode("utf-16-le") for s, e in capped["matches"]] \
        == ["sanctions"]


@pytest.mark.parametrize(("options", "says"), [
    (["--max-text-chars", "-1"], "frsearch: --max-text-chars must be 0 (no cap) or more"),
    (["--max-text-chars", "beaucoup"], "frsearch query: argument --max-text-chars: "
                                       "invalid int value: 'beaucoup'"),
    (["--offsets", "utf8"], "frsearch query: argument --offsets: invalid choice: 'utf8' "),
])
def test_bad_json_options_are_one_line_errors(cli_main, options, says, tmp_path):
    done = cli_main("query", "sanctions", "--json", *options, "--index", str(tmp_path / "ix"))
    assert done.returncode == 2 and not done.stdout
    assert done.stderr.count("\n") == 1 and done.stderr.startswith(says)
    assert not (tmp_path / "ix").exists()


def test_help_says_what_offsets_count(cli_main):
    done = cli_main("query", "--help")
    assert done.returncode == 0
    said = " ".join(done.stdout.split())
    assert "in Unicode code points unless --offsets utf16" in said
    assert "UTF-16 code units, as JavaScript does" in said
    assert "--max-text-chars N" in said and "(default: 20,000; 0: no cap)" in said


def test_a_notice_is_not_a_skip(cli_main, tmp_path):
    """A paragraph over the passage limit is indexed whole, in pieces: the CLI
    says so as a note and the run succeeds."""
    sentence = "Le sommet de Genève a duré deux heures sans percée diplomatique. "
    article = tmp_path / "long.jsonl"
    article.write_text(json.dumps({"id": "long", "title": "Un long compte rendu",
                                   "paragraphs": [sentence * 500]}) + "\n", encoding="utf-8")
    done = cli_main("index", str(article), "--index", str(tmp_path / "ix"))
    assert done.returncode == 0, done.stderr
    assert "frsearch: note: " in done.stderr and "skipped" not in done.stderr.split("nothing")[0]


def test_a_cut_prefix_is_noted_in_the_text_output(cli_main, tmp_path):
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = " ".join(f"pre{a}{b}{c}x" for a in letters for b in letters for c in "mn")
    article = tmp_path / "mots.jsonl"
    article.write_text(json.dumps({"id": "mots", "title": "Liste",
                                   "paragraphs": [words, "Les sanctions du jour."]}) + "\n",
                       encoding="utf-8")
    assert cli_main("index", str(article), "--index", str(tmp_path / "ix")).returncode == 0
    done = cli_main("query", "pre*", "--index", str(tmp_path / "ix"))
    assert done.returncode == 0, done.stderr
    assert "note: pre* starts too many words" in done.stdout
