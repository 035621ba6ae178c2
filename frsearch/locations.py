"""Where things are: the built-in seed articles and the default index folder."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["default_index_dir", "seeds_dir"]

INDEX_ENV = "FRSEARCH_INDEX"


def seeds_dir() -> Path:
    """The five seed articles: inside the installed package, or at the top of a
    source checkout (an editable install)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "seeds", here.parent / "seeds"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("the built-in seed articles are missing from this installation")


def default_index_dir() -> Path:
    """``$FRSEARCH_INDEX``, else ``$XDG_DATA_HOME/frsearch/index``
    (``~/.local/share/frsearch/index`` when XDG_DATA_HOME is unset)."""
    chosen = os.environ.get(INDEX_ENV)
    if chosen:
        return Path(chosen).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME") or ""
    base = Path(data_home).expanduser() if os.path.isabs(data_home) else (
        Path.home() / ".local" / "share")
    return base / "frsearch" / "index"
