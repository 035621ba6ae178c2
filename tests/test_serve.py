"""``frsearch serve``: the JSON API over real HTTP against a real server process,
and the search page in a real headless browser (Debian's chromium driven by
Playwright; skipped, saying why, where either is missing)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
from test_hostile_queries import HOSTILE

import frsearch
from frsearch.server import CONTENT_SECURITY_POLICY, MAX_TEXT_CHARS, make_server

CHROMIUM = "/usr/bin/chromium"
START_TIMEOUT = 60

TRAP_TITLE = "<img src=x onerror=window.__pwned=1> Alerte <script>window.__pwned=2</script>"
TRAP_TEXT = ("Le communiqué sur les embargos citait <img src=x onerror=window.__pwned=3> puis "
             "<script>window.__pwned=4</script>, avec Tom &amp; Jerry et des «guillemets» "
             "& \"doubles\".")
TRAP = {
    "id": "piege", "title": TRAP_TITLE, "date": "2022-01", "text": TRAP_TEXT,
    "source": "<b onmouseover=window.__pwned=5>agence</b>",
    "author": "<img src=y onerror=window.__pwned=6>",
    "url": "javascript:window.__pwned=7",
}
WIRE = [
    {"id": "lemonde-2022-02-24", "date": "2022-02-24", "source": "lemonde",
     "author": "Jean Dupont", "url": "https://www.lemonde.fr/international/sanctions.html",
     "title": "Les Européens adoptent de nouvelles sanctions contre Moscou",
     "text": "Les Vingt-Sept ont adopté jeudi un troisième paquet de sanctions visant les "
             "banques russes.\n\nLes avoirs de plusieurs oligarques proches du Kremlin sont "
             "gelés."},
    {"id": "afp-2022-03-01", "date": "2022-03-01", "source": "afp",
     "title": "Sanctions : le rouble s'effondre",
     "text": "Le rouble a perdu près d'un tiers de sa valeur après l'annonce des sanctions "
             "occidentales.\n\nLa banque centrale russe a doublé son taux directeur."},
    {"id": "afp-2021-11-15", "date": "2021-11-15", "source": "afp",
     "title": "Washington prépare des sanctions",
     "text": "Les États-Unis préparent des sanctions économiques si la Russie envahit "
             "l'Ukraine."},
]


@pytest.fixture(scope="module")
def index_folder(tmp_path_factory) -> Path:
    """The seeds, three wire articles with a source and a day, and one article
    whose every field is markup meant to run."""
    articles = tmp_path_factory.mktemp("articles")
    for name, records in (("piege.jsonl", [TRAP]), ("wire.jsonl", WIRE)):
        (articles / name).write_text(
            "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records),
            encoding="utf-8")
    folder = tmp_path_factory.mktemp("served") / "index"
    with frsearch.open_index(folder, create=True) as index:
        report = index.add([frsearch.seeds_dir(), articles])
    assert report.articles == 9 and not report.problems
    return folder


@pytest.fixture(scope="module")
def index(index_folder):
    """The served index, opened in this process too: what the library answers."""
    with frsearch.open_index(index_folder) as opened:
        yield opened


@pytest.fixture(scope="module")
def served(index_folder, tmp_path_factory):
    """``frsearch serve --port 0`` in its own process: its base URL, and the
    file its stderr (the log) goes to."""
    log = tmp_path_factory.mktemp("serve-log") / "stderr.txt"
    with open(log, "w", encoding="utf-8") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "frsearch", "serve", "--index", str(index_folder),
             "--port", "0"], stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        yield _announced_url(process, log), log
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def server(served) -> str:
    return served[0]


def _announced_url(process: subprocess.Popen, log: Path) -> str:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        for line in log.read_text(encoding="utf-8").splitlines():
            if line.startswith("frsearch: serving ") and " at http://" in line:
                return line.split(" at ", 1)[1].split()[0].rstrip("/")
        if process.poll() is not None:
            pytest.fail(f"frsearch serve ended: {log.read_text(encoding='utf-8')}")
        time.sleep(0.05)
    pytest.fail(f"frsearch serve said nothing in {START_TIMEOUT} s")


def get(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    """Status, headers and body of ``GET url``, whatever the status."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def search(server: str, **params) -> tuple[int, dict]:
    status, headers, body = get(f"{server}/search?{urllib.parse.urlencode(params, doseq=True)}")
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    return status, json.loads(body)


