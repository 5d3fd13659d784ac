"""``nmdkg push``: load a build into a remote triple store by the SPARQL 1.1 Graph Store HTTP Protocol.

https://www.w3.org/TR/sparql11-http-rdf-update/: ``PUT URL?graph=IRI`` replaces the named graph with the
file, ``POST URL?graph=IRI`` adds the file's triples to it. Known endpoints:

* Oxigraph server (``oxigraph serve``): ``http://HOST:7878/store``, no authentication;
* Virtuoso 7: ``http://HOST:8890/sparql-graph-crud-auth``, HTTP digest authentication (a user with the
  ``SPARQL_UPDATE`` role, such as ``dba``).

The file is streamed from disk in blocks (never read whole into memory), with its length declared, and
progress is reported as it goes. With credentials, one body-less request first fetches the server's
digest challenge, so that the file is sent once, already authenticated (urllib's own retry after a 401
would send it twice, and a server that closes the connection after its 401 would cut the first upload).
The password comes from an environment variable (``--password-env VAR``) and never appears in a
message: every error text goes through :func:`nmdkg.query.remote.redact`.
"""

from __future__ import annotations

import base64
import io
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from nmdkg.core.paths import build_file
from nmdkg.core.rdf_formats import format_of
from nmdkg.query.remote import Credentials, RemoteError, check_url, http_error, opener, redact, user_agent

BLOCK = 1 << 20
DEFAULT_TIMEOUT = 600.0
#: Report progress at most this often (seconds), besides at the start and the end.
PROGRESS_EVERY = 2.0
#: A store that reports a deadlock (Virtuoso: "Error 40001 SR172: Transaction deadlocked", HTTP 500) rolled
#: the load back; the same request is sent again after these pauses (seconds), then the error is reported.
DEADLOCK_PAUSES = (2.0, 5.0, 10.0)
_DEADLOCK = re.compile(rb"\b40001\b|\bSR172\b|deadlock", re.IGNORECASE)

Progress = Callable[[str], None]


@dataclass(frozen=True)
class PushReport:
    """What a push did."""

    url: str  # redacted
    graph: str
    method: str
    status: int
    bytes: int
    triples: int | None  # counted for N-Triples (one triple per line)
    seconds: float

    def __str__(self) -> str:
        what = f"{self.triples} triples" if self.triples is not None else f"{self.bytes} bytes"
        verb = "replaced graph" if self.method == "PUT" else "added to graph"
        return (f"{what} pushed ({verb} <{self.graph}>) to {self.url}: HTTP {self.status} in "
                f"{self.seconds:.1f} s")


def graph_url(endpoint: str, graph: str) -> str:
    """``endpoint?graph=IRI`` (indirect graph identification of the Graph Store Protocol)."""
    separator = "&" if urllib.parse.urlsplit(endpoint).query else "?"
    return endpoint + separator + urllib.parse.urlencode({"graph": graph})


class FileBody:
    """A file as a request body: read in blocks each time it is iterated, reporting progress."""

    def __init__(self, path: Path, progress: Progress):
        self.path = path
        self.size = path.stat().st_size
        self.progress = progress
        self.sent = 0
        self.lines = 0

    def __iter__(self) -> Iterator[bytes]:
        self.sent = self.lines = 0
        last = time.monotonic()
        with self.path.open("rb") as handle:
            for block in iter(lambda: handle.read(BLOCK), b""):
                yield block
                self.sent += len(block)
                self.lines += block.count(b"\n")
                if time.monotonic() - last >= PROGRESS_EVERY:
                    last = time.monotonic()
                    self.progress(f"  sent {self._amount()}")
        self.progress(f"  sent {self._amount()}, waiting for the store to take it in")

    def _amount(self) -> str:
        share = 100 * self.sent / self.size if self.size else 100
        return f"{self.sent / 1e6:.1f} of {self.size / 1e6:.1f} MB ({share:.0f} %)"


