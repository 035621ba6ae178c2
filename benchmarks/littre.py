"""The Littré benchmark corpus: Debian's ``stardict-xmlittre`` as JSON Lines.

One dictionary entry is one article: its headword is the title, and its senses
and quotation blocks are the paragraphs. The path of the data:

1. ``apt-get download stardict-xmlittre`` into the data folder (no root needed);
2. the ``.deb`` is an ``ar`` archive whose ``data.tar.*`` holds the StarDict files;
3. ``.idx``: NUL-terminated UTF-8 headword, then big-endian uint32 offset and
   size into the uncompressed ``.dict.dz`` (dictzip is gzip-compatible);
4. each entry's Pango markup is split into paragraphs (see ``entry_paragraphs``).

Entries that share a definition (spelling variants) point at the same bytes;
each stays an article of its own, as a reader looking the word up would see it.
"""

from __future__ import annotations

import gzip
import html
import io
import json
import re
import shutil
import struct
import subprocess
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "stardict-xmlittre"
STARDICT_NAME = "XMLittre"
HOW_TO_GET = (
    f"get it with 'apt-get download {PACKAGE}' (Debian or Ubuntu, no root needed) "
    f"or from https://packages.debian.org/{PACKAGE}, and put the .deb in {{folder}}"
)

# Markup seen in the entries (one line each, blank lines between senses):
#   <i><small>(che-val) s. m.</small></i>              pronunciation and part of speech
#   <b>1°</b> Animal domestique…                        a numbered sense
#       Fig. N'avoir ni cheval ni mule…                 a sub-sense (indented)
#   <span foreground="#0000CD">quotation</span>, <span foreground="#B22222">AUTHOR</span>,
#   <span foreground="#556B2F">reference</span>.        a quotation, one a line
#       XVIe s.                                          a century, opening historical quotations
#   <b><big>ÉTYMOLOGIE</big></b>                        a section title
#   <small> <b>1°</b> … </small>                        a summary of the senses (long entries)
_QUOTATION = re.compile(
    r'<span foreground="#0000CD">(.*?)</span>, <span foreground="#B22222">(.*?)</span>, '
    r'<span foreground="#556B2F">(.*?)</span>\.?'
)
_SECTION = re.compile(r"^<b><big>.*</big></b>$")
_CENTURY = re.compile(r"^[XVI]+e s\.$")
_TAG = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Entry:
    """One dictionary entry as StarDict stores it: headword and Pango markup."""

    number: int
    headword: str
    markup: str


def _plain(markup: str) -> str:
    """Text without tags or entities, spaces collapsed."""
    return _SPACES.sub(" ", html.unescape(_TAG.sub("", markup))).strip()


def _is_label(text: str) -> bool:
    """A line that introduces what follows rather than saying something itself."""
    return bool(_CENTURY.match(text)) or 0 < len(text.split()) <= 3


def _quotation_text(match: re.Match[str]) -> str:
    # "quotation, AUTHOR, reference." with the empty parts left out
    parts = [part for part in match.groups() if _plain(part)]
    text = ", ".join(parts)
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def entry_paragraphs(markup: str) -> list[str]:
    """Paragraphs of one entry: each sense or sub-sense, each run of quotations.

    Lines that only introduce what follows (a century, a label such as "Fig." or
    "2° Absolument.") open the next paragraph of their block instead of being one;
    the pronunciation and a supplement's "CHEVAL. Ajoutez :" open the next
    paragraph across the blank line that follows them.
    Section titles (ÉTYMOLOGIE, HISTORIQUE…) are dropped, their content kept.
    """
    paragraphs: list[str] = []
    carried: list[str] = []  # introductions kept across the blank line that follows them
    opening: list[str] = []  # labels waiting, within a block, for what they introduce
    quotations: list[str] = []
    summary: list[str] | None = None

    def add(text: str) -> None:
        paragraphs.append(" ".join(part for part in (*carried, *opening, text) if part))
        carried.clear()
        opening.clear()

    def end_quotations() -> None:
        if quotations:
            add(" ".join(quotations))
            quotations.clear()

    def end_block() -> None:  # at a blank line or a section title
        end_quotations()
        if opening:
            add("")

    for raw in markup.split("\n"):
        line = raw.strip()
        if summary is not None:
            summary.append(line)
            if "</small>" in line:
                add(_plain(" ".join(summary)))
                summary = None
        elif not line or _SECTION.match(line):
            end_block()
        elif line == "<small>":
            end_block()
            summary = []
        elif line.startswith('<span foreground="#0000CD">'):
            quotations.append(_plain(_QUOTATION.sub(_quotation_text, line)))
        elif line.startswith("<i><small>") and not paragraphs:
            carried.append(_plain(line))
        else:
            end_quotations()
            text = _plain(line)
            if text.endswith(":"):
                carried.append(text)
            elif _is_label(text):
                opening.append(text)
            elif text:
                add(text)
    end_block()
    if carried:
        add("")
    return paragraphs


