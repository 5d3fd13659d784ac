"""A SPARQL 1.1 Protocol client: the query library against any remote endpoint (``nmdkg query --endpoint``).

:class:`Endpoint` answers :meth:`~Endpoint.query` like the embedded :class:`nmdkg.store.Store`: it returns
an ``rdflib.query.Result`` of rdflib terms (a plain literal stays plain; CONSTRUCT and DESCRIBE give an
rdflib ``Graph``), so the result writers of :mod:`nmdkg.query.results` are reused unchanged.

How a query travels (https://www.w3.org/TR/sparql11-protocol/):

* ``GET ?query=...`` while the URL stays short, else ``POST`` with a form-encoded body
  (``application/x-www-form-urlencoded``). Never a body of ``Content-Type: application/sparql-query``:
  Virtuoso 7 hangs on it.
* ``default-graph-uri=IRI`` (``--graph``) names the graph the query reads, as a protocol parameter: on a
  shared store the default graph is the union of every graph, the system graphs included.
* ``Accept: application/sparql-results+json`` for SELECT and ASK, ``text/turtle`` for CONSTRUCT and
  DESCRIBE.
* Parameters are bound, never pasted, exactly as in the embedded store: a ``VALUES`` block written by
  :func:`nmdkg.core.bind.with_values`. The rewritten query is parsed again before it is sent.
* The prefixes the embedded store declares (:func:`nmdkg.store.default_prefixes`) are declared in front
  of the query, except those it declares itself.

The same read-only rule holds as for the embedded store: updates, ``SERVICE`` and ``FROM`` are refused
before anything is sent. Credentials (:class:`Credentials`) never appear in a message: every error text
goes through :func:`redact`.

>>> redact("http://dba:secret@127.0.0.1:8890/sparql failed", ["secret"])
'http://***@127.0.0.1:8890/sparql failed'
"""

from __future__ import annotations

import io
import ipaddress
import re
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rdflib import Graph
from rdflib.query import Result
from rdflib.term import Identifier

from nmdkg.core.bind import with_values
from nmdkg.core.errors import InputError, NmdkgError

#: Above this many characters of URL a query is POSTed (form-encoded) instead of sent with GET.
MAX_GET_URL = 2000
#: Seconds to wait for an answer (connecting, then between bytes received).
DEFAULT_TIMEOUT = 300.0
RESULTS_JSON = "application/sparql-results+json"
GRAPH_ACCEPT = "text/turtle, application/n-triples;q=0.9"
_RDF_MEDIA = {"text/turtle": "turtle", "application/x-turtle": "turtle", "application/n-triples": "nt",
              "text/plain": "nt", "application/rdf+xml": "xml", "application/ld+json": "json-ld"}


class RemoteError(NmdkgError):
    """A remote endpoint could not be reached or refused a request (exit code 2, as every runtime error)."""


# -- credentials and redaction -----------------------------------------------------------------------

@dataclass(frozen=True)
class Credentials:
    """A user name and password for HTTP authentication (digest or basic, as the server asks)."""

    user: str
    password: str = field(repr=False)

    @classmethod
    def from_env(cls, user: str | None, password_env: str | None) -> Credentials | None:
        """``--user NAME --password-env VAR``: the password is read from the environment variable ``VAR``,
        so that it never appears on a command line, in a shell history or in a process list."""
        import os

        if user is None and password_env is None:
            return None
        if user is None or password_env is None:
            raise InputError("give both --user NAME and --password-env VAR (the name of an environment "
                             "variable that holds the password), or neither")
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", password_env):
            raise InputError(f"--password-env takes the NAME of an environment variable, such as "
                             f"NMDKG_PASSWORD, not a password (got {len(password_env)} characters)")
        password = os.environ.get(password_env)
        if password is None:
            raise InputError(f"the environment variable {password_env} (--password-env) is not set")
        return cls(user, password)


_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]*@")
#: An Authorization header's credentials, as a server may echo them in an error page.
_AUTHORIZATION = re.compile(r"(?P<scheme>\b(?:Basic|Bearer)\s+)[A-Za-z0-9+/=._~-]{4,}", re.IGNORECASE)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with the user information of URLs, basic/bearer tokens and every secret (also URL-encoded)
    replaced by ``***``.

    >>> redact("401: got Basic ZGJhOnNlY3JldA==")
    '401: got Basic ***'
    """
    text = _USERINFO.sub(lambda m: m["scheme"] + "***@", text)
    text = _AUTHORIZATION.sub(lambda m: m["scheme"] + "***", text)
    for secret in secrets:
        if secret:
            for form in {secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret)}:
                text = text.replace(form, "***")
    return text


def check_url(url: str) -> str:
    """An http(s) endpoint URL without credentials in it; anything else is refused (InputError)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"{redact(url)!r} is not an http:// or https:// URL")
    if parts.username is not None or parts.password is not None:
        raise InputError(f"{redact(url)}: put no credentials in the URL; give --user NAME and "
                         "--password-env VAR (an environment variable that holds the password)")
    if parts.fragment:
        raise InputError(f"{url}: an endpoint URL has no #fragment")
    return url


