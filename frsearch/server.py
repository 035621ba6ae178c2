"""``frsearch serve``: the search as a small web service, and one page to use it.

``GET /search?q=…`` answers the JSON ``frsearch query --json`` prints, and
``GET /`` is a page to type a query and read the passages found (the files of
``frsearch/static/``: plain HTML, CSS and JavaScript, nothing to build).

Why the standard library and not a web framework: there are two routes and
they answer JSON or fixed files; one ``Index`` serves every thread, and its
searches take turns on the Index's lock (Whoosh's readers share file
positions), so an asynchronous framework would add a dependency and no
throughput. The routes are a WSGI application (:class:`SearchApp`): a
deployment that needs more than ``frsearch serve`` (TLS, a public address,
several processes, each with its own Index) mounts the same object in a WSGI
server made for that (waitress, gunicorn). ``serve`` runs it on ``wsgiref``
with a thread per connection, which is enough for the few readers of an archive
on one machine; it listens on 127.0.0.1 unless told otherwise, and there it
answers only requests addressed to this machine by name (a web page cannot
reach it through a domain of its own pointed at 127.0.0.1).
"""

from __future__ import annotations

import ipaddress
import json
import socket
import socketserver
import sys
import traceback
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from importlib import resources
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

from frsearch.errors import (
    FrsearchError,
    IndexClosedError,
    IndexDamagedError,
    IndexLockedError,
    IndexNotFoundError,
    NotAnIndexError,
)
from frsearch.index import SORTS
from frsearch.results import OFFSET_UNITS
from frsearch.terminal import terminal_text

__all__ = ["SearchApp", "SearchRequest", "BadRequest", "make_server", "parse_search", "serve"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
MAX_LIMIT = 100
"""Most hits one request may ask for: a page, not an export."""
MAX_OFFSET = 10_000
MAX_FIELDS = 40
"""Most ``name=value`` pairs a request may carry (filters and facets included)."""
MAX_TEXT_CHARS = 20_000
"""As ``frsearch query --json``: a passage's text is cut after this many characters."""
TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off", "")

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; "
    "require-trusted-types-for 'script'; trusted-types frsearch-snippet"
)
"""The page's own files and nothing else: no inline script or style, no other
origin; the only HTML the page writes goes through its ``frsearch-snippet``
Trusted Types policy, which accepts the library's snippets (escaped text and
``<mark>``) and nothing else."""
SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
)
PAGES = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/static/app.js": ("app.js", "text/javascript; charset=utf-8"),
    "/static/app.css": ("app.css", "text/css; charset=utf-8"),
    "/static/icon.svg": ("icon.svg", "image/svg+xml"),
    "/favicon.ico": ("icon.svg", "image/svg+xml"),
}
"""Path → file of ``frsearch/static`` and its type: the page is read once, and
no path of a request ever names a file."""
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})

UNAVAILABLE = (IndexClosedError, IndexNotFoundError, NotAnIndexError, IndexDamagedError,
               IndexLockedError)
"""Errors of the index, not of the request: 503, the message says which."""
# JSON allows a lone surrogate only as an escape, and UTF-8 cannot carry one.
_SURROGATE_ESCAPES = {code: f"\\u{code:04x}" for code in range(0xD800, 0xE000)}


class BadRequest(ValueError):
    """A request the service cannot answer as asked: 400, the message says why."""


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """What ``/search`` was asked: the query, the keyword arguments of
    ``Index.search`` given (only those, so the library's defaults apply to
    the rest), and how to write the result's JSON."""

    query: str
    options: dict[str, object] = field(default_factory=dict)
    max_text_chars: int = MAX_TEXT_CHARS
    offsets: str = "codepoints"


SEARCH_PARAMETERS = {
    "q": "the query, in the syntax of 'frsearch query --help'",
    "limit": f"hits a page holds, 1 to {MAX_LIMIT} (default 10)",
    "offset": f"hits skipped before the page, 0 to {MAX_OFFSET:,}",
    "sort": "relevance (default), date or -date",
    "filter": "field:value, such as source:lemonde or date:2021-06..2021-12 (repeatable)",
    "facets": "fields to count the matches by, such as date,source",
    "by_article": "1: articles ranked by their best passages",
    "all": "1: near-duplicates (wire copy) as hits of their own",
    "offsets": "what match offsets count: codepoints (default) or utf16",
    "max_text_chars": f"cut each passage's text after N characters (default {MAX_TEXT_CHARS:,})",
}
_SINGLE = frozenset(SEARCH_PARAMETERS) - {"filter", "facets"}


