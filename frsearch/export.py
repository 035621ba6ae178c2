"""Export: an frsearch index as an OpenSearch or Elasticsearch index definition
and bulk files, for a collection one process can no longer serve.

``export_opensearch(index_dir, out_dir)`` writes into ``out_dir``:

* ``index.json``: the body of ``PUT /<name>``: ``settings`` whose custom
  analyzer reproduces ``frsearch.analyze`` with the engines' built-in filters
  (``analysis_settings``), and ``mappings`` for every field a hit shows;
* ``bulk-00001.ndjson``…: the passages, ``BULK_PASSAGES`` a file, each line pair
  an ``index`` action whose ``_id`` is the passage id, so that sending them again
  replaces instead of duplicating (``POST /<name>/_bulk``);
* ``vocabulary.json``: each term of the passages with the number of passages
  holding it, and the accent forms (``analysis.accent_form``), which typo
  correction and accent-free typing read before a query is sent
  (``frsearch.opensearch``).

The analyzer, filter by filter, and why each is there:

1. char filter ``frsearch_characters`` (mapping): letters written as a base
   letter and a combining accent become the one NFC letter (``analysis.normalize``),
   and the typographic apostrophes (’ ‘ ʼ) the ASCII one, which is what
   ``analysis.lowercase_word`` gives stop words and the stemmer;
2. char filters ``frsearch_word_ends`` and ``frsearch_invisibles`` (pattern_replace):
   soft hyphens, zero-width and direction marks removed, as
   ``analysis.without_invisibles`` leaves them out of a word's term (the engine
   corrects offsets for removed characters); before an apostrophe they end the
   word instead (``l``+zero-width space+``’Ukraine`` is ``l`` ``Ukraine`` for frsearch);
3. tokenizer ``frsearch_tokens`` (pattern, group 0): ``analysis._TOKEN_RE`` in Java's
   syntax, so words and numbers are cut where frsearch cuts them (a hyphen
   separates, an apostrophe joins, ``13 000`` with a no-break space is one token);
4. ``frsearch_number_groups`` (pattern_replace): the group separators of a
   number go (``13’000`` → ``13000``);
5. ``frsearch_elision`` (elision, case-insensitive): ``l'``, ``qu'``, ``jusqu'``…
   before lowercasing, as frsearch does;
6. ``lowercase``;
7. ``frsearch_stop``: frsearch's stop words, with their accent-free spellings;
8. ``frsearch_function_words`` (stemmer_override): a function word the stop list
   keeps (``entre``, ``après``, typed ``apres`` too) gets its term, prefixed with
   ``~`` to tell it from a content word stemmed like it, and is not stemmed again;
9. ``frsearch_known_words`` (stemmer_override): the words of the exported
   passages whose stem differs between Snowball releases (``ENGINE_SENSITIVE``)
   get frsearch's term; then ``frsearch_snowball``: Snowball French on the
   accented word;
10. ``asciifolding``, then ``lowercase`` again and ``frsearch_term_chars``: what
    ``unidecode`` and ``analysis._NOT_TERM_CHAR`` do after stemming;
11. ``frsearch_collisions`` (pattern_replace): a content word stemmed like a
    function word gets ``analysis.COLLISION_MARK`` (``entrée`` → ``entre~``);
    ``frsearch_function_mark`` then removes the ``~`` prefix of step 8;
12. ``frsearch_nonempty`` (length ≥ 1): a word whose term is empty is dropped.

The search analyzer adds ``frsearch_synonyms`` (synonym_graph) at the end:
the engines analyse each rule with the filters before it, so a rule is written
as the variant's words and means what frsearch's group means.

Where the engines differ: metadata (``meta``, any JSON) is ``flattened`` in
Elasticsearch and ``flat_object`` in OpenSearch (2.7 and later); everything else
in the definition is read the same by both. What the Lucene comparison
(``tests/lucene``) found about the analyzer is in ``benchmarks/export_parity.py``.
"""

from __future__ import annotations

import base64
import json
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from unidecode import unidecode

from frsearch import __version__, analysis
from frsearch.analysis import accent_forms, indexed_terms
from frsearch.errors import FrsearchError
from frsearch.synonyms import BUILTIN_GROUPS

