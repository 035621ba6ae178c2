"""OpenSearch and Elasticsearch: pushing an export, and searching it as a local index.

``push_opensearch(export_dir, url, name)`` creates the index from ``index.json``
and sends the bulk files with the engine's official client (``opensearch-py``,
or ``elasticsearch``: optional extras, imported only here), retrying with
backoff on 429 and lost connections, and checks the count at the end.

``connect_opensearch(url, name, export_dir)`` returns an object whose
``search(query)`` gives the ``SearchResult`` and ``Hit`` objects a local index
gives. What frsearch does better than the engine is done here, before and after
the request: a query word the index does not know is corrected (``typos``) or
looked up among the accented spellings (``vocabulary.json``), and sent as the
terms it stands for; the engine's ``synonym_graph`` adds name variants; hits
are marked by re-analysing their text (the same spans and escaped ``<mark>``
snippets), and near-duplicates are grouped by their sketches.

Credentials come from ``FRSEARCH_OPENSEARCH_USER`` and
``FRSEARCH_OPENSEARCH_PASSWORD``, or a file named by
``FRSEARCH_OPENSEARCH_CREDENTIALS`` holding ``user:password``: never from a
URL or the command line, and never printed.
"""

from __future__ import annotations

import base64
import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from frsearch import analysis
from frsearch.duplicates import are_near_duplicates
from frsearch.errors import FrsearchError
from frsearch.export import BULK_PATTERN, DEFINITION_FILE, FLAVOURS, VOCABULARY_FILE
from frsearch.highlight import Pattern, SequencePattern, TermPattern, make_snippet, match_groups
from frsearch.query import And, FieldFilter, Node, Not, Phrase, Prefix, Soft, Word
from frsearch.results import Duplicate, Hit, SearchResult
from frsearch.synonyms import Synonyms, load_synonyms
from frsearch.typos import correct, in_case_of

__all__ = [
    "EngineError", "OpenSearchIndex", "PushReport", "Translation", "Vocabulary",
    "connect_opensearch", "credentials", "push_opensearch", "translate",
]

USER_ENV, PASSWORD_ENV = "FRSEARCH_OPENSEARCH_USER", "FRSEARCH_OPENSEARCH_PASSWORD"
CREDENTIALS_FILE_ENV = "FRSEARCH_OPENSEARCH_CREDENTIALS"
RETRIES = 6
"""Tries of one request on 429 or a lost connection, waiting 1, 2, 4… s between."""
PROXIMITY_SLOP = 5
"""Words of different clauses this close lift a passage, as ``scoring.proximity`` counts."""
PROXIMITY_BOOST = 0.5
CONTEXT_BOOST = 0.3
"""The headline and heading count less than the passage (``planning.CONTEXT_BOOSTS``)."""
CORRECTION_BOOST = 0.5
"""A typo's correction counts half, as in ``planning``."""
MAX_PREFIX_TERMS = 50


class EngineError(FrsearchError):
    """The engine refused, could not be reached, or its client is not installed."""


# -- credentials and clients ---------------------------------------------------

def credentials() -> tuple[str, str] | None:
    """(user, password) from the environment or the credentials file, or None."""
    user, password = os.environ.get(USER_ENV), os.environ.get(PASSWORD_ENV)
    if user and password:
        return user, password
    path = os.environ.get(CREDENTIALS_FILE_ENV)
    if path:
        try:
            line = Path(path).read_text(encoding="utf-8").splitlines()[0]
        except (OSError, IndexError):
            raise EngineError(f"cannot read the credentials file named by "
                              f"${CREDENTIALS_FILE_ENV}") from None
        user, _, password = line.partition(":")
        if not user or not password:
            raise EngineError(f"the credentials file named by ${CREDENTIALS_FILE_ENV} "
                              "must hold user:password on its first line")
        return user, password.strip()
    return None


