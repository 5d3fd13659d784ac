"""Issue 19: a results stream that the server cut at its time limit is reported as a timeout."""

from __future__ import annotations

import pytest

from nmdkg.query.remote import RemoteError, result_from_json

#: What the Oxigraph server 0.5 sends when its --timeout-s stops a SELECT (seen with `nmdkg serve --timeout 1`).
CUT = b'{"head":{"vars":["n"]},"results":{"bindings":[The SPARQL operation has been cancelled'


def test_a_cancelled_stream_is_a_timeout():
    with pytest.raises(RemoteError, match=r"^timeout: the server cancelled the query"):
        result_from_json(CUT, "SELECT")


def test_other_broken_json_is_still_reported_as_such():
    with pytest.raises(RemoteError, match="is not SPARQL JSON results"):
        result_from_json(b'{"head":{"vars":["n"]},"results":{"bindings":[', "SELECT")