__all__ = [
    "BULK_PASSAGES",
    "ExportError",
    "ExportReport",
    "FLAVOURS",
    "analysis_settings",
    "export_opensearch",
    "index_definition",
    "passage_document",
    "synonym_rules",
]

FLAVOURS = ("opensearch", "elasticsearch")
BULK_PASSAGES = 5_000
"""Passages per bulk file: about 5 MB of news text, within the engines'
advice for one bulk request (5 to 15 MB)."""
DEFINITION_FILE = "index.json"
VOCABULARY_FILE = "vocabulary.json"
BULK_PATTERN = re.compile(r"^bulk-\d{5}\.ndjson$")
INDEX_ANALYZER = "frsearch_french"
SEARCH_ANALYZER = "frsearch_french_search"
FUNCTION_PREFIX = "~"
"""Put before a function word's term by ``frsearch_function_words`` and taken
off after the collision marks: no term of a text can start so."""


class ExportError(FrsearchError):
    """An export that cannot be written (bad flavour, output not writable)."""


# -- the analyzer ---------------------------------------------------------

_WORD_CHAR = r"[\p{L}\p{N}_]"
"""Python's ``\\w`` on str: letters and numbers of any script, and ``_``."""
_DIGIT = r"\p{Nd}"
"""Python's ``\\d`` on str: decimal digits of any script."""


def _java_chars(characters: str) -> str:
    """``characters`` as a Java regex class body, each as ``\\uXXXX`` (or escaped)."""
    return "".join(char if char.isalnum() else f"\\u{ord(char):04x}" for char in characters)


# After frsearch_characters, every apostrophe is ASCII: the separators of a
# number are the ASCII apostrophe, the dot and the three no-break spaces
_SEPARATORS = "'.\u00a0\u202f\u2009"
assert set(_SEPARATORS) == set(analysis._GROUP_SEPARATORS) - set(analysis.APOSTROPHES) | {"'"}

TOKEN_PATTERN = (
    rf"(?<![\p{{L}}\p{{N}}_.,]){_DIGIT}{{1,3}}(?:[{_java_chars(_SEPARATORS)}]{_DIGIT}{{3}})+"
    rf"(?!{_WORD_CHAR}|[.,]{_DIGIT})"
    rf"|{_WORD_CHAR}+(?:'{_WORD_CHAR}+)*"
)
"""``analysis._TOKEN_RE`` in Java's syntax, once char filters have made every
apostrophe ASCII and removed the invisible characters."""

NUMBER_SEPARATOR_PATTERN = (
    rf"(?<=^{_DIGIT}{{1,3}}(?:[{_java_chars(_SEPARATORS)}]{_DIGIT}{{3}}){{0,64}})"
    rf"[{_java_chars(_SEPARATORS)}]"
    rf"(?={_DIGIT}{{3}}(?:[{_java_chars(_SEPARATORS)}]{_DIGIT}{{3}})*$)"
)
"""A separator inside a token that is a whole grouped number (and only there:
``12'345`` typed after a comma is a word for frsearch, kept as it is)."""


def _composition_rules() -> list[str]:
    """Mapping rules composing a Latin letter and one combining accent into its
    NFC letter: the decomposed spellings of the letters French uses (and of the
    rest of Latin-1 and Latin Extended-A), which is what NFC changes in text."""
    rules = []
    for base in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ":
        for mark in range(0x300, 0x370):
            decomposed = base + chr(mark)
            composed = unicodedata.normalize("NFC", decomposed)
            if len(composed) == 1:
                rules.append(f"{decomposed} => {composed}")
    return rules


def _function_word_rules() -> list[str]:
    """stemmer_override rules: each function word, and its accent-free spelling
    (``apres`` is ``après``), to its term behind ``FUNCTION_PREFIX``."""
    rules = []
    for word in sorted(analysis.FUNCTION_WORDS):
        spellings = sorted({word, unidecode(word)})
        rules.append(f"{', '.join(spellings)} => "
                     f"{FUNCTION_PREFIX}{analysis.term_for_word(word)}")
    return rules


