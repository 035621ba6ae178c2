"""Shared fixtures: a real index of the five seed articles, built once per run."""

from __future__ import annotations

import pytest

import frsearch


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory):
    index = frsearch.open_index(tmp_path_factory.mktemp("seeds") / "index", create=True)
    index.add([frsearch.seeds_dir()])
    yield index
    index.close()


@pytest.fixture(scope="session")
def seed_index_folder(seed_index):
    """The folder of ``seed_index``, for commands run in a subprocess (to read,
    or to copy before damaging it)."""
    return seed_index.path


@pytest.fixture(scope="session")
def seed_passages() -> dict[str, str]:
    """Passage id → text, for every passage of the seeds."""
    return {
        f"{article.id}:{passage.number}": passage.text
        for article in frsearch.read_articles([frsearch.seeds_dir()])
        for passage in article.passages
    }


@pytest.fixture
def time_limit():
    """``with time_limit(seconds):`` fails the test, instead of hanging the
    suite, when the block runs longer (SIGALRM: main thread, POSIX)."""
    import contextlib
    import signal

    @contextlib.contextmanager
    def limit(seconds: float):
        def expire(signum, frame):
            raise TimeoutError(f"still running after {seconds} s")

        previous = signal.signal(signal.SIGALRM, expire)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)

    return limit


@pytest.fixture
def cli(tmp_path_factory):
    """Runs ``python -m frsearch ARGS`` in a subprocess whose default index and
    data folder are throwaway ones: ``cli("query", "x", "--index", str(folder))``."""
    import os
    import subprocess
    import sys

    home = tmp_path_factory.mktemp("xdg")
    env = {k: v for k, v in os.environ.items() if k != "FRSEARCH_INDEX"}
    env.update(XDG_DATA_HOME=str(home), FRSEARCH_INDEX=str(home / "default-index"))

    def run(*args, timeout: float = 120, env_update: dict | None = None,
            **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "frsearch", *args], capture_output=True,
                              env={**env, **(env_update or {})}, timeout=timeout,
                              text=kwargs.pop("text", True), **kwargs)

    run.env = env
    return run


@pytest.fixture
def cli_main(tmp_path_factory, monkeypatch, capsys):
    """Runs ``frsearch ARGS`` in this process through ``frsearch.cli.main``, with
    a throwaway default index and no colour settings: ``cli_main("query", "x")``
    gives a ``CompletedProcess`` like ``cli``'s. Use ``cli`` only for what needs
    a real process (kills, locks, signals, FIFOs, the entry point)."""
    import subprocess

    from frsearch.cli import main

    home = tmp_path_factory.mktemp("xdg")
    for name in ("FRSEARCH_INDEX", "NO_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(home))

    def run(*args: str) -> subprocess.CompletedProcess:
        capsys.readouterr()  # only what this command prints
        try:
            status = main(list(args))
        except SystemExit as exited:  # argparse: --help, --version, a bad option
            status = exited.code if isinstance(exited.code, int) else int(bool(exited.code))
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(args, status, out, err)

    run.home = home
    return run