def _client(url: str, flavour: str):
    """The engine's official client for ``url``, credentials from the environment."""
    if flavour not in FLAVOURS:
        raise EngineError(f"unknown engine {flavour!r}: choose one of {', '.join(FLAVOURS)}")
    if "@" in url.split("//", 1)[-1].split("/", 1)[0]:
        raise EngineError(f"give credentials in ${USER_ENV} and ${PASSWORD_ENV} "
                          "(or a file), not in the URL")
    auth = credentials()
    try:
        if flavour == "opensearch":
            from opensearchpy import OpenSearch
            return OpenSearch(hosts=[url], http_auth=auth, timeout=60)
        from elasticsearch import Elasticsearch
        return Elasticsearch(url, basic_auth=auth, request_timeout=60)
    except ImportError:
        package = "opensearch-py" if flavour == "opensearch" else "elasticsearch"
        raise EngineError(f"the {package} client is not installed: "
                          f"pip install 'frsearch[{flavour}]'") from None


def _status(error: Exception) -> int | None:
    status = getattr(error, "status_code", None)
    if isinstance(status, int):
        return status
    meta = getattr(error, "meta", None)
    return getattr(meta, "status", None)


def _retryable(error: Exception) -> bool:
    """A 429 (the engine asks to slow down) or a connection that failed or timed out."""
    return _status(error) == 429 or "Connection" in type(error).__name__ \
        or "Timeout" in type(error).__name__


def _with_retries(call: Callable[[], Any], what: str, sleep=time.sleep) -> Any:
    for attempt in range(RETRIES):
        try:
            return call()
        except Exception as error:
            if not _retryable(error) or attempt == RETRIES - 1:
                raise EngineError(f"{what}: {_short(error)}") from None
            sleep(2 ** attempt)
    raise AssertionError("unreachable")


def _short(error: Exception) -> str:
    """One line about ``error``, without anything the client may echo of the request."""
    status = _status(error)
    kind = type(error).__name__
    return f"{kind} (HTTP {status})" if status else kind


# -- push -------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class PushReport:
    """What ``push`` did: the engine's index name and how many passages it holds."""

    name: str
    passages: int
    """Passages sent."""
    count: int
    """Documents the engine holds after the push."""
    retries: int
    seconds: float


def push_opensearch(export_dir: str | os.PathLike, url: str, name: str,
                    flavour: str = "opensearch",
                    progress: Callable[[int, int], None] | None = None) -> PushReport:
    """Create index ``name`` at ``url`` from the export in ``export_dir`` (if it
    does not exist yet) and send its passages; raises EngineError if the engine
    refuses a passage or holds another count at the end. Sending the same
    export again replaces the passages (their ids are the documents' ids)."""
    folder = Path(export_dir)
    definition = json.loads((folder / DEFINITION_FILE).read_text(encoding="utf-8"))
    files = sorted(p for p in folder.iterdir() if BULK_PATTERN.match(p.name))
    expected = definition["mappings"]["_meta"]["frsearch"]["passages"]
    client = _client(url, flavour)
    started = time.monotonic()
    exists = _with_retries(lambda: bool(client.indices.exists(index=name)), "index lookup")
    if not exists:
        if flavour == "opensearch":
            _with_retries(lambda: client.indices.create(index=name, body=definition),
                          f"creating index {name}")
        else:
            _with_retries(lambda: client.indices.create(
                index=name, settings=definition["settings"], mappings=definition["mappings"]),
                f"creating index {name}")
    sent = retries = 0
    for path in files:
        lines = path.read_text(encoding="utf-8").splitlines()
        pending = list(zip(lines[::2], lines[1::2], strict=True))
        for attempt in range(RETRIES):
            body = "".join(f"{action}\n{document}\n" for action, document in pending)

            def send(body: str = body) -> Any:
                if flavour == "opensearch":
                    return client.bulk(body=body, index=name)
                return client.bulk(operations=body, index=name)

            answer = dict(_with_retries(send, f"sending {path.name}"))
            if not answer.get("errors"):
                break
            refused, slowed = [], []
            for pair, item in zip(pending, answer["items"], strict=True):
                result = next(iter(item.values()))
                if result.get("status") == 429:
                    slowed.append(pair)
                elif "error" in result:
                    refused.append((json.loads(pair[0])["index"]["_id"], result["error"]))
            if refused:
                passage_id, error = refused[0]
                reason = error.get("reason", error) if isinstance(error, dict) else error
                raise EngineError(f"the engine refused {len(refused)} passages of {path.name}, "
                                  f"{passage_id} first: {reason}")
            pending = slowed
            retries += 1
            time.sleep(2 ** attempt)
        else:
            raise EngineError(f"{path.name}: the engine kept answering 429 (too many requests)")
        sent += len(lines) // 2
        if progress is not None:
            progress(sent, expected)
    _with_retries(lambda: client.indices.refresh(index=name), "refresh")
    count = int(_with_retries(lambda: client.count(index=name), "count")["count"])
    if count != expected:
        raise EngineError(f"index {name} holds {count:,} documents, the export {expected:,}: "
                          "another writer, or passages removed since an earlier export")
    return PushReport(name, sent, count, retries, time.monotonic() - started)