ENGINE_SENSITIVE = re.compile(
    r"[ëïüÿ]|oux$|aises?$|ai[st]?$|aient$|^ni|épl"  # Snowball releases
    r"|[^a-z0-9'àâäçéèêëîïôöùûüÿœæ]"                # folding
)
"""Words whose term the engine's own filters may not give as frsearch does.

Snowball French changed between the releases that frsearch (``snowballstemmer``
2.2 or 3.x) and the engines' Lucene may run: Snowball 2.0 reads the diaeresis
(``archaïque``, ``aiguë``: Lucene 8 keeps ``archaiqu``, ``aigue``); Snowball 3.0
stems ``-oux`` (``genoux`` → ``genou``) and ``-aise`` (``française`` → ``franc``)
and no longer cuts ``-ais`` after ``al``, ``auv``, ``ni``, ``épl`` (``palais``,
``mauvais``, ``nier``). And ``unidecode`` spells other scripts and symbols in
Latin letters (``λόγος`` → ``logos``, ``½`` → ``12``) where ASCII folding leaves
them (and the term is then empty). The export gives the words of its passages
that look so their frsearch term outright (``frsearch_known_words``): measured
on 10 MB of the Littré with Lucene's own filters, see ``benchmarks/export_parity.py``."""


def word_overrides(texts: Iterable[str]) -> dict[str, str]:
    """Of the words of ``texts`` (NFC) that ``ENGINE_SENSITIVE`` matches, each
    as the engine's stemmer sees it (lowercase, elision gone) → its frsearch term."""
    overrides: dict[str, str] = {}
    for text in texts:
        for match in analysis._TOKEN_RE.finditer(text):
            if match.lastgroup != "word":
                continue
            word = match.group()
            cut, term = analysis._analyse_word(word)
            if not term:
                continue
            lowered = analysis.lowercase_word(analysis.without_invisibles(word[cut:]))
            if lowered not in overrides and lowered not in analysis.FUNCTION_WORDS \
                    and ENGINE_SENSITIVE.search(lowered) and "," not in lowered:
                overrides[lowered] = term
    return overrides


def _override_rules(overrides: dict[str, str]) -> list[str]:
    return [f"{word} => {term}" for word, term in sorted(overrides.items())]


def _function_stems() -> list[str]:
    return sorted(analysis._FUNCTION_STEMS)


def synonym_rules(extra_file: str | os.PathLike | None = None) -> list[str]:
    """Solr-format rules (``Kiev, Kyiv, Kyïv``) for frsearch's groups: the
    built-in ones and those of ``extra_file``. Each variant is written as the
    words that give it terms (``Ministère de l'Intérieur`` as ``Ministère
    Intérieur``): the engines refuse a rule whose analysis leaves a gap."""
    texts = [BUILTIN_GROUPS]
    if extra_file is not None:
        texts.append(Path(extra_file).read_text(encoding="utf-8-sig"))
    rules = []
    for text in texts:
        for line in text.splitlines():
            line = line.split("#", 1)[0].strip()
            variants: dict[tuple[str, ...], str] = {}  # terms → the words giving them
            for part in line.split(","):
                normal = analysis.normalize(part.strip())
                tokens = list(analysis.tokenize(normal))
                terms = tuple(token.term for token in tokens)
                if terms and terms not in variants:  # Kyiv and Kyïv are one variant
                    variants[terms] = " ".join(normal[t.start:t.end] for t in tokens)
            if len(variants) >= 2:
                rules.append(", ".join(variants.values()))
    return rules


