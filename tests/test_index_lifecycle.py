"""The index folder's lifecycle: only the index's own files are ever deleted,
dictionary files are never confused or overwritten, and a closed Index stays
closed."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time

import pytest

import frsearch
import frsearch.codec
from frsearch.store import DICTIONARY_PREFIX
from frsearch.whoosh_internals import PassageCodec


def test_rebuild_never_deletes_a_users_file_named_like_the_index(seed_index_folder, tmp_path,
                                                                 cli):
    folder = tmp_path / "index"
    shutil.copytree(seed_index_folder, folder)
    notes = folder / "passages-notes.txt"
    notes.write_text("mes notes sur l'index", encoding="utf-8")
    done = cli("index", str(frsearch.seeds_dir()), "--index", str(folder), "--rebuild")
    assert done.returncode == 2
    assert "passages-notes.txt" in done.stderr and "not an frsearch index" in done.stderr
    assert notes.read_text(encoding="utf-8") == "mes notes sur l'index"
    with frsearch.open_index(folder) as index:  # and the index itself is untouched
        assert index.search("sanctions").hits


def test_rebuild_deletes_every_file_the_index_wrote(seed_index_folder, tmp_path, cli):
    folder = tmp_path / "index"
    shutil.copytree(seed_index_folder, folder)
    (folder / "passages-files.json").write_text("{}", encoding="utf-8")  # an older version's
    segments = {f.name for f in folder.glob("passages_*.*")}
    assert segments
    done = cli("index", str(frsearch.seeds_dir()), "--index", str(folder), "--rebuild")
    assert done.returncode == 0, done.stderr
    left = {f.name for f in folder.iterdir()}
    assert "passages-files.json" not in left
    assert segments <= left  # kept one commit longer, as any commit's, for searchers
    article = tmp_path / "une.jsonl"
    article.write_text('{"id": "une", "paragraphs": ["Une dépêche."]}\n', encoding="utf-8")
    assert cli("index", str(article), "--index", str(folder)).returncode == 0
    assert segments.isdisjoint(f.name for f in folder.iterdir())


def test_two_dictionaries_never_share_a_file(tmp_path):
    first = PassageCodec(b"le dictionnaire des passages", DICTIONARY_PREFIX)
    second = PassageCodec(b"un autre dictionnaire", DICTIONARY_PREFIX)
    assert first.dictionary_file != second.dictionary_file
    assert hashlib.sha256(b"le dictionnaire des passages").hexdigest() in first.dictionary_file
    first.write_dictionary(tmp_path)
    target = tmp_path / first.dictionary_file
    target.write_bytes(b"autre chose sous le meme nom")
    with pytest.raises(frsearch.IndexDamagedError, match="not the dictionary its name says"):
        first.write_dictionary(tmp_path)
    assert target.read_bytes() == b"autre chose sous le meme nom"  # never overwritten


def test_a_closed_index_stays_closed(seed_index_folder):
    index = frsearch.open_index(seed_index_folder)
    assert index.search("sanctions").hits
    index.close()
    with pytest.raises(frsearch.IndexClosedError, match="was closed"):
        index.search("sanctions")
    with pytest.raises(frsearch.IndexClosedError):
        index.stats()
    with pytest.raises(frsearch.IndexClosedError):
        index.add([frsearch.seeds_dir()])
    index.close()  # closing twice is harmless


def _leave_stale_run(folder) -> object:
    """What a writer killed mid-run leaves: its temporary folder and a job file."""
    stale = folder / "passages.tmp" / "k2mx3c0d1f.doclist"
    stale.parent.mkdir(exist_ok=True)
    stale.write_bytes(b"\x80\x02" * 1000)
    old = time.time() - 60
    os.utime(stale, (old, old))
    return stale


def test_what_a_killed_writer_left_is_cleared_by_the_next_run(seed_index_folder, tmp_path):
    folder = tmp_path / "index"
    shutil.copytree(seed_index_folder, folder)
    stale = _leave_stale_run(folder)
    article = tmp_path / "suite.jsonl"
    article.write_text('{"id": "suite", "title": "Suite", "paragraphs": ["Les sanctions."]}\n',
                       encoding="utf-8")
    with frsearch.open_index(folder) as index:
        assert index.add([article]).added == 1
    assert not stale.exists()


def test_rebuild_after_a_killed_writer_clears_its_temporary_folder(seed_index_folder, tmp_path,
                                                                   cli):
    folder = tmp_path / "index"
    shutil.copytree(seed_index_folder, folder)
    stale = _leave_stale_run(folder)
    done = cli("index", str(frsearch.seeds_dir()), "--index", str(folder), "--rebuild")
    assert done.returncode == 0, done.stderr
    assert not stale.exists()


def test_an_index_from_before_checksums_is_named_as_another_version(seed_index_folder, tmp_path,
                                                                    cli):
    folder = tmp_path / "index"
    shutil.copytree(seed_index_folder, folder)
    for checksums in folder.glob("passages-checksums-*.json"):
        checksums.unlink()
    with pytest.raises(frsearch.IndexDamagedError, match="another version of frsearch"):
        frsearch.open_index(folder)
    done = cli("query", "sanctions", "--index", str(folder))
    assert done.returncode == 2 and "--rebuild" in done.stderr


def test_an_empty_default_index_is_built_from_the_seeds_on_first_query(tmp_path):
    """A default index left empty (its first build cut short, or made by an
    older version) is filled from the seeds like a missing one."""
    import subprocess
    import sys

    home = tmp_path / "data"
    frsearch.open_index(home / "frsearch" / "index", create=True).close()
    env = {k: v for k, v in os.environ.items() if k != "FRSEARCH_INDEX"}
    env["XDG_DATA_HOME"] = str(home)
    done = subprocess.run([sys.executable, "-m", "frsearch", "query", "sanctions"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "building" in done.stderr and done.stdout.startswith("4 passages")


def test_the_settings_record_the_format_and_another_one_says_rebuild(seed_index_folder, tmp_path,
                                                                     cli):
    folder = tmp_path / "index"
    shutil.copytree(seed_index_folder, folder)
    settings = json.loads((folder / "frsearch.json").read_text(encoding="utf-8"))
    assert settings["format"] == frsearch.codec.FORMAT_VERSION
    (folder / "frsearch.json").write_text(json.dumps({**settings, "format": 99}),
                                          encoding="utf-8")
    with pytest.raises(frsearch.IndexDamagedError, match="another version of frsearch"):
        frsearch.open_index(folder)
    done = cli("index", str(frsearch.seeds_dir()), "--index", str(folder), "--rebuild")
    assert done.returncode == 0, done.stderr
    assert json.loads((folder / "frsearch.json").read_text(encoding="utf-8"))["format"] == \
        frsearch.codec.FORMAT_VERSION


def test_one_file_name_in_two_folders_never_replaces_the_other(tmp_path, cli_main):
    """An archive laid out as a/article.txt, b/article.txt: the second file's
    id names its folder (b/article, tests/test_ids.py), and the first article
    stays searchable."""
    for folder, title, text in (("a", "Titre A", "Ukraine."), ("b", "Titre B", "Inflation.")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "article.txt").write_text(f"{title}\n\n{text}\n", encoding="utf-8")
    index = str(tmp_path / "ix")
    assert cli_main("index", "--index", index, str(tmp_path / "a")).returncode == 0
    second = cli_main("index", "--index", index, str(tmp_path / "b"))
    assert second.returncode == 0 and "1 added" in second.stderr
    found = cli_main("query", "--index", index, "Ukraine", "--json")
    assert [hit["article_id"] for hit in json.loads(found.stdout)["hits"]] == ["article"]
    (tmp_path / "a" / "article.txt").write_text("Titre A\n\nUkraine et Russie.\n",
                                                encoding="utf-8")
    again = cli_main("index", "--index", index, str(tmp_path / "a"))  # its own file: updated
    assert again.returncode == 0 and "1 updated" in again.stderr


def test_an_index_that_cannot_be_made_says_why(tmp_path, cli_main):
    """A path under a file: the library's own error, not NotADirectoryError."""
    (tmp_path / "notes.txt").write_text("à moi", encoding="utf-8")
    with pytest.raises(frsearch.IndexWriteError, match="cannot make an index at .*Not a dir"):
        frsearch.open_index(tmp_path / "notes.txt" / "ix", create=True)
    done = cli_main("index", "--index", str(tmp_path / "notes.txt" / "ix"))
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "à moi"
