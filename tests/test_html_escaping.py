"""HTML in the text: ``snippet`` is HTML whose only tags are the ``<mark>`` of the
matches; ``text`` (and the title) stay exactly as written."""

from __future__ import annotations

import html
import json
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import frsearch
from frsearch.analysis import normalize, tokenize
from frsearch.highlight import make_snippet

SCRIPT = "Le site affichait <script>alert(1)</script> avant la coupure du réseau."
TAGS = ('Balises <b>gras</b> & entités &amp; "guillemets" \'apostrophes\' '
        "<mark>faux</mark> <img src=x onerror=alert(2)> <!-- commentaire --> fin.")
TITLE = "<i>Alerte</i> & «sécurité» <script>"
LONG = ("Un long texte de remplissage sans balise. " * 12 + "<script>document.cookie</script> "
        + "Encore du remplissage sans balise aucune. " * 12).strip()


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.comments: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)

    def handle_comment(self, data):
        self.comments.append(data)


def tags_of(fragment: str) -> _Tags:
    parser = _Tags()
    parser.feed(fragment)
    parser.close()
    return parser


def visible(snippet: str) -> str:
    """The text a browser shows for ``snippet``, without the cut marks."""
    plain = html.unescape(snippet.replace("<mark>", "").replace("</mark>", ""))
    return plain.removeprefix("…").removesuffix("…")


def assert_safe(snippet: str, text: str) -> None:
    parsed = tags_of(snippet)
    assert set(parsed.tags) <= {"mark"} and not parsed.comments, snippet
    assert visible(snippet) in text


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    root = tmp_path_factory.mktemp("html")
    source = root / "html.jsonl"
    source.write_text(json.dumps({"id": "html", "title": TITLE,
                                  "paragraphs": [SCRIPT, TAGS, LONG]}) + "\n", encoding="utf-8")
    with frsearch.open_index(root / "index", create=True) as opened:
        opened.add([source])
        yield opened


@pytest.mark.parametrize(("query", "text"), [
    ("alert", SCRIPT), ("script", SCRIPT), ("coupure réseau", SCRIPT),
    ('"avant la coupure"', SCRIPT),
    ("faux", TAGS), ("gras", TAGS), ("onerror", TAGS), ("guillemets apostrophes", TAGS),
    ("commentaire", TAGS), ("amp", TAGS), ("document cookie", LONG), ("rempli*", LONG),
])
def test_snippet_is_escaped_and_text_is_as_written(index, query, text):
    hits = [hit for hit in index.search(query).hits if hit.text == text]
    assert hits, query
    hit = hits[0]
    assert hit.text == text and hit.title == TITLE  # as written
    assert_safe(hit.snippet, text)
    assert hit.snippet.count("<mark>") == hit.snippet.count("</mark>") >= 1
    for start, end in hit.matches:
        assert "<" not in text[start:end] and ">" not in text[start:end]


def test_script_tag_shows_as_text(index):
    (hit,) = [hit for hit in index.search("alert").hits if hit.text == SCRIPT]
    assert "<script>" not in hit.snippet and "&lt;script&gt;" in hit.snippet
    assert "<mark>alert</mark>(1)&lt;/script&gt;" in hit.snippet


def test_a_literal_mark_tag_in_the_text_is_not_a_match(index):
    hit = index.search("faux").hits[0]
    assert hit.snippet.count("<mark>") == 1  # the real match only
    assert "&lt;mark&gt;<mark>faux</mark>&lt;/mark&gt;" in hit.snippet
    assert "&lt;img src=x onerror=alert(2)&gt;" in hit.snippet


def test_json_output_escapes_snippet_only(index, cli):
    done = cli("query", "alert", "--json", "--index", str(index.path))
    assert done.returncode == 0, done.stderr
    (hit,) = [hit for hit in json.loads(done.stdout)["hits"] if hit["paragraph"] == 1]
    assert hit["text"] == SCRIPT and hit["title"] == TITLE
    assert "<script>" not in hit["snippet"] and "&lt;script&gt;" in hit["snippet"]


def test_terminal_output_shows_the_text_as_written(index, cli):
    done = cli("query", "alert", "--index", str(index.path))
    assert done.returncode == 0 and "<script>**alert**(1)</script>" in done.stdout


HOSTILE_TEXT = st.lists(
    st.sampled_from([*"<>&\"'/=!-;#x ab", "élève", "mark", "script", "&amp;", "<mark>",
                     "</mark>", "…", " "]),
    max_size=120).map("".join)


@settings(max_examples=200, deadline=None, database=None)
@given(HOSTILE_TEXT, st.integers(min_value=20, max_value=300))
def test_any_text_gives_a_safe_snippet(text, size):
    text = normalize(text)
    matches = [(token.start, token.end) for token in tokenize(text)]
    assert_safe(make_snippet(text, matches, size=size), text)