def analysis_settings(rules: list[str], overrides: dict[str, str] | None = None) -> dict:
    """The ``analysis`` section of the index settings: char filters, tokenizer,
    filters and the two analyzers (see the module's docstring for the chain)."""
    index_filters = [
        "frsearch_number_groups", "frsearch_elision", "lowercase", "frsearch_stop",
        "frsearch_function_words", "frsearch_known_words", "frsearch_snowball",
        "asciifolding", "lowercase", "frsearch_term_chars", "frsearch_collisions",
        "frsearch_function_mark", "frsearch_nonempty",
    ]
    char_filters = ["frsearch_characters", "frsearch_word_ends", "frsearch_invisibles"]
    return {
        "char_filter": {
            "frsearch_characters": {
                "type": "mapping",
                "mappings": _composition_rules() + [
                    f"{a} => '" for a in analysis.APOSTROPHES if a != "'"],
            },
            "frsearch_word_ends": {
                "type": "pattern_replace",
                "pattern": f"[{_java_chars(analysis.INVISIBLE)}]+(?=')",
                "replacement": " ",
            },
            "frsearch_invisibles": {
                "type": "pattern_replace",
                "pattern": f"[{_java_chars(analysis.INVISIBLE)}]+",
                "replacement": "",
            },
        },
        "tokenizer": {
            "frsearch_tokens": {"type": "pattern", "pattern": TOKEN_PATTERN, "group": 0},
        },
        "filter": {
            "frsearch_number_groups": {
                "type": "pattern_replace", "pattern": NUMBER_SEPARATOR_PATTERN,
                "replacement": "", "all": True,
            },
            "frsearch_elision": {
                "type": "elision", "articles_case": True,
                "articles": sorted(analysis.ELISIONS),
            },
            "frsearch_stop": {
                "type": "stop", "ignore_case": False,
                "stopwords": sorted(analysis.STOP_WORDS | analysis._STOP_WORDS_FOLDED),
            },
            "frsearch_function_words": {
                "type": "stemmer_override", "rules": _function_word_rules(),
            },
            "frsearch_known_words": {
                "type": "stemmer_override", "rules": _override_rules(overrides or {}),
            },
            "frsearch_snowball": {"type": "snowball", "language": "French"},
            "frsearch_term_chars": {
                "type": "pattern_replace", "pattern": "[^a-z0-9'~]",
                "replacement": "", "all": True,
            },
            "frsearch_collisions": {
                "type": "pattern_replace",
                "pattern": f"^({'|'.join(_function_stems())})$",
                "replacement": f"$1{analysis.COLLISION_MARK}",
            },
            "frsearch_function_mark": {
                "type": "pattern_replace", "pattern": f"^{FUNCTION_PREFIX}",
                "replacement": "",
            },
            "frsearch_nonempty": {"type": "length", "min": 1},
            "frsearch_synonyms": {
                "type": "synonym_graph", "expand": True, "synonyms": rules,
            },
        },
        "analyzer": {
            INDEX_ANALYZER: {
                "type": "custom", "char_filter": char_filters,
                "tokenizer": "frsearch_tokens", "filter": index_filters,
            },
            SEARCH_ANALYZER: {
                "type": "custom", "char_filter": char_filters,
                "tokenizer": "frsearch_tokens",
                "filter": index_filters + ["frsearch_synonyms"],
            },
        },
    }


# -- the definition -------------------------------------------------------

def _mappings(flavour: str, passages: int) -> dict:
    text = {"type": "text", "analyzer": INDEX_ANALYZER, "search_analyzer": SEARCH_ANALYZER}
    return {
        "dynamic": "strict",
        "_meta": {"frsearch": {"version": __version__, "passages": passages,
                               "analyzer": INDEX_ANALYZER}},
        "properties": {
            "passage_id": {"type": "keyword"},
            "article_id": {"type": "keyword"},
            "paragraph": {"type": "integer"},
            "title": text,
            "heading": text,
            "text": text,
            "date": {"type": "keyword"},
            "date_value": {"type": "date", "format": "yyyy-MM-dd||yyyy-MM||yyyy",
                           "ignore_malformed": True},
            "sketch": {"type": "binary"},
            "source": {"type": "keyword", "index": False},
            "meta": {"type": "flat_object" if flavour == "opensearch" else "flattened"},
        },
    }


def index_definition(flavour: str = "opensearch", rules: list[str] | None = None,
                     passages: int = 0, overrides: dict[str, str] | None = None) -> dict:
    """The body of ``PUT /<name>`` for ``flavour`` ("opensearch" or "elasticsearch")."""
    if flavour not in FLAVOURS:
        raise ExportError(f"unknown engine {flavour!r}: choose one of {', '.join(FLAVOURS)}")
    return {
        "settings": {
            "index": {"number_of_shards": 1, "number_of_replicas": 1},
            "analysis": analysis_settings(synonym_rules() if rules is None else rules,
                                          overrides),
        },
        "mappings": _mappings(flavour, passages),
    }


_DATE_VALUE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")