# -- the query translated -----------------------------------------------------

@dataclass(frozen=True, slots=True)
class Vocabulary:
    """What ``vocabulary.json`` says of the exported passages' terms."""

    terms: dict[str, int]
    """Term → passages holding it."""
    forms: dict[str, frozenset[str]]
    """A word typed without accents → the terms of its accented spellings."""

    @classmethod
    def read(cls, path: str | os.PathLike) -> Vocabulary:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        forms: dict[str, set[str]] = {}
        for form in data["forms"]:
            plain, _, term = form.partition(analysis.ACCENT_FORM_SEPARATOR)
            forms.setdefault(plain, set()).add(term)
        return cls(data["terms"], {k: frozenset(v) for k, v in forms.items()})

    def with_prefix(self, prefix: str) -> list[str]:
        return [term for term in self.terms if term.startswith(prefix)]


@dataclass
class Translation:
    """A query in the engine's DSL, and what frsearch needs to show its hits."""

    query: dict
    patterns: list[list[Pattern]] = field(default_factory=list)
    """One group a clause, to mark hits as a local search marks them."""
    corrections: dict[str, str] = field(default_factory=dict)
    """Word as typed → the spelling searched instead."""


def translate(tree: Node | None, vocabulary: Vocabulary,
              synonyms: Synonyms | None = None) -> Translation:
    """``tree`` (``query.parse_query``) as a ``bool`` query of the engine's DSL.

    Clauses side by side are ``should`` clauses of which one at least must hold,
    each held one adding its score (soft coordination), with a ``match_phrase``
    of their words within ``PROXIMITY_SLOP`` as one more ``should`` (proximity);
    the headline and heading add to a passage that holds a clause itself, but
    not to the headline itself.
    """
    translator = _Translator(vocabulary, synonyms or load_synonyms())
    if tree is None:
        return Translation({"match_none": {}})
    query = translator.top(tree)
    return Translation(query, translator.patterns, translator.corrections)


