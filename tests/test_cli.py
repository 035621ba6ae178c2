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
    assert set(payload) == {"query", "total", "hits", "suggestion"}
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
