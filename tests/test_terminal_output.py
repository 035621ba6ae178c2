"""What the CLI prints cannot drive the terminal: escape sequences, bell and
bidi controls held by an index (ids from file names, titles, headings, passages,
metadata, and dates where an index holds unchecked ones) or by a path are shown
inert, the rest of the text as it is; ``--json`` keeps the exact data, spelled
with JSON escapes. A hostile date in the input is no date: it is reported in a
note that shows it inert, and left out."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

import frsearch
from frsearch.cli import COLOUR_MARK, main
from frsearch.indexing import IndexReport, codec_for, write_articles
from frsearch.store import DICTIONARY_PREFIX
from frsearch.terminal import BIDI_CONTROLS, terminal_json, terminal_text

URL = "https://evil.example/phish"
HOSTILE = {
    "osc8": f"\x1b]8;;{URL}\x1b\\cliquez ici\x1b]8;;\x1b\\",  # a hyperlink
    "osc0": "\x1b]0;titre piégé\x07",                         # the window's title
    "csi": "\x1b[2J\x1b[H",                                   # clears the screen
    "c1": "\x9b2J",                                           # the same, one C1 byte
    "rlo": "\u202eesuoh",                                     # shown backwards
}
"""Each hostile sequence by name; every one was seen to act on a terminal."""
BIDI = "".join(map(chr, BIDI_CONTROLS))
FORBIDDEN = ("\x1b", "\x07", "\x9b", *BIDI)
# Names of files and folders cannot hold "/", so the link in them has none.
IN_NAMES = "\x1b]0;titre piégé\x07\x1b[2J\x1b]8;;https:evil.example\x1b\\lien\x1b]8;;\x1b\\"
SHOWN_IN_NAMES = "␛]0;titre piégé␇␛[2J␛]8;;https:evil.example␛\\lien␛]8;;␛\\"

DEPECHE = """date 2024-03 Sanctions \u202econtre la Russie

Les sanctions européennes \u202evisent les banques russes.

Réactions \u2067à Moscou\u2069