class _Translator:
    def __init__(self, vocabulary: Vocabulary, synonyms: Synonyms):
        self.vocabulary = vocabulary
        self.synonyms = synonyms
        self.patterns: list[list[Pattern]] = []
        self.corrections: dict[str, str] = {}

    def top(self, node: Node) -> dict:
        children = node.children if isinstance(node, Soft) else (node,)
        scored, filters, excluded, words = [], [], [], []
        for child in children:
            if isinstance(child, FieldFilter):
                filters.append(self.filter(child))
            elif isinstance(child, Not):
                excluded.append(self.clause(child.child, record=False))
            else:
                scored.append(self.clause(child))
                if isinstance(child, Word | Phrase):
                    words.append(child.text)
        query: dict = {}
        if scored:
            query["must"] = [scored[0] if len(scored) == 1 else
                             {"bool": {"should": scored, "minimum_should_match": 1}}]
            context = [self.context(child) for child in children
                       if isinstance(child, Word | Phrase)]
            should = [c for c in context if c]
            if len(words) > 1:
                should.append({"match_phrase": {"text": {
                    "query": " ".join(words), "slop": PROXIMITY_SLOP,
                    "boost": PROXIMITY_BOOST}}})
            if should:
                query["should"] = should
        if filters:
            query["filter"] = filters
        if excluded:
            query["must_not"] = excluded
        if not scored:
            query.setdefault("must", [{"match_all": {}}])
        return {"bool": query}

    def clause(self, node: Node, record: bool = True) -> dict:
        if isinstance(node, Word):
            return self.word(node.text, record)
        if isinstance(node, Phrase):
            if record:
                self.patterns.append([self.sequence(node.text)])
            return {"match_phrase": {"text": {"query": node.text}}}
        if isinstance(node, Prefix):
            return self.prefix(node.text, record)
        if isinstance(node, FieldFilter):
            return self.filter(node)
        if isinstance(node, Not):
            return {"bool": {"must_not": [self.clause(node.child, record=False)]}}
        if isinstance(node, And):
            return {"bool": {
                "must": [self.clause(c, record) for c in node.children
                         if not isinstance(c, Not | FieldFilter)] or [{"match_all": {}}],
                "filter": [self.filter(c) for c in node.children if isinstance(c, FieldFilter)],
                "must_not": [self.clause(c.child, record=False) for c in node.children
                             if isinstance(c, Not)],
            }}
        children = [self.clause(c, record) for c in node.children]  # Or, Soft
        return {"bool": {"should": children, "minimum_should_match": 1}}

    def word(self, text: str, record: bool) -> dict:
        tokens = list(analysis.tokenize(analysis.normalize(text)))
        if len(tokens) != 1:  # États-Unis: a phrase; a stop word alone: nothing to match
            if record and tokens:
                self.patterns.append([self.sequence(text)])
            return {"match_phrase": {"text": {"query": text}}} if tokens else {"match_none": {}}
        term = tokens[0].term
        written = analysis.normalize(text)[tokens[0].start:tokens[0].end]
        extra = set(self.vocabulary.forms.get(analysis.fold(written), ())) - {term}
        weight = 1.0
        if term not in self.vocabulary.terms and not extra:
            fixed = correct(written, self.vocabulary.terms.__contains__,
                            lambda t: self.vocabulary.terms.get(t, 0),
                            self.vocabulary.with_prefix)
            if fixed is not None:
                extra = set(fixed.terms)
                weight = CORRECTION_BOOST
                self.corrections[text] = in_case_of(written, fixed.spelling)
        if record:
            patterns: list[Pattern] = [TermPattern(frozenset({term} | extra))]
            for variant in self.synonyms.variants((term,)):
                patterns.append(TermPattern(frozenset(variant)) if len(variant) == 1 else
                                SequencePattern(tuple(frozenset({t}) for t in variant)))
            self.patterns.append(patterns)
        match = {"match": {"text": {"query": text}}}
        if not extra:
            return match
        # each term scored by BM25 as the word itself is (a ``terms`` query scores
        # a constant): on the Debian dev typo queries MRR@10 0.737 → 0.897
        spellings = {"bool": {"should": [{"term": {"text": {"value": term}}}
                                         for term in sorted(extra)], "boost": weight}}
        return {"bool": {"should": [match, spellings], "minimum_should_match": 1}}

    def prefix(self, text: str, record: bool) -> dict:
        cut = analysis._strip_elision(text)
        folded = analysis.fold(text[cut:])
        if record:
            terms = sorted(self.vocabulary.with_prefix(folded),
                           key=lambda t: -self.vocabulary.terms[t])[:MAX_PREFIX_TERMS]
            self.patterns.append([TermPattern(frozenset(terms))])
        return {"prefix": {"text": {"value": folded}}}

    def sequence(self, text: str) -> SequencePattern:
        tokens = list(analysis.tokenize(analysis.normalize(text)))
        return SequencePattern(tuple(frozenset({t.term}) for t in tokens))

    def context(self, node: Word | Phrase) -> dict | None:
        kind = "match_phrase" if isinstance(node, Phrase) or " " in node.text else "match"
        found = {"multi_match": {"query": node.text, "fields": ["title", "heading"],
                                 "type": "phrase" if kind == "match_phrase" else "best_fields",
                                 "boost": CONTEXT_BOOST}}
        # a headline (paragraph 0) is the context of its article's other passages only
        return {"bool": {"must": [found], "must_not": [{"term": {"paragraph": 0}}]}}

    @staticmethod
    def filter(node: FieldFilter) -> dict:
        if node.field == "title":
            return {"match": {"title": {"query": node.value, "operator": "and"}}}
        if node.field == "date":
            if ".." in node.value:
                low, _, high = node.value.partition("..")
                bounds = {key: value for key, value in (("gte", low), ("lte", high)) if value}
                return {"range": {"date_value": bounds}}
            return {"prefix": {"date": node.value}}
        if node.field == "id":
            return {"term": {"article_id": node.value}}
        return {"term": {f"meta.{node.field}": node.value}}


