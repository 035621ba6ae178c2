"""An index from elsewhere may only ever produce an error: crafted files that
would run a command when unpickled are refused, and the command never runs.
Flipped bytes anywhere in a file are reported as damage, by ``open_index`` for
small files and by ``frsearch check`` for every file."""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import zlib
from pathlib import Path

import pytest
from whoosh.codec.whoosh3 import W3TermInfo
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC

import frsearch
import frsearch.whoosh_internals
from frsearch.codec import passage_order
from frsearch.indexing import build_schema
from frsearch.storage import file_sum
from frsearch.store import INDEX_NAME, index_storage, snapshot


class RunsCommand:
    """Unpickled, runs ``touch CANARY``: what an attacker puts in a file."""

    def __init__(self, canary: Path):
        self.canary = canary

    def __reduce__(self):
        return os.system, (f"touch {self.canary}",)

    def clean(self) -> None:
        """Whoosh calls this on each field of a schema it writes."""


def _newest(folder: Path, pattern: str) -> Path:
    return max(folder.glob(pattern), key=lambda f: int(re.findall(r"\d+", f.stem)[-1]))


def _largest(folder: Path, suffix: str) -> Path:
    return max(folder.glob(f"*{suffix}"), key=lambda f: f.stat().st_size)


def _record_checksums(folder: Path) -> None:
    """What a careful attacker does after changing files: make the checksums
    match again, so that only the unpickler stands in the way."""
    checksums = _newest(folder, "passages-checksums-*.json")
    recorded = json.loads(checksums.read_text(encoding="utf-8"))
    for name in recorded["files"]:
        recorded["files"][name] = list(_as_list(file_sum(folder / name)))
    checksums.write_text(json.dumps(recorded), encoding="utf-8")


def _as_list(total) -> list[int]:
    return [total.size, total.crc32, total.head_crc32, total.tail_crc32]


def _rewrite_toc(folder: Path, schema, segments) -> None:
    toc = _newest(folder, "_passages_*.toc")
    generation = int(toc.stem.rsplit("_", 1)[1])
    toc.unlink()
    TOC(schema, segments, generation).write(FileStorage(str(folder)), INDEX_NAME)


def _segments(folder: Path) -> list:
    return snapshot(index_storage(folder).open_index(INDEX_NAME))[1]


def evil_segments(folder: Path, canary: Path) -> None:
    _rewrite_toc(folder, build_schema(), [*_segments(folder), RunsCommand(canary)])


def evil_schema(folder: Path, canary: Path) -> None:
    schema = build_schema()
    schema.add("evil", frsearch.indexing.FrenchText())
    schema._fields["evil"] = RunsCommand(canary)
    _rewrite_toc(folder, schema, _segments(folder))


def evil_term_table_extras(folder: Path, canary: Path, checksums: bool = True) -> None:
    table = _largest(folder, ".trm")
    data = table.read_bytes()
    (length,) = struct.unpack("!i", data[-4:])
    evil = pickle_of(RunsCommand(canary))
    table.write_bytes(data[:-4 - length] + evil + struct.pack("!i", len(evil)))
    if checksums:
        _record_checksums(folder)


def pickle_of(value) -> bytes:
    import pickle

    return pickle.dumps(value, 2)


CRAFTED = {
    "segments in the table of contents": evil_segments,
    "extras of a term table, checksums made to match": evil_term_table_extras,
    "extras of a term table": lambda f, c: evil_term_table_extras(f, c, checksums=False),
}


@pytest.mark.parametrize("craft", CRAFTED)
def test_a_crafted_index_runs_nothing_and_fails_with_exit_2(seed_index_folder, tmp_path, cli,
                                                            craft):
    folder, canary = tmp_path / "index", tmp_path / "CANARY"
    shutil.copytree(seed_index_folder, folder)
    CRAFTED[craft](folder, canary)
    with pytest.raises(frsearch.IndexDamagedError):
        frsearch.open_index(folder).search("sanctions")
    for command in (["stats"], ["query", "sanctions"], ["index", str(frsearch.seeds_dir())]):
        done = cli(*command, "--index", str(folder))
        assert done.returncode == 2, (command, done.stderr)
        assert done.stderr.startswith("frsearch: ") and done.stderr.count("\n") == 1
        assert "Traceback" not in done.stderr
    done = cli("query", "x", env_update={"FRSEARCH_INDEX": str(folder)})
    assert done.returncode == 2
    assert not canary.exists(), "a command in an index file was run"


def test_the_table_of_contents_says_tampered_when_it_names_a_foreign_class(seed_index_folder,
                                                                         tmp_path, cli):
    folder, canary = tmp_path / "index", tmp_path / "CANARY"
    shutil.copytree(seed_index_folder, folder)
    evil_segments(folder, canary)
    with pytest.raises(frsearch.IndexTamperedError, match="nothing was run"):
        frsearch.open_index(folder)
    done = cli("query", "sanctions", "--index", str(folder))
    assert "not an frsearch index, or tampered with" in done.stderr
    assert not canary.exists()