def cli_json(cli_main, index_folder: Path, query: str, *options: str) -> dict:
    done = cli_main("query", "--index", str(index_folder), "--json", *options, "--", query)
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


# ---- the JSON API ---------------------------------------------------------------

def test_the_text_cap_is_the_clis():
    from frsearch import cli, server

    assert server.MAX_TEXT_CHARS == cli.MAX_TEXT_CHARS



@pytest.mark.parametrize("query", [
    "sanctions", '"lignes rouges"', "Kremlim", "présid*", "crimee annexion", "sanctions -Russie",
    "embargos", "<script>", "title:Poutine", "rien du tout ici xyzzy",
])
def test_search_answers_what_query_json_prints(server, cli_main, index_folder, query):
    status, answer = search(server, q=query)
    assert status == 200
    assert answer == cli_json(cli_main, index_folder, query)


@pytest.mark.parametrize(("params", "options"), [
    ({"limit": "2"}, ("--limit", "2")),
    ({"limit": "3", "all": "1"}, ("--limit", "3", "--all")),
    ({"offsets": "utf16"}, ("--offsets", "utf16")),
    ({"max_text_chars": "40"}, ("--max-text-chars", "40")),
    ({"offset": "2", "limit": "3"}, ("--offset", "2", "--limit", "3")),
    ({"sort": "-date"}, ("--sort=-date",)),
    ({"filter": ["source:afp", "source:lemonde"]},
     ("--filter", "source=afp", "--filter", "source=lemonde")),
    ({"filter": "date:2021-12..2022-02"}, ("--filter", "date=2021-12..2022-02")),
    ({"facets": "date,source"}, ("--facets", "date,source")),
    ({"by_article": "1", "offset": "1", "limit": "2"},
     ("--by-article", "--offset", "1", "--limit", "2")),
])
def test_search_options_are_the_cli_options(server, cli_main, index_folder, params, options):
    status, answer = search(server, q="sanctions Russie", **params)
    assert status == 200
    assert answer == cli_json(cli_main, index_folder, "sanctions Russie", *options)


@pytest.mark.parametrize(("params", "arguments"), [
    ({"offset": "2", "limit": "3"}, {"offset": 2, "limit": 3}),
    ({"sort": "-date"}, {"sort": "-date"}),
    ({"sort": "date", "limit": "20"}, {"sort": "date", "limit": 20}),
    ({"filter": "source:afp"}, {"filters": {"source": "afp"}}),
    ({"filter": "source=afp"}, {"filters": {"source": ["afp"]}}),
    ({"filter": ["source:afp", "source:lemonde"]}, {"filters": {"source": ["afp", "lemonde"]}}),
    ({"filter": ["source:afp", "date:2022"]}, {"filters": {"source": "afp", "date": "2022"}}),
    ({"filter": "date:2021-12..2022-02"}, {"filters": {"date": "2021-12..2022-02"}}),
    ({"facets": "date,source"}, {"facets": ["date", "source"]}),
    ({"facets": ["date", "source"], "filter": "source:afp"},
     {"facets": ["date", "source"], "filters": {"source": "afp"}}),
    ({"by_article": "1", "limit": "3"}, {"group": "article", "limit": 3}),
    ({"by_article": "1", "offset": "1", "facets": "source"},
     {"group": "article", "offset": 1, "facets": ["source"]}),
    ({"filter": "auteur:personne"}, {"filters": {"auteur": "personne"}}),
])
def test_options_pass_straight_to_index_search(server, index, params, arguments):
    status, answer = search(server, q="sanctions", **params)
    assert status == 200
    assert answer == index.search("sanctions", **arguments).to_dict(MAX_TEXT_CHARS)


def test_pages_follow_one_another(server):
    """Three pages of three are the first nine hits, in the same order."""
    whole = search(server, q="Poutine", limit=9)[1]
    pages = [search(server, q="Poutine", limit=3, offset=offset)[1] for offset in (0, 3, 6)]
    assert [hit["passage_id"] for page in pages for hit in page["hits"]] == \
        [hit["passage_id"] for hit in whole["hits"]]
    assert [page["offset"] for page in pages] == [0, 3, 6]
    assert {page["total"] for page in pages} == {whole["total"]}
    past = search(server, q="Poutine", limit=3, offset=whole["total"])[1]
    assert past["hits"] == [] and past["total"] == whole["total"]