def parse_search(query_string: bytes | str) -> SearchRequest:
    """The request in ``/search``'s query string, checked; raises BadRequest.

    >>> parse_search(b"q=sanctions+Russie&limit=5&filter=source:lemonde").options
    {'limit': 5, 'filters': {'source': ['lemonde']}}
    """
    raw = (query_string.encode("latin-1", "replace")  # WSGI gives the bytes as latin-1 text
           if isinstance(query_string, str) else query_string)
    fields = [part for part in raw.split(b"&") if part]
    if len(fields) > MAX_FIELDS:
        raise BadRequest(f"too many parameters (at most {MAX_FIELDS})")
    values: dict[str, list[str]] = {}
    for part in fields:
        encoded_name, _, encoded_value = part.partition(b"=")
        values.setdefault(_form_text(encoded_name), []).append(_form_text(encoded_value))
    for name, given in values.items():
        if name not in SEARCH_PARAMETERS:
            raise BadRequest(f"unknown parameter {name!r}; known: {', '.join(SEARCH_PARAMETERS)}")
        if name in _SINGLE and len(given) > 1:
            raise BadRequest(f"{name} is given {len(given)} times; give it once")
    single = {name: given[0] for name, given in values.items()}

    query = single.get("q", "")
    if not query.strip():
        raise BadRequest("no query: give one in q, as in /search?q=sanctions")
    options: dict[str, object] = {}
    if "limit" in single:
        options["limit"] = _integer(single, "limit", 1, MAX_LIMIT)
    if "offset" in single:
        options["offset"] = _integer(single, "offset", 0, MAX_OFFSET)
    if "sort" in single:
        if single["sort"] not in SORTS:
            raise BadRequest(f"sort must be one of {', '.join(SORTS)}, not {single['sort']!r}")
        options["sort"] = single["sort"]
    if values.get("filter"):
        options["filters"] = _filters(values["filter"])
    if values.get("facets"):
        options["facets"] = [name.strip() for text in values["facets"]
                             for name in text.split(",") if name.strip()]
    if _flag(single, "by_article"):
        options["group"] = "article"
    if _flag(single, "all"):
        options["collapse"] = False
    offsets = single.get("offsets", "codepoints")
    if offsets not in OFFSET_UNITS:
        raise BadRequest(f"offsets must be {' or '.join(OFFSET_UNITS)}, not {offsets!r}")
    max_text_chars = (_integer(single, "max_text_chars", 0, 10**9)
                      if "max_text_chars" in single else MAX_TEXT_CHARS)
    return SearchRequest(query, options, max_text_chars, offsets)


def _filters(given: list[str]) -> dict[str, list[str]]:
    """``filter=source:lemonde&filter=source:afp&filter=date:2021`` as
    ``Index.search`` takes them: field → its values (any of them). A filter is
    written as in a query (``source:lemonde``) or as ``--filter`` takes it
    (``source=lemonde``)."""
    filters: dict[str, list[str]] = {}
    for text in given:
        cut = min((at for at in (text.find(":"), text.find("=")) if at >= 0), default=-1)
        name, value = text[:cut].strip(), text[cut + 1:].strip()
        if cut < 0 or not name or not value:
            raise BadRequest(f"a filter is field:value, such as source:lemonde, not {text!r}")
        filters.setdefault(name, []).append(value)
    return filters


def _form_text(encoded: bytes) -> str:
    """A name or value of a query string as text: ``+`` is a space, ``%XX`` a
    byte, and bytes that are not UTF-8 become U+FFFD (as a browser shows them)."""
    return urllib.parse.unquote_to_bytes(encoded.replace(b"+", b" ")).decode("utf-8", "replace")


def _integer(single: dict[str, str], name: str, least: int, most: int) -> int:
    text = single[name].strip()
    if not (text.isascii() and text.isdigit()) or not least <= int(text) <= most:
        raise BadRequest(f"{name} must be a whole number from {least} to {most:,}, "
                         f"not {single[name]!r}")
    return int(text)


def _flag(single: dict[str, str], name: str) -> bool:
    text = single.get(name, "").strip().lower()
    if text not in TRUE + FALSE:
        raise BadRequest(f"{name} must be 1 or 0, not {single[name]!r}")
    return text in TRUE


def _json_body(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False).translate(_SURROGATE_ESCAPES).encode("utf-8")