# -- getting the package ---------------------------------------------------------


def download_package(folder: Path) -> Path:
    """The package's .deb in ``folder``, downloaded with apt-get if absent."""
    folder.mkdir(parents=True, exist_ok=True)
    found = sorted(folder.glob(f"{PACKAGE}_*.deb"))
    if found:
        return found[-1]
    if shutil.which("apt-get") is None:
        raise SystemExit(f"{PACKAGE} is needed for this corpus and apt-get is not available: "
                         + HOW_TO_GET.format(folder=folder))
    print(f"downloading {PACKAGE} into {folder} (apt-get download)…", flush=True)
    done = subprocess.run(["apt-get", "download", PACKAGE], cwd=folder,
                          capture_output=True, text=True)
    found = sorted(folder.glob(f"{PACKAGE}_*.deb"))
    if done.returncode != 0 or not found:
        raise SystemExit(f"apt-get download {PACKAGE} failed ({done.stderr.strip()}): "
                         + HOW_TO_GET.format(folder=folder))
    return found[-1]


def _ar_members(data: bytes) -> Iterator[tuple[str, bytes]]:
    """Members of an ``ar`` archive (a .deb is one): name and content."""
    if not data.startswith(b"!<arch>\n"):
        raise ValueError("not an ar archive")
    at = 8
    while at + 60 <= len(data):
        header = data[at:at + 60]
        name = header[:16].decode().strip().rstrip("/")
        size = int(header[48:58])
        yield name, data[at + 60:at + 60 + size]
        at += 60 + size + (size % 2)  # members are aligned on even offsets


def extract_stardict(deb: Path, folder: Path) -> Path:
    """The ``.idx`` and ``.dict.dz`` of the .deb, copied into ``folder``."""
    target = folder / "stardict"
    wanted = [target / f"{STARDICT_NAME}{suffix}" for suffix in (".idx", ".dict.dz")]
    if all(path.exists() for path in wanted):
        return target
    target.mkdir(parents=True, exist_ok=True)
    for name, content in _ar_members(deb.read_bytes()):
        if not name.startswith("data.tar"):
            continue
        try:
            archive = tarfile.open(fileobj=io.BytesIO(content))  # gz, bz2 or xz
        except tarfile.ReadError:
            raise SystemExit(f"cannot read {name} in {deb} with Python's tarfile; extract it "
                             f"with 'dpkg-deb -x {deb} {target}' and copy the "
                             f"{STARDICT_NAME}.* files into {target}") from None
        with archive:
            for member in archive.getmembers():
                base = Path(member.name).name
                if base.startswith(STARDICT_NAME + ".") and member.isfile():
                    source = archive.extractfile(member)
                    assert source is not None
                    (target / base).write_bytes(source.read())
        return target
    raise SystemExit(f"{deb} holds no data.tar: not a Debian package?")


def read_entries(stardict: Path) -> Iterator[Entry]:
    """Entries in the order of the ``.idx`` (StarDict's sorted headwords)."""
    index = (stardict / f"{STARDICT_NAME}.idx").read_bytes()
    with gzip.open(stardict / f"{STARDICT_NAME}.dict.dz") as compressed:
        definitions = compressed.read()
    at = number = 0
    while at < len(index):
        end = index.index(b"\0", at)
        offset, size = struct.unpack(">II", index[end + 1:end + 9])
        yield Entry(number, index[at:end].decode("utf-8"),
                    definitions[offset:offset + size].decode("utf-8"))
        at = end + 9
        number += 1


# -- writing the corpus ----------------------------------------------------------


def article_record(entry: Entry) -> dict:
    """The frsearch JSON Lines record of one entry; the id is stable across runs
    of the same package version (the entry's rank in the index)."""
    return {
        "id": f"littre-{entry.number:06d}",
        "title": entry.headword,
        "paragraphs": entry_paragraphs(entry.markup),
    }


def text_bytes(record: dict) -> int:
    """Bytes of text an article holds: its title and its paragraphs, in UTF-8."""
    return len(record["title"].encode()) + sum(len(p.encode()) for p in record["paragraphs"])


def write_full_corpus(data: Path, target: Path) -> None:
    """All entries as JSON Lines at ``target``, downloading the package if needed."""
    stardict = extract_stardict(download_package(data), data)
    partial = target.with_suffix(".jsonl.part")
    with partial.open("w", encoding="utf-8") as out:
        for entry in read_entries(stardict):
            record = article_record(entry)
            if record["paragraphs"]:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
    partial.replace(target)


def write_slice(full: Path, target: Path, max_text_bytes: int) -> None:
    """The first articles of ``full`` holding up to ``max_text_bytes`` of text."""
    partial = target.with_suffix(".jsonl.part")
    taken = 0
    with full.open(encoding="utf-8") as source, partial.open("w", encoding="utf-8") as out:
        for line in source:
            taken += text_bytes(json.loads(line))
            if taken > max_text_bytes:
                break
            out.write(line)
    partial.replace(target)