def test_facets_and_filters_narrow_as_they_say(server):
    """A facet counts the passages matched (every one a hit with all=1)."""
    answer = search(server, q="sanctions", facets="date,source", all=1, limit=100)[1]
    sources = Counter(hit["meta"]["source"] for hit in answer["hits"] if "source" in hit["meta"])
    assert dict(map(tuple, answer["facets"]["source"])) == sources
    assert set(sources) == {"afp", "lemonde"}
    months = Counter(hit["date"][:7] for hit in answer["hits"] if hit["date"])
    assert dict(map(tuple, answer["facets"]["date"])) == months
    narrowed = search(server, q="sanctions", filter="source:afp", all=1, limit=100)[1]
    assert len(narrowed["hits"]) == narrowed["total"] == sources["afp"]
    assert {hit["meta"]["source"] for hit in narrowed["hits"]} == {"afp"}


def test_a_bad_option_is_a_400_and_an_unknown_field_a_warning(server):
    status, answer = search(server, q="sanctions", sort="pertinence")
    assert status == 400 and "sort" in answer["error"]
    status, answer = search(server, q="sanctions", filter="auteur:personne")
    assert status == 200 and answer["warnings"]


@pytest.mark.parametrize(("query_string", "says"), [
    ("", "no query"),
    ("q=", "no query"),
    ("q=%20%20", "no query"),
    ("q=sanctions&limit=0", "limit must be a whole number from 1 to 100"),
    ("q=sanctions&limit=101", "limit must be a whole number from 1 to 100"),
    ("q=sanctions&limit=deux", "limit must be"),
    ("q=sanctions&limit=-1", "limit must be"),
    ("q=sanctions&limit=%EF%BC%93", "limit must be"),  # a full-width 3: a digit, not ASCII
    ("q=sanctions&offset=-10", "offset must be"),
    ("q=sanctions&offset=99999999999999999999", "offset must be"),
    ("q=sanctions&limt=3", "unknown parameter 'limt'"),
    ("q=sanctions&q=Poutine", "q is given 2 times"),
    ("q=sanctions&offsets=bytes", "offsets must be codepoints or utf16"),
    ("q=sanctions&by_article=peut-etre", "by_article must be 1 or 0"),
    ("q=sanctions&max_text_chars=x", "max_text_chars must be"),
    ("q=sanctions" + "&filter=a:b" * 50, "too many parameters"),
    ("q=sanctions&filter=lemonde", "a filter is field:value"),
    ("q=sanctions&filter=source:", "a filter is field:value"),
    ("q=sanctions&filter=:lemonde", "a filter is field:value"),
    ("q=sanctions&filter==lemonde", "a filter is field:value"),
])
def test_bad_parameters_are_a_400_with_a_json_error(server, query_string, says):
    status, headers, body = get(f"{server}/search?{query_string}")
    assert status == 400
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    error = json.loads(body)["error"]
    assert says in error and "\n" not in error


def test_any_query_gets_an_answer_never_a_500(server):
    """The hostile queries of test_hostile_queries, and what only a URL can carry:
    bytes that are not UTF-8, NUL, an encoded lone surrogate, raw + and %."""
    raw = ["%FF%FE", "%00", "sanctions%00Russie", "%ED%A0%80", "%C3", "a%2Bb+c", "100%25",
           "%", "%zz", "%%", "sanctions%0D%0AX-Injected:%201", "%E2%80%AE"]
    for query_string in [f"q={urllib.parse.quote(query)}" for query in HOSTILE if query.strip()]:
        status, headers, body = get(f"{server}/search?{query_string}")
        assert status in (200, 414), (query_string[:80], status, body[:300])
        if status == 200:
            assert isinstance(json.loads(body)["hits"], list)
    for value in raw:
        status, headers, body = get(f"{server}/search?q={value}")
        assert status == 200, (value, body[:300])
        assert "X-Injected" not in headers
        assert isinstance(json.loads(body)["hits"], list)