Le Kremlin dénonce des sanctions illégales et promet une riposte.
"""


def dated(name: str) -> dict:
    """A JSON article whose date, metadata and id hold the hostile sequence
    ``name`` (the id, bidi controls only: the library refuses other controls in
    ids). Its date is none: it is reported and left out."""
    return {"id": f"depeche-{name}\u202e\u200f-fin", "date": f"2024-03-01{HOSTILE[name]}",
            "agence": f"AFP{HOSTILE[name]}",
            "title": f"Sanctions {name}", "paragraphs": [f"Les sanctions frappent {name}."]}


DATE_NOTES = {
    "osc8": "the date '2024-03-01\\x1b]8;;https://evil.example/phish\\x1b\\\\cliquez …",
    "osc0": "the date '2024-03-01\\x1b]0;titre piégé\\x07' of article",
    "csi": "the date '2024-03-01\\x1b[2J\\x1b[H' of article",
    "c1": "the date '2024-03-01\\x9b2J' of article",
    "rlo": "the date '2024-03-01\\u202eesuoh' of article",
}
"""How each hostile date shows in the note that leaves it out: as Python
writes the string, every control spelled as an escape."""


def assert_inert(output: str) -> None:
    for forbidden in FORBIDDEN:
        assert forbidden not in output, (forbidden, output)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """An index of hostile input, in a folder whose name holds escape sequences,
    and what ``frsearch index`` printed while building it."""
    root = tmp_path_factory.mktemp("hostile")
    articles = root / "articles"
    articles.mkdir()
    lines = [json.dumps(dated(name)) for name in HOSTILE]
    lines.append(json.dumps({"id": "refusé\x1b[2J", "title": "x", "paragraphs": ["x"]}))
    (articles / "dates.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        (articles / f"Dépêche {IN_NAMES}.txt").write_text(DEPECHE, encoding="utf-8")
        (articles / f"vide {IN_NAMES}.txt").write_text("", encoding="utf-8")
        folder = root / f"index {IN_NAMES}"
        folder.mkdir()
    except OSError:
        pytest.skip("this file system refuses escape sequences in file names")
    args = ["index", str(articles), "--index", str(folder)]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(args)
    return folder, subprocess.CompletedProcess(args, status, out.getvalue(), err.getvalue())


def test_index_problem_lines_and_summary_are_inert(built):
    folder, done = built
    assert done.returncode == 1  # some input skipped
    assert not done.stdout
    stderr = done.stderr
    assert_inert(stderr)
    assert "Traceback" not in stderr
    skipped = [line for line in stderr.splitlines() if line.startswith("frsearch: skipped")]
    assert len(skipped) == 2, stderr
    assert any(f"vide {SHOWN_IN_NAMES}.txt: empty file" in line for line in skipped)
    notes = [line for line in stderr.splitlines() if line.startswith("frsearch: note:")]
    assert len(notes) == len(HOSTILE), stderr
    for number, (name, shown) in enumerate(DATE_NOTES.items(), start=1):
        assert notes[number - 1].startswith(f"frsearch: note: {folder.parent}{os.sep}articles"
                                            f"{os.sep}dates.jsonl:{number}: nothing skipped: ")
        assert shown in notes[number - 1], (name, notes[number - 1])
    assert any('dates.jsonl:6: "id" must be one line' in line for line in skipped)
    assert f"written to {terminal_text(str(folder))} in" in stderr
    assert f"index {SHOWN_IN_NAMES}" in stderr


def test_query_shows_every_field_inert_and_the_rest_as_written(built, capsys):
    folder, _ = built
    assert main(["query", "sanctions", "--index", str(folder), "--limit", "20"]) == 0
    out, err = capsys.readouterr()
    assert_inert(out + err)
    assert out.startswith(f"{2 * len(HOSTILE) + 3} passages for 'sanctions'")
    assert "2024-03-01" not in out  # the hostile dates were left out
    # ids from JSON (bidi controls dropped) and from a file name (controls shown)
    for name in HOSTILE:
        assert f"[depeche-{name}-fin:1]" in out
    assert f"[Dépêche {SHOWN_IN_NAMES}:3]" in out
    # title, heading and passage text, bidi controls dropped
    assert "Sanctions contre la Russie (2024-03 — Réactions à Moscou)" in out
    assert "Les **sanctions** européennes visent les banques russes." in out


def test_a_terminal_gets_only_the_cli_s_own_colour_codes(built, capsys, monkeypatch):
    """On a terminal the CLI colours the matches: those codes are the only
    escape sequences in what it prints."""
    folder, _ = built
    for name in ("NO_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert main(["query", "sanctions", "--index", str(folder), "--limit", "20"]) == 0
    shown, errors = capsys.readouterr()
    opened, closed = COLOUR_MARK
    assert shown.count(opened) == shown.count(closed) >= 2 * len(HOSTILE) + 3
    assert_inert(shown.replace(opened, "").replace(closed, "") + errors)
    assert f"[Dépêche {SHOWN_IN_NAMES}:3]" in shown


@pytest.mark.parametrize(("tty", "env", "coloured"), [
    (True, {}, True),
    (True, {"TERM": "xterm-256color"}, True),
    (True, {"NO_COLOR": ""}, True),  # no-color.org: set to a non-empty value
    (True, {"NO_COLOR": "1"}, False),
    (True, {"NO_COLOR": "0"}, False),  # any value, even one that reads "no"
    (True, {"TERM": "dumb"}, False),
    (False, {}, False),  # piped
])
def test_colour_only_on_a_terminal_that_wants_it(cli_main, seed_index_folder, monkeypatch,
                                                 tty, env, coloured):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: tty)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    done = cli_main("query", "sanctions", "--index", str(seed_index_folder))
    assert done.returncode == 0
    opened, closed = COLOUR_MARK
    if coloured:
        assert f"{opened}sanctions{closed}" in done.stdout and "**" not in done.stdout
    else:
        assert "**sanctions**" in done.stdout and "\x1b" not in done.stdout


def test_stats_prints_the_folder_inert(built, capsys):
    folder, _ = built
    assert main(["stats", "--index", str(folder)]) == 0
    out, _ = capsys.readouterr()
    assert_inert(out)
    assert out.startswith(f"index     {folder.parent}{os.sep}index {SHOWN_IN_NAMES}\n")


def test_errors_quoting_paths_or_arguments_are_inert(tmp_path, capsys):
    absent = tmp_path / f"absent {IN_NAMES}\u202e"
    assert main(["query", "sanctions", "--index", str(absent)]) == 2
    out, err = capsys.readouterr()
    assert not out and err.count("\n") == 1
    assert_inert(err)
    assert f"no index at {tmp_path}{os.sep}absent {SHOWN_IN_NAMES}:" in err
    with pytest.raises(SystemExit) as exited:
        main(["stats", f"en trop {IN_NAMES}"])
    assert exited.value.code == 2
    _, err = capsys.readouterr()
    assert err.count("\n") == 1
    assert_inert(err)
    assert f"unrecognized arguments: en trop {SHOWN_IN_NAMES}" in err


def test_a_folder_name_that_is_not_utf8_is_shown_and_given_back(tmp_path, capsys):
    """Its bytes reach Python as lone surrogates, which no output can encode:
    the text shows U+FFFD, the JSON escapes that give the name back."""
    try:
        folder = tmp_path / os.fsdecode(b"index-\xff\x9b")
        folder.mkdir()
    except (OSError, UnicodeError):
        pytest.skip("this file system wants UTF-8 names")
    assert main(["index", str(frsearch.seeds_dir()), "--index", str(folder)]) == 0
    _, err = capsys.readouterr()
    assert f"written to {tmp_path}{os.sep}index-\ufffd\ufffd in" in err
    assert main(["stats", "--index", str(folder)]) == 0
    out, _ = capsys.readouterr()
    assert out.startswith(f"index     {tmp_path}{os.sep}index-\ufffd\ufffd\n")
    assert main(["stats", "--index", str(folder), "--json"]) == 0
    out, _ = capsys.readouterr()
    assert_inert(out)
    assert os.fsencode(json.loads(out)["path"]) == os.fsencode(folder)


def test_json_keeps_the_exact_data_spelled_with_escapes(built, capsys):
    folder, _ = built
    assert main(["query", "sanctions", "--index", str(folder), "--limit", "20", "--json"]) == 0
    out, _ = capsys.readouterr()
    assert_inert(out)
    printed = json.loads(out)
    with frsearch.open_index(folder) as index:
        found = index.search("sanctions", limit=20).to_dict()
    for hit in printed["hits"]:
        assert hit.pop("text_truncated") is False
    for hit in found["hits"]:
        hit.pop("text_truncated", None)  # the library may say so too
    assert printed == found  # what the library returns, character for character
    metadata = {hit["article_id"]: (hit["date"], hit["meta"]) for hit in printed["hits"]}
    for name in HOSTILE:
        record = dated(name)
        assert metadata[record["id"]] == (None, {"agence": record["agence"]})
    assert "Sanctions \u202econtre la Russie" in {hit["title"] for hit in printed["hits"]}
    assert main(["stats", "--index", str(folder), "--json"]) == 0
    out, _ = capsys.readouterr()
    assert_inert(out)
    assert json.loads(out)["path"] == str(folder)


@pytest.mark.parametrize(("text", "shown"), [
    ("2024-03\x1b]0;titre\x07", "2024-03␛]0;titre␇"),
    ("un\nfaux\rretour\tà la ligne", "un␊faux␍retour␉à la ligne"),
    ("efface\x7f\x9b2J", "efface␡\ufffd2J"),
    ("\u202eesuoh \u2066isolé\u2069 \u200fmarque\u200e \u061c", "esuoh isolé marque "),
    ("nom\udcff.txt", "nom\ufffd.txt"),
    ("Élysée : « réponse » — 𝔉 🇫🇷", "Élysée : « réponse » — 𝔉 🇫🇷"),
])
def test_terminal_text_shows_controls_and_drops_bidi_controls(text, shown):
    assert terminal_text(text) == shown


@given(st.text(st.characters(codec=None, exclude_categories=())))
def test_any_text_is_inert_on_a_terminal_and_exact_in_json(text):
    assert_inert(terminal_text(text))
    printed = terminal_json({"text": text})
    assert_inert(printed)
    assert json.loads(printed) == {"text": text}


@pytest.fixture(scope="module")
def unchecked(tmp_path_factory):
    """An index holding the hostile dates as they were written: frsearch before
    it checked dates wrote such indexes, and another program may. The CLI must
    show what any index holds inert, not trust that indexing cleaned it."""
    folder = tmp_path_factory.mktemp("unchecked") / "index"
    source = folder.parent / "dates.jsonl"
    source.write_text("".join(json.dumps(dated(name)) + "\n" for name in HOSTILE),
                      encoding="utf-8")
    raw = {dated(name)["id"]: dated(name)["date"] for name in HOSTILE}
    articles = (replace(article, date=raw[article.id])
                for article in frsearch.read_articles([source]))
    with frsearch.open_index(folder, create=True) as index:
        codec, articles = codec_for(articles, DICTIONARY_PREFIX)
        index._write(codec, False, 0.0, lambda writer, reader: write_articles(
            writer, reader, articles, IndexReport()) or True)
    return folder


def test_dates_an_index_holds_are_shown_inert(unchecked, capsys):
    assert main(["query", "sanctions", "--index", str(unchecked), "--limit", "20"]) == 0
    out, err = capsys.readouterr()
    assert_inert(out + err)
    assert out.startswith(f"{2 * len(HOSTILE)} passages for 'sanctions'")
    assert f"2024-03-01␛]8;;{URL}␛\\cliquez ici␛]8;;␛\\" in out
    assert "2024-03-01␛]0;titre piégé␇" in out
    assert "2024-03-01␛[2J␛[H" in out
    assert "2024-03-01\ufffd2J" in out
    assert "2024-03-01esuoh" in out
    assert main(["query", "sanctions", "--index", str(unchecked), "--limit", "20",
                 "--json"]) == 0
    out, _ = capsys.readouterr()
    assert_inert(out)
    dates = {hit["article_id"]: hit["date"] for hit in json.loads(out)["hits"]}
    assert dates == {dated(name)["id"]: dated(name)["date"] for name in HOSTILE}