def test_the_schema_pickled_in_the_table_of_contents_is_never_read(seed_index_folder, tmp_path):
    folder, canary = tmp_path / "index", tmp_path / "CANARY"
    shutil.copytree(seed_index_folder, folder)
    evil_schema(folder, canary)
    with frsearch.open_index(folder) as index:  # frsearch brings its own schema
        assert [hit.passage_id for hit in index.search("sanctions").hits]
    assert not canary.exists()


def test_inlined_postings_in_a_term_table_are_data_only(tmp_path):
    canary = tmp_path / "CANARY"
    info = W3TermInfo()
    info._inlined = ((1, 2), (1.0, 1.0), (None, None))
    data = info.to_bytes()
    assert W3TermInfo.from_bytes(data)._inlined == info._inlined  # plain data reads back
    crafted = data[:W3TermInfo._struct.size] + pickle_of(RunsCommand(canary))
    with pytest.raises(frsearch.IndexTamperedError):
        W3TermInfo.from_bytes(crafted)
    assert not canary.exists()


def test_stored_passages_are_data_only(tmp_path, monkeypatch):
    """An index whose stored passages are pickles (as frsearch wrote them before,
    and as an attacker would) gives an error when a hit is shown, never runs them."""
    folder, canary = tmp_path / "index", tmp_path / "CANARY"
    monkeypatch.setattr(frsearch.whoosh_internals, "encode_record",  # the attacker's writer
                        lambda stored: pickle_of(RunsCommand(canary)))
    with frsearch.open_index(folder, create=True) as index:
        index.add([frsearch.seeds_dir()])
    monkeypatch.undo()
    with frsearch.open_index(folder) as index, pytest.raises(frsearch.IndexDamagedError):
        index.search("sanctions")
    assert not canary.exists()


# -- flipped bytes ----------------------------------------------------------------------

def _flip_middle(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x55
    path.write_bytes(bytes(data))


def test_a_flipped_byte_inside_a_segment_is_damage_not_wrong_results(seed_index_folder,
                                                                     tmp_path, cli):
    for suffix in (".pst", ".trm", "_stored.col", ".zdict"):
        folder = tmp_path / suffix.strip("._")
        shutil.copytree(seed_index_folder, folder)
        _flip_middle(_largest(folder, suffix))
        with pytest.raises(frsearch.IndexDamagedError, match="changed since the commit"):
            frsearch.open_index(folder)
        done = cli("check", "--index", str(folder))
        assert done.returncode == 2, done.stderr
        assert "changed since the commit" in done.stdout + done.stderr


def test_check_reads_every_byte_of_big_files(seed_index_folder, tmp_path, cli, monkeypatch):
    """Files above FULL_CHECK_BYTES have only their ends checked at open; ``check``
    reads them whole."""
    folder = tmp_path / "index"
    shutil.copytree(seed_index_folder, folder)
    _flip_middle(_largest(folder, ".trm"))  # the seeds' largest, past both ends checked at open
    monkeypatch.setattr(frsearch.storage, "FULL_CHECK_BYTES", 0)
    with frsearch.open_index(folder) as index:  # middle of the file not read at open
        report = index.check()
    assert not report.ok and "changed since the commit" in report.problems[0]
    assert report.bytes_read > 0


def test_check_of_a_sound_index_says_so(seed_index_folder, cli):
    with frsearch.open_index(seed_index_folder) as index:
        report = index.check()
    assert report.ok and report.files >= 8
    assert report.bytes_read == sum(f.stat().st_size for f in seed_index_folder.iterdir()
                                    if f.name.startswith("passages_") and f.suffix != ""
                                    and "WRITELOCK" not in f.name) + sum(
        f.stat().st_size for f in seed_index_folder.glob("*.zdict"))
    done = cli("check", "--index", str(seed_index_folder))
    assert done.returncode == 0, done.stderr
    assert "no problem" in done.stdout


def test_check_finds_an_order_column_that_is_not_the_passage_ids(tmp_path, monkeypatch):
    """Ties are ordered by a column (``codec.passage_order``), not by the stored
    passages: ``check`` compares the two."""
    corpus = tmp_path / "corpus.jsonl"
    articles = [{"id": name, "title": name, "paragraphs": ["Un.", "Deux."]}
                for name in ("alpha", "bravo")]
    corpus.write_text("".join(json.dumps(article) + "\n" for article in articles),
                      encoding="utf-8")
    with monkeypatch.context() as patch:
        patch.setattr(frsearch.indexing, "passage_order",
                      lambda article_id, number, position: passage_order(
                          article_id, number + (article_id == "bravo"), position))
        frsearch.open_index(tmp_path / "index", create=True).add([corpus])
    with frsearch.open_index(tmp_path / "index") as index:
        report = index.check()
    assert not report.ok and "bravo:0" in report.problems[0], report.problems


def test_checksums_of_a_commit_match_its_files(seed_index_folder):
    recorded = json.loads(_newest(seed_index_folder, "passages-checksums-*.json")
                          .read_text(encoding="utf-8"))
    for name, (size, crc, _, _) in recorded["files"].items():
        data = (seed_index_folder / name).read_bytes()
        assert (len(data), zlib.crc32(data)) == (size, crc), name