def test_query_string_decoding_keeps_what_was_typed(server):
    status, answer = search(server, q="sanctions + 100% «Poutine» 😀")
    assert status == 200 and answer["query"] == "sanctions + 100% «Poutine» 😀"
    status, _, body = get(f"{server}/search?q=%FFsanctions")
    assert status == 200 and json.loads(body)["query"] == "\ufffdsanctions"


def test_every_answer_carries_the_security_headers(server):
    for path in ["/", "/static/app.js", "/static/app.css", "/search?q=sanctions", "/search",
                 "/nowhere", "/static/../server.py"]:
        status, headers, _ = get(server + path)
        assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, path
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert "Access-Control-Allow-Origin" not in headers, path
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    assert "script-src 'self';" in CONTENT_SECURITY_POLICY


def test_pages_and_errors_of_other_paths_and_methods(server):
    status, headers, body = get(server + "/")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert b"/static/app.js" in body and b"<script>" not in body  # no inline script
    status, headers, _ = get(server + "/static/app.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")
    for path in ["/nowhere", "/static/../server.py", "/static/", "/search/x", "/index.html"]:
        status, headers, body = get(server + path)
        assert status == 404 and "error" in json.loads(body), path
    request = urllib.request.Request(f"{server}/search?q=sanctions", method="POST", data=b"")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=60)
    assert refused.value.code == 405 and refused.value.headers["Allow"] == "GET, HEAD"


def test_a_request_for_another_host_name_is_refused(server):
    """A page of another site that points its own name at 127.0.0.1 (DNS
    rebinding) sends that name as Host: the server does not answer it."""
    port = urllib.parse.urlsplit(server).port
    status, _, body = get(f"{server}/search?q=sanctions", {"Host": f"evil.example:{port}"})
    assert status == 421 and "error" in json.loads(body)
    for name in ("localhost", "127.0.0.1"):
        status, _, _ = get(f"{server}/search?q=sanctions", {"Host": f"{name}:{port}"})
        assert status == 200


def _raw_request(server: str, request: bytes) -> bytes:
    """What the server answers ``request``, sent as it is."""
    import socket

    address = urllib.parse.urlsplit(server)
    with socket.create_connection((address.hostname, address.port), timeout=60) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


def test_a_client_without_host_is_answered_and_the_log_stays_inert(served):
    """Only a browser needs the Host check, and it always sends one. What a
    client puts in its request line reaches the log as inert text."""
    server, log = served
    answer = _raw_request(server, b"GET /search?q=sanctions HTTP/1.0\r\n\r\n")
    assert answer.startswith(b"HTTP/1.0 200 ")
    answer = _raw_request(server, b"GET /\x1b]0;owned\x07\x1b[2J HTTP/1.0\r\n\r\n")
    assert answer.startswith(b"HTTP/1.0 404 ")
    logged = log.read_text(encoding="utf-8")
    assert "\x1b" not in logged and "\x07" not in logged and "]0;owned" in logged