def passage_document(stored) -> dict:
    """The engine's document for one ``indexing.StoredPassage``."""
    document = {
        "passage_id": stored.passage_id,
        "article_id": stored.article_id,
        "paragraph": stored.paragraph,
        "title": stored.title,
        "heading": stored.heading,
        "text": stored.text,
        "date": stored.date,
        "sketch": base64.b64encode(stored.sketch).decode("ascii"),
        "source": stored.source,
        "meta": stored.meta or {},
    }
    if stored.date and _DATE_VALUE.match(stored.date):
        document["date_value"] = stored.date
    return document


# -- writing --------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ExportReport:
    """What an export wrote."""

    out_dir: str
    passages: int
    bulk_files: tuple[str, ...]
    terms: int
    """Distinct terms in ``vocabulary.json``."""


def _stored_passages(index) -> Iterator:
    """The index's live passages, ordered by article id and paragraph, so that
    exporting the same index twice writes the same files."""
    from frsearch.catalog import catalog
    from frsearch.indexing import StoredPassage

    searcher = index._current_searcher()
    reader = searcher.reader()
    sketches = reader.column_reader("text", translate=False) if reader.doc_count() else None
    order = catalog(reader).passage_order  # the passage id, without reading the passage
    for docnum in sorted(reader.all_doc_ids(), key=order):
        yield StoredPassage.from_fields(searcher.stored_fields(docnum),
                                        sketches[docnum] if sketches is not None else None)


def export_opensearch(index_dir: str | os.PathLike, out_dir: str | os.PathLike,
                      flavour: str = "opensearch",
                      progress: Callable[[int], None] | None = None) -> ExportReport:
    """Write the index definition, bulk files and vocabulary of the index at
    ``index_dir`` into ``out_dir`` (made if absent; bulk files of an earlier
    export there are replaced). ``progress`` is called with the passages
    written so far, after each bulk file."""
    from frsearch.index import open_index
    from frsearch.store import read_settings

    if flavour not in FLAVOURS:
        raise ExportError(f"unknown engine {flavour!r}: choose one of {', '.join(FLAVOURS)}")
    out = Path(out_dir).expanduser()
    try:
        out.mkdir(parents=True, exist_ok=True)
        for old in out.iterdir():
            if BULK_PATTERN.match(old.name):
                old.unlink()
    except OSError as error:
        raise ExportError(f"cannot write the export into {out}: {error.strerror}") from None
    frequencies: Counter[str] = Counter()
    forms: set[str] = set()
    overrides: dict[str, str] = {}
    bulk_files: list[str] = []
    written = 0
    with open_index(index_dir) as index:
        rules = synonym_rules(read_settings(index.path).get("synonyms"))
        chunk: list[str] = []
        for stored in _stored_passages(index):
            text = analysis.normalize(stored.text)
            frequencies.update(set(indexed_terms(text)[0]))
            forms.update(accent_forms(text))
            for field_text in (text, stored.title, stored.heading or ""):
                overrides.update(word_overrides([analysis.normalize(field_text)]))
            action = {"index": {"_id": stored.passage_id}}
            chunk.append(json.dumps(action, ensure_ascii=False))
            chunk.append(json.dumps(passage_document(stored), ensure_ascii=False))
            written += 1
            if written % BULK_PASSAGES == 0:
                bulk_files.append(_write_bulk(out, len(bulk_files) + 1, chunk))
                chunk = []
                if progress is not None:
                    progress(written)
        if chunk:
            bulk_files.append(_write_bulk(out, len(bulk_files) + 1, chunk))
            if progress is not None:
                progress(written)
    definition = index_definition(flavour, rules, written, overrides)
    _write_json(out / DEFINITION_FILE, definition)
    _write_json(out / VOCABULARY_FILE, {
        "frsearch": __version__,
        "passages": written,
        "terms": dict(sorted(frequencies.items())),
        "forms": sorted(forms),
    })
    return ExportReport(str(out), written, tuple(bulk_files), len(frequencies))


def _write_bulk(out: Path, number: int, lines: list[str]) -> str:
    name = f"bulk-{number:05d}.ndjson"
    # every line ends with a newline, the last too: the bulk API requires it
    (out / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return name


def _write_json(path: Path, value: dict) -> None:
    # ASCII: the mapping rules hold combining accents and invisible characters,
    # which JSON's \\u escapes make readable
    path.write_text(json.dumps(value, indent=1) + "\n", encoding="utf-8")