def _authorization(url: str, method: str, credentials: Credentials, timeout: float) -> str | None:
    """The ``Authorization`` header for ``method url``, from the challenge of a body-less request.

    None when the server asks for no credentials. Digest (RFC 7616, computed by urllib's
    ``HTTPDigestAuthHandler``) or basic, as the server's ``WWW-Authenticate`` says.
    """
    probe = urllib.request.Request(url, method="HEAD", headers={"User-Agent": user_agent()})
    try:
        with opener(url).open(probe, timeout=timeout) as response:
            response.read()
        return None  # no challenge: the server lets anyone write, or checks nothing on HEAD
    except urllib.error.HTTPError as exc:
        if exc.code != 401:
            return None  # e.g. 404 for a graph not there yet, or 405: try the upload without a challenge
        challenges = exc.headers.get_all("WWW-Authenticate") or []
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise http_error(url, exc, [credentials.password], timeout) from None
    target = urllib.request.Request(url, method=method)
    manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    manager.add_password(None, url, credentials.user, credentials.password)
    for challenge in challenges:
        scheme = challenge.split(None, 1)[0].lower() if challenge.strip() else ""
        if scheme == "digest":
            digest = urllib.request.HTTPDigestAuthHandler(manager)
            value = digest.get_authorization(target, urllib.request.parse_keqv_list(
                urllib.request.parse_http_list(challenge.split(None, 1)[1])))
            if value:
                return f"Digest {value}"
        if scheme == "basic":
            token = base64.b64encode(f"{credentials.user}:{credentials.password}".encode()).decode("ascii")
            return f"Basic {token}"
    raise RemoteError(f"{redact(url)}: the server asks for an authentication scheme nmdkg does not speak "
                      f"({', '.join(c.split(None, 1)[0] for c in challenges if c.strip()) or 'none named'})")


def push(data: Path, endpoint: str, graph: str, *, append: bool = False,
         credentials: Credentials | None = None, progress: Progress = lambda message: None,
         timeout: float = DEFAULT_TIMEOUT) -> PushReport:
    """Send the build ``data`` to the Graph Store endpoint ``endpoint`` as the named graph ``graph``.

    ``append=False`` replaces the graph (PUT), ``append=True`` adds to it (POST). Raises RemoteError when
    the store refuses or cannot be reached, InputError for a bad file, URL or graph IRI.
    """
    from nmdkg.query.library import to_iri

    source = build_file(data)  # a graph: the Graph Store Protocol takes triples
    media_type = format_of(source).media_type
    check_url(endpoint)
    graph = str(to_iri(graph))
    url = graph_url(endpoint, graph)
    method = "POST" if append else "PUT"
    secrets = [credentials.password] if credentials else []
    body = FileBody(source, progress)
    headers = {"Content-Type": media_type, "Content-Length": str(body.size),
               "User-Agent": user_agent()}
    action = "adding to" if append else "replacing"
    progress(f"pushing {source} ({body.size / 1e6:.1f} MB) to {redact(endpoint, secrets)}, {action} "
             f"graph <{graph}>")
    started = time.monotonic()
    for attempt, pause in enumerate((*DEADLOCK_PAUSES, None), start=1):
        if credentials is not None:  # a fresh challenge for each attempt (a digest nonce is single-use)
            authorization = _authorization(url, method, credentials, timeout)
            if authorization:
                headers["Authorization"] = authorization
        request = urllib.request.Request(url, data=body, headers=headers, method=method)
        try:
            with opener(url).open(request, timeout=timeout) as response:
                response.read()
                status = response.status
            break
        except urllib.error.HTTPError as exc:
            said, exc = _readable(exc)
            if pause is not None and exc.code >= 500 and _DEADLOCK.search(said):
                progress(f"  the store reports a deadlock (a transient condition; the load was rolled back): "
                         f"sending again in {pause:g} s (attempt {attempt + 1} of {len(DEADLOCK_PAUSES) + 1})")
                time.sleep(pause)
                continue
            error = http_error(url, exc, secrets, timeout)
            if exc.code == 401 and credentials is None:
                error = RemoteError(f"{error} — this store needs --user NAME --password-env VAR")
            raise error from None
        except (BrokenPipeError, ConnectionResetError) as exc:
            raise RemoteError(redact(f"{_plain(url)}: the server closed the connection after {body.sent} of "
                                     f"{body.size} bytes ({exc.strerror or exc}); wrong credentials, or a "
                                     "file larger than the server accepts?", secrets)) from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise http_error(url, exc, secrets, timeout) from None
    triples = body.lines if source.suffix.lower() == ".nt" else None
    return PushReport(redact(endpoint, secrets), graph, method, status, body.size, triples,
                      time.monotonic() - started)


def _readable(exc: urllib.error.HTTPError) -> tuple[bytes, urllib.error.HTTPError]:
    """The body of ``exc`` (its first 2,000 bytes), and ``exc`` with that body held in memory to read again."""
    try:
        body = exc.read(2000)
    except Exception:  # noqa: BLE001 - the body may be unreadable once the server closed the connection
        body = b""
    return body, urllib.error.HTTPError(exc.url, exc.code, exc.reason, exc.headers, io.BytesIO(body))


def _plain(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
