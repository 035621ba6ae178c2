"""Name variants and synonyms: groups of spellings that find one another.

A synonym file is plain UTF-8 text, one group per line, variants separated by
commas; ``#`` starts a comment::

    # Ukraine's capital, in the French and the Ukrainian transliteration
    Kiev, Kyiv

A variant may be several words (``États-Unis``): it then matches as a phrase.
Variants are compared after French analysis, so case, accents and inflection
do not matter (``Etats-Unis`` is ``États-Unis``). Groups apply at query time:
a query word that is a variant searches for every variant of its group, and
highlighting marks whichever variant the passage holds. Keep groups to true
equivalents: Moscou and Kremlin are not synonyms, they name different things.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from frsearch.analysis import analyze
from frsearch.errors import FrsearchError

__all__ = ["BUILTIN_GROUPS", "SynonymError", "Synonyms", "load_synonyms"]

BUILTIN_GROUPS = """
# Frequent name variants in French news.
Kiev, Kyiv, Kyïv
OTAN, NATO
Poutine, Putin
États-Unis, USA
Zelensky, Zelenskyy, Zelenskiy, Zelenskyi
Biélorussie, Bélarus, Belarus
Moldavie, Moldova
Pékin, Beijing
Union européenne, UE
ONU, Nations unies
"""


class SynonymError(FrsearchError, ValueError):
    """A synonym file that cannot be read; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class Synonyms:
    """Variant → its group, each variant as the sequence of its index terms."""

    groups: dict[tuple[str, ...], tuple[tuple[str, ...], ...]]

    def variants(self, terms: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
        """Every variant of the group ``terms`` belongs to (itself included), or ()."""
        return self.groups.get(terms, ())

    def merged(self, other: Synonyms) -> Synonyms:
        groups = dict(self.groups)
        for key, group in other.groups.items():
            joined = tuple(dict.fromkeys(groups.get(key, ()) + group))
            for variant in joined:
                groups[variant] = joined
        return Synonyms(groups)


def parse_synonyms(text: str, source: str = "synonyms") -> Synonyms:
    """The groups of a synonym file's ``text``; ``source`` names it in errors.

    >>> parse_synonyms("États-Unis, USA  # deux graphies").variants(("usa",))
    (('etat', 'unis'), ('usa',))
    """
    groups: dict[tuple[str, ...], tuple[tuple[str, ...], ...]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        variants = (tuple(analyze(part)) for part in line.split(",") if part.strip())
        analysed = tuple(dict.fromkeys(variant for variant in variants if variant))
        if len(analysed) < 2:
            raise SynonymError(
                f"{source}:{number}: a group needs two variants or more, separated by commas")
        for variant in analysed:
            groups[variant] = tuple(dict.fromkeys(groups.get(variant, ()) + analysed))
    return Synonyms(groups)


def load_synonyms(path: str | os.PathLike | None = None, builtin: bool = True) -> Synonyms:
    """The built-in groups, plus those of the file at ``path`` if given."""
    synonyms = parse_synonyms(BUILTIN_GROUPS, "built-in") if builtin else Synonyms({})
    if path is None:
        return synonyms
    try:
        # utf-8-sig: Notepad's byte order mark would make "#" on line 1 no comment
        with open(path, encoding="utf-8-sig") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise SynonymError(f"cannot read synonym file {path}: {reason}") from None
    return synonyms.merged(parse_synonyms(text, str(path)))