# -- search ----------------------------------------------------------------------

class OpenSearchIndex:
    """An exported index served by OpenSearch or Elasticsearch, searched as a local one."""

    def __init__(self, client, name: str, vocabulary: Vocabulary, flavour: str,
                 synonyms: Synonyms | None = None):
        self._client = client
        self.name = name
        self.vocabulary = vocabulary
        self.flavour = flavour
        self.synonyms = synonyms or load_synonyms()

    def search(self, query: str, limit: int = 10, collapse: bool = True) -> SearchResult:
        """Passages matching ``query``, best first, marked and grouped as
        ``Index.search`` does; scores are the engine's BM25."""
        from frsearch.query import join_digit_groups, parse_query

        translation = translate(parse_query(join_digit_groups(query)), self.vocabulary,
                                self.synonyms)
        fetch = limit * 3 + 10 if collapse else limit
        body = {"query": translation.query, "size": fetch, "track_total_hits": True}
        if self.flavour == "opensearch":
            answer = _with_retries(lambda: self._client.search(index=self.name, body=body),
                                   "search")
        else:
            answer = _with_retries(lambda: self._client.search(index=self.name, **body),
                                   "search")
        answer = dict(answer)
        hits = _hits(answer["hits"]["hits"], translation.patterns, limit, collapse)
        suggestion = None
        if translation.corrections:
            suggestion = query
            for written, spelling in translation.corrections.items():
                suggestion = suggestion.replace(written, spelling)
        return SearchResult(query, int(answer["hits"]["total"]["value"]), hits, suggestion)


def _hits(found: Sequence[dict], patterns: list[list[Pattern]], limit: int,
          collapse: bool) -> list[Hit]:
    """The engine's hits as frsearch's, marked; near-duplicates under the first."""
    kept: list[tuple[bytes, Hit]] = []
    for item in found:
        source = item["_source"]
        sketch = base64.b64decode(source.get("sketch") or "")
        if collapse:
            original = next((hit for seen, hit in kept if are_near_duplicates(seen, sketch)),
                            None)
            if original is not None:
                original.duplicates.append(Duplicate(source["passage_id"], source["article_id"],
                                                     source["title"], source["text"]))
                continue
        if len(kept) == limit:
            continue
        text = source["text"]
        matches, _ = match_groups(text, patterns)
        kept.append((sketch, Hit(
            passage_id=source["passage_id"], article_id=source["article_id"],
            title=source["title"], date=source.get("date"), paragraph=source["paragraph"],
            heading=source.get("heading"), score=float(item.get("_score") or 0.0), text=text,
            matches=matches, snippet=make_snippet(text, matches),
            source=source.get("source", ""), meta=dict(source.get("meta") or {}))))
    return [hit for _, hit in kept]


def connect_opensearch(url: str, name: str, export_dir: str | os.PathLike,
                       flavour: str = "opensearch",
                       synonyms: str | os.PathLike | None = None) -> OpenSearchIndex:
    """The index ``name`` at ``url``, pushed from the export in ``export_dir``
    (whose ``vocabulary.json`` typo correction and accent-free typing read)."""
    vocabulary = Vocabulary.read(Path(export_dir) / VOCABULARY_FILE)
    return OpenSearchIndex(_client(url, flavour), name, vocabulary, flavour,
                           load_synonyms(synonyms))