def is_loopback(url: str) -> bool:
    """Whether the URL names this machine (then no proxy is ever used)."""
    host = urllib.parse.urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def opener(url: str, credentials: Credentials | None = None) -> urllib.request.OpenerDirector:
    """A urllib opener for ``url``: digest and basic authentication when credentials are given; no proxy
    for a loopback address."""
    handlers: list[urllib.request.BaseHandler] = []
    if is_loopback(url):
        handlers.append(urllib.request.ProxyHandler({}))
    if credentials is not None:
        manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        manager.add_password(None, url, credentials.user, credentials.password)
        handlers += [urllib.request.HTTPDigestAuthHandler(manager),
                     urllib.request.HTTPBasicAuthHandler(manager)]
    return urllib.request.build_opener(*handlers)


def user_agent() -> str:
    from nmdkg import __version__

    return f"nmdkg/{__version__} (+https://w3id.org/nmdkg)"


def http_error(url: str, exc: BaseException, secrets: Iterable[str] = (),
               timeout: float | None = None) -> RemoteError:
    """A urllib/socket exception as a :class:`RemoteError` with a short, redacted message."""
    secrets = list(secrets)
    where = redact(_without_query(url), secrets)
    if isinstance(exc, urllib.error.HTTPError):
        try:
            body = exc.read(2000).decode("utf-8", "replace")
        except Exception:  # noqa: BLE001 - the body may be unreadable once the server closed the connection
            body = ""
        detail = _text_of(body)
        message = f"{where}: HTTP {exc.code} {exc.reason}" + (f": {detail}" if detail else "")
        if exc.code == 401:
            message += " (wrong or missing credentials: --user NAME --password-env VAR)"
        return RemoteError(redact(message, secrets))
    if isinstance(exc, TimeoutError | socket.timeout):
        return RemoteError(f"{where}: no answer within {timeout or DEFAULT_TIMEOUT:g} s")
    if isinstance(exc, urllib.error.URLError):
        return RemoteError(redact(f"cannot reach {where}: {exc.reason}", secrets))
    return RemoteError(redact(f"{where}: {type(exc).__name__}: {exc}", secrets))