class SearchApp:
    """The service as a WSGI application over one open ``Index``.

    ``allowed_hosts``: the names a request's ``Host`` may give (None: any);
    ``serve`` passes this machine's names when it listens on a loopback address.
    """

    def __init__(self, index, allowed_hosts: Iterable[str] | None = None):
        self.index = index
        self.allowed_hosts = (None if allowed_hosts is None
                              else frozenset(name.lower() for name in allowed_hosts))
        folder = resources.files("frsearch") / "static"
        self._pages = {path: ((folder / name).read_bytes(), kind)
                       for path, (name, kind) in PAGES.items()}

    def __call__(self, environ: dict, start_response: Callable) -> list[bytes]:
        try:
            status, headers, body = self._respond(environ)
        except Exception as error:  # never a traceback for the caller: it goes to the log
            print(traceback.format_exc(), file=environ.get("wsgi.errors", sys.stderr))
            status, headers, body = _json_response(
                500, {"error": f"internal error ({type(error).__name__}); "
                               "the server's log has the details"})
        start_response(status, [*headers, *SECURITY_HEADERS])
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [body]

    def _respond(self, environ: dict) -> tuple[str, list[tuple[str, str]], bytes]:
        if not self._host_allowed(environ.get("HTTP_HOST", "")):
            return _json_response(421, {"error": "this server answers only requests made to "
                                                 "its own address, such as 127.0.0.1"})
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "/")
        if path != "/search" and path not in self._pages:
            return _json_response(404, {"error": f"no such page {path!r}; try / or "
                                                 "/search?q=sanctions"})
        if method not in ("GET", "HEAD"):
            status, headers, body = _json_response(
                405, {"error": f"{method} is not served here; use GET"})
            return status, [*headers, ("Allow", "GET, HEAD")], body
        if path == "/search":
            return self._search(environ.get("QUERY_STRING", ""))
        body, kind = self._pages[path]
        return _response(200, kind, body, cache="no-cache")

    def _search(self, query_string: str) -> tuple[str, list[tuple[str, str]], bytes]:
        try:
            request = parse_search(query_string)
            result = self.index.search(request.query, **request.options)
        except BadRequest as error:
            return _json_response(400, {"error": str(error)})
        except UNAVAILABLE as error:
            return _json_response(503, {"error": str(error)})
        except FrsearchError as error:
            return _json_response(500, {"error": str(error)})
        return _json_response(200, result.to_dict(request.max_text_chars, request.offsets))

    def _host_allowed(self, host: str) -> bool:
        """A browser always says which name it asked for; a client that
        gives none is no web page."""
        if self.allowed_hosts is None or not host:
            return True
        try:
            name = urllib.parse.urlsplit(f"//{host}").hostname or ""
        except ValueError:
            return False
        return name.lower() in self.allowed_hosts


def _response(code: int, kind: str, body: bytes,
              cache: str = "no-store") -> tuple[str, list[tuple[str, str]], bytes]:
    status = f"{code} {HTTPStatus(code).phrase}"
    return status, [("Content-Type", kind), ("Content-Length", str(len(body))),
                    ("Cache-Control", cache)], body


def _json_response(code: int, data: object) -> tuple[str, list[tuple[str, str]], bytes]:
    return _response(code, "application/json; charset=utf-8", _json_body(data))


class _RequestHandler(WSGIRequestHandler):
    """wsgiref's handler, its log lines made safe for a terminal (a request
    line is whatever the client sent), and a client that stops sending let go
    of after ``timeout`` seconds rather than holding a thread for good."""

    timeout = 60

    def log_message(self, format: str, *args) -> None:
        sys.stderr.write(terminal_text(f"{self.address_string()} - [{self.log_date_time_string()}]"
                                       f" {format % args}") + "\n")


class _ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    """A thread per connection: a slow client does not hold the others up."""

    daemon_threads = True
    request_queue_size = 128
    """Connections the kernel holds while the server accepts others
    (socketserver's 5 reset or stalled clients once 20 came at once)."""


class _ThreadingServer6(_ThreadingServer):
    address_family = socket.AF_INET6


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def make_server(index, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> WSGIServer:
    """A server of :class:`SearchApp` over ``index``, listening on ``host``
    and ``port`` (0: any free port; ``server.server_port`` says which)."""
    server_class = _ThreadingServer6 if ":" in host else _ThreadingServer
    try:
        server = server_class((host, port), _RequestHandler)
    except OSError as error:
        raise OSError(error.errno, f"cannot listen on {host} port {port} ({error.strerror}); "
                                   "choose another with --port (0: any free port)") from error
    allowed = LOOPBACK_NAMES | {host.lower()} if _is_loopback(host) else None
    server.set_app(SearchApp(index, allowed_hosts=allowed))
    return server


def serve(index, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
          announce: Callable[[str], None] | None = None) -> None:
    """Serve ``index`` until interrupted (Ctrl-C ends it quietly).
    ``announce`` is told the address once the server listens."""
    server = make_server(index, host, port)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{server.server_port}/"
    if announce is not None:
        announce(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