def test_index_errors_are_a_503_with_the_message(seed_index_folder):
    """An index closed under the server (as at shutdown): the service says so."""
    index = frsearch.open_index(seed_index_folder)
    server = make_server(index, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        assert search(url, q="sanctions")[0] == 200
        index.close()
        status, answer = search(url, q="sanctions")
        assert status == 503 and "closed" in answer["error"]
    finally:
        server.shutdown()
        server.server_close()


def test_serve_refuses_what_it_cannot_do_in_one_line(cli, tmp_path):
    done = cli("serve", "--index", str(tmp_path / "none"), "--port", "0")
    assert done.returncode == 2 and "no index" in done.stderr.lower()
    assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr
    done = cli("serve", "--port", "70000")
    assert done.returncode == 2 and "--port must be" in done.stderr


def test_a_port_in_use_is_one_line(cli, seed_index_folder, server):
    port = urllib.parse.urlsplit(server).port
    done = cli("serve", "--index", str(seed_index_folder), "--port", str(port))
    assert done.returncode == 2
    assert f"cannot listen on 127.0.0.1 port {port}" in done.stderr
    assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr


# ---- the page, in a real browser ---------------------------------------------------


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """A page of Debian's chromium, headless, with a new empty profile."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"no {CHROMIUM}: the page is tested in Debian's chromium "
                    "(apt-get install chromium; .ci/run does it)")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright for Python drives the browser: "
                                      "pip install playwright (the [test] extra has it)")
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=CHROMIUM,
            headless=True, viewport={"width": 1100, "height": 800},
            args=["--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"])
        try:
            yield context
        finally:
            context.close()


WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation",
    (event) => window.__violations.push(event.violatedDirective + " " + event.blockedURI));
"""


@pytest.fixture
def page(browser):
    """A new tab that records page errors and Content-Security-Policy violations."""
    tab = browser.new_page()
    tab.add_init_script(WATCH)
    tab.errors = []
    tab.on("pageerror", lambda error: tab.errors.append(str(error)))
    yield tab
    tab.close()


def _search_from_the_box(page, server: str, query: str) -> None:
    page.goto(server + "/")
    page.fill("#q", query)
    page.press("#q", "Enter")
    page.wait_for_selector("#hits li.hit")


def _no_script_ran(page) -> None:
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate("window.__violations") == []
    assert page.errors == []


def test_the_page_shows_ranked_passages_with_their_marks(page, server):
    _search_from_the_box(page, server, "sanctions")
    assert page.url.endswith("/?q=sanctions")
    status, answer = search(server, q="sanctions")
    titles = page.locator("#hits li.hit .title").all_text_contents()
    assert titles == [hit["title"] for hit in answer["hits"]]
    marks = page.locator("#hits .snippet mark").all_text_contents()
    assert marks and {mark.lower() for mark in marks} == {"sanctions"}
    shown = page.locator("#results").inner_text()
    for escaped in ("&lt;", "&gt;", "&amp;", "&quot;", "&#x27;", "<mark>"):
        assert escaped not in shown
    assert '"fortes sanctions' in shown  # the quotes the snippet escaped, shown as quotes
    for meta, hit in zip(page.locator("#hits li.hit .meta").all_inner_texts(), answer["hits"],
                         strict=True):
        assert meta.startswith(hit["date"] or hit["passage_id"])
    assert page.locator("#status").inner_text().startswith(f"{answer['total']} results")
    _no_script_ran(page)


def test_markup_from_the_index_is_shown_as_text_and_never_run(page, server):
    _search_from_the_box(page, server, "embargos")
    hit = page.locator("#hits li.hit").first
    assert hit.locator(".title").inner_text() == TRAP_TITLE
    snippet = hit.locator(".snippet")
    assert snippet.inner_text() == TRAP_TEXT  # & written as &amp; stays so: nothing unescaped
    assert snippet.locator("mark").all_text_contents() == ["embargos"]
    meta = hit.locator(".meta").inner_text()
    assert TRAP["source"] in meta and TRAP["author"] in meta
    assert page.locator("#results img, #results script, #results b, #results a").count() == 0
    page.wait_for_selector("#facets .facet-value")
    assert TRAP["source"].lower() in page.locator("#facets").inner_text()
    assert page.locator("#facets b, #facets img").count() == 0
    _no_script_ran(page)


def test_the_address_holds_the_query(page, server):
    page.goto(server + "/?q=" + urllib.parse.quote('"lignes rouges"'))
    page.wait_for_selector("#hits li.hit")
    assert page.input_value("#q") == '"lignes rouges"'
    assert page.locator("#hits .snippet mark").count() >= 2
    _no_script_ran(page)


def test_errors_and_warnings_are_shown_as_text(page, server):
    page.goto(server + "/?q=sanctions&sort=" + urllib.parse.quote("<img src=x onerror=1>"))
    _wait_until(lambda: page.inner_text("#status").startswith("Error"))
    assert "<img src=x onerror=1>" in page.inner_text("#status")
    page.goto(server + "/?q=sanctions&filter=" + urllib.parse.quote("<img src:x onerror=1>"))
    page.wait_for_selector("#notes .warning")
    assert "<img src" in page.inner_text("#notes")
    assert page.locator("#results img").count() == 0
    _no_script_ran(page)


def _wait_until(condition, seconds: float = 30.0) -> None:
    """Poll from Python: Playwright's wait_for_function evaluates its predicate as a string,
    which the page's Content-Security-Policy (no 'unsafe-eval') rightly refuses."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the page never reached the expected state"
        time.sleep(0.05)


def _wait_for_status(page, text: str) -> None:
    _wait_until(lambda: text in page.inner_text("#status"))


def test_previous_and_next_pages(page, server):
    answer = search(server, q="Poutine", limit=10, offset=10, facets="date,source")[1]
    assert answer["hits"], "the test needs a second page"
    page.goto(server + "/?q=Poutine")
    _wait_for_status(page, "showing 1–10")
    assert page.is_disabled("#previous") and not page.is_disabled("#next")
    page.click("#next")
    _wait_for_status(page, "showing 11–")
    assert "offset=10" in page.url
    titles = page.locator("#hits li.hit .title").all_text_contents()
    assert titles == [hit["title"] for hit in answer["hits"]]
    assert page.get_attribute("#hits", "start") == "11"
    page.go_back()
    _wait_for_status(page, "showing 1–10")
    assert page.is_disabled("#previous")
    _no_script_ran(page)


def test_a_facet_narrows_and_its_chip_widens_again(page, server):
    page.goto(server + "/?q=sanctions")
    _wait_for_status(page, "showing 1–")
    everything = page.locator("#hits li.hit").count()
    page.locator("#facets .facet-value", has_text="afp").click()
    page.wait_for_url("**filter=source%3Aafp**")
    page.wait_for_selector("#filters .chip")
    # the chip shows at once, the hits once the narrowed search has answered
    _wait_until(lambda: 0 < page.locator("#hits li.hit").count() < everything)
    sources = page.locator("#hits li.hit .meta .source").all_text_contents()
    assert sources and set(sources) == {"afp"}
    assert page.locator("#hits li.hit").count() == len(sources) < everything
    assert page.locator("#filters .chip").all_text_contents() == ["source:afp ×"]
    page.click("#filters .chip")
    _wait_until(lambda: page.locator("#hits li.hit").count() == everything)
    assert "filter" not in page.url and page.locator("#filters .chip").count() == 0
    _no_script_ran(page)


def test_articles_and_newest_first(page, server):
    page.goto(server + "/?q=sanctions")
    _wait_for_status(page, "results")
    page.check("#by-article")
    _wait_for_status(page, "articles")
    answer = search(server, q="sanctions", by_article=1, facets="date,source")[1]
    assert page.locator("#hits li.hit .title").all_text_contents() == \
        [article["title"] for article in answer["articles"]]
    for item, article in zip(page.locator("#hits li.hit").all(), answer["articles"], strict=True):
        assert item.locator(".snippet").count() == len(article["passages"])
        assert item.locator(".snippet mark").count() >= 1
    page.uncheck("#by-article")
    _wait_for_status(page, "results")
    page.select_option("#sort", "-date")
    page.wait_for_url("**sort=-date**")
    _wait_for_status(page, "results")
    newest = search(server, q="sanctions", sort="-date")[1]
    assert page.locator("#hits li.hit .title").all_text_contents() == \
        [hit["title"] for hit in newest["hits"]]
    _no_script_ran(page)


def test_threads_asking_at_once_get_what_one_gets_alone(server):
    """The server answers each connection in a thread, all searching one Index."""
    from concurrent.futures import ThreadPoolExecutor

    queries = ["sanctions", "Poutine", '"lignes rouges"', "Kremlim", "présid*", "crimee annexion"]
    alone = {query: search(server, q=query, facets="date,source")[1] for query in queries}
    with ThreadPoolExecutor(8) as pool:
        together = list(pool.map(lambda query: (query, search(server, q=query,
                                                                facets="date,source")),
                                 queries * 8))
    assert all(answer == (200, alone[query]) for query, answer in together)


def test_a_crowd_arriving_at_once_is_queued_not_reset(server):
    """200 connections at the same instant: socketserver's backlog of 5 reset
    some and left others waiting for a retransmission (minutes); each must get
    its answer."""
    from concurrent.futures import ThreadPoolExecutor

    crowd = 200
    gate = threading.Barrier(crowd)

    def ask(number: int) -> int:
        gate.wait()
        return search(server, q=["sanctions", "Poutine", "présid*"][number % 3])[0]

    started = time.monotonic()
    with ThreadPoolExecutor(crowd) as pool:
        statuses = list(pool.map(ask, range(crowd)))
    assert statuses == [200] * crowd
    assert time.monotonic() - started < 60  # a retransmitted SYN waits 1, 3, 7… s