def _without_query(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def _text_of(body: str, limit: int = 300) -> str:
    """A server's error page as one short line of text (tags and repeated blanks removed)."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.DOTALL | re.IGNORECASE)
    text = " ".join(re.sub(r"<[^>]+>", " ", text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def with_prefixes(text: str) -> str:
    """``text`` with the default prefixes it uses but does not declare declared in front of it."""
    from nmdkg.core.sparql_text import strip_comments
    from nmdkg.store import default_prefixes

    body = strip_comments(text)
    declared = set(re.findall(r"\bPREFIX\s+([A-Za-z_][A-Za-z0-9_.-]*)?:", body, re.IGNORECASE))
    lines = [f"PREFIX {name}: <{iri}>" for name, iri in default_prefixes().items()
             if name not in declared and re.search(rf"(?<![\w.:-]){re.escape(name)}:", body)]
    return "\n".join([*lines, text]) if lines else text


# -- results -----------------------------------------------------------------------------------------

#: What a server writes into a results stream it cuts at its time limit (Oxigraph: "The SPARQL operation has
#: been cancelled"; Virtuoso: "timeout"/"timed out").
_CANCELLED = re.compile(r"\bcancell?ed\b|\btime[ds]? ?out\b|\btimed out\b", re.IGNORECASE)


def result_from_json(payload: bytes, form: str) -> Result:
    """A SPARQL 1.1 JSON results document (read by rdflib's parser) as an ``rdflib.query.Result`` like the
    embedded store's: a literal typed ``xsd:string`` is a plain literal, as there."""
    from rdflib.query import ResultException

    from nmdkg.store import plain

    try:
        parsed = Result.parse(io.BytesIO(payload), format="json")
    except (ValueError, ResultException) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        tail = _text_of(payload[-300:].decode("utf-8", "replace"), 120)
        if _CANCELLED.search(tail):  # the server stopped the query at its limit and said so in the stream
            raise RemoteError(f"timeout: the server cancelled the query at its time limit (it said: {tail!r}); "
                              "ask a narrower question, or raise the server's limit "
                              "(`nmdkg serve --timeout S`)") from None
        raise RemoteError(f"the answer is not SPARQL JSON results ({_text_of(str(exc), 120)}); it ends with: "
                          f"{tail!r} (a server that stops a query at its time limit cuts its answer short)") from None
    except (KeyError, TypeError, AttributeError, NotImplementedError) as exc:
        raise RemoteError(f"the answer is not SPARQL JSON results, or holds a term nmdkg does not read "
                          f"(RDF-star triples): {type(exc).__name__} {exc}") from None
    if parsed.type == "ASK":
        if form != "ASK":
            raise RemoteError(f"a {form} query was answered with a boolean")
        return parsed
    result = Result("SELECT")
    result.vars = parsed.vars
    result.bindings = [{var: plain(term) for var, term in row.items()} for row in parsed.bindings]
    return result


def graph_from_payload(payload: bytes, media_type: str, form: str) -> Result:
    """A CONSTRUCT or DESCRIBE answer (Turtle or N-Triples) as a Result holding an rdflib ``Graph``."""
    from nmdkg.store import plain

    fmt = _RDF_MEDIA.get(media_type, "turtle")
    parsed = Graph(bind_namespaces="none")
    try:
        parsed.parse(data=payload, format=fmt)
    except Exception as exc:  # noqa: BLE001 - rdflib's parsers raise their own types
        raise RemoteError(f"cannot parse the {form} answer as {fmt}: {' '.join(str(exc).split())}") from None
    graph = Graph(bind_namespaces="none")
    for s, p, o in parsed:
        graph.add((s, p, plain(o)))
    result = Result(form)
    result.graph = graph
    return result


# -- the endpoint ------------------------------------------------------------------------------------

class Endpoint:
    """A remote SPARQL 1.1 query endpoint, queried like :class:`nmdkg.store.Store`.

    ``default_graph`` is sent as ``default-graph-uri``; ``method`` is ``auto`` (GET for short URLs, else a
    form-encoded POST), ``get`` or ``post``.
    """

    def __init__(self, url: str, *, default_graph: str | None = None, method: str = "auto",
                 timeout: float = DEFAULT_TIMEOUT, credentials: Credentials | None = None):
        if method not in ("auto", "get", "post"):
            raise InputError(f"unknown method {method!r}; choose auto, get or post")
        self.url = check_url(url)
        self.default_graph = default_graph
        self.method = method
        self.timeout = timeout
        self.credentials = credentials
        self._opener = opener(url, credentials)

    def __repr__(self) -> str:
        return f"Endpoint({redact(self.url)!r}, default_graph={self.default_graph!r})"

    def query(self, text: str, bindings: Mapping[str, Identifier] | None = None) -> Result:
        """Run a read-only query with variables bound to rdflib terms; return an rdflib ``Result``."""
        from nmdkg.store import check_bindings, check_query

        checked = check_query(text)
        bindings = check_bindings(checked, bindings)
        sent = with_prefixes(with_values(text, bindings))
        if sent != text:
            check_query(sent)  # what goes out is still one read-only query
        graph_form = checked.form in ("CONSTRUCT", "DESCRIBE")
        payload, media_type = self.send(sent, GRAPH_ACCEPT if graph_form else RESULTS_JSON)
        if graph_form:
            return graph_from_payload(payload, media_type, checked.form)
        return result_from_json(payload, checked.form)

    def request(self, text: str, accept: str) -> urllib.request.Request:
        """The HTTP request of the SPARQL 1.1 Protocol for query ``text`` (sent as it is)."""
        params = [("query", text)]
        if self.default_graph:
            params.append(("default-graph-uri", self.default_graph))
        encoded = urllib.parse.urlencode(params)
        headers = {"Accept": accept, "User-Agent": user_agent()}
        get_url = self.url + ("&" if urllib.parse.urlsplit(self.url).query else "?") + encoded
        if self.method == "get" or (self.method == "auto" and len(get_url) <= MAX_GET_URL):
            return urllib.request.Request(get_url, headers=headers, method="GET")
        headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
        return urllib.request.Request(self.url, data=encoded.encode("ascii"), headers=headers, method="POST")

    def send(self, text: str, accept: str) -> tuple[bytes, str]:
        """Send query ``text`` as it is; return the answer's bytes and media type (RemoteError on failure)."""
        request = self.request(text, accept)
        secrets = [self.credentials.password] if self.credentials else []
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                payload = response.read()
                media_type = response.headers.get_content_type()
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise http_error(self.url, exc, secrets, self.timeout) from None
        return payload, media_type


def endpoint_for_cli(url: str, graph: str | None, data: tuple = ()) -> Endpoint:
    """The endpoint of ``nmdkg query --endpoint URL [--graph IRI]`` (``--data`` makes no sense with it)."""
    if data:
        raise InputError("--data and --endpoint exclude each other: the endpoint holds the graph")
    default_graph = None
    if graph is not None:
        from nmdkg.query.library import to_iri

        default_graph = str(to_iri(graph))
    return Endpoint(url, default_graph=default_graph)
