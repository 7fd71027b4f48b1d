"""The hostile-request corpus (tests/hostile_requests.py) against gunicorn with the shipped config.

Every malformed body gets 400 (never 500), forwarded headers change nothing, and afterwards
neither the access log nor the error log holds the patient value any request carried; the log
keeps only the type of a body it could not read.
"""

from __future__ import annotations

import pytest
from hostile_requests import CORPUS, MARKER, exchange, status_of
from live import gunicorn_server
from serverprobe import request

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    log = tmp_path_factory.mktemp("hostile") / "gunicorn.log"
    with gunicorn_server(log_path=log, startup_seconds=60) as (base, _):
        yield base, log


@pytest.mark.parametrize("case", CORPUS, ids=[c.name for c in CORPUS])
def test_each_hostile_request_is_refused_or_harmless(server, case):
    base, _ = server
    port = int(base.rsplit(":", 1)[1])
    answer = exchange("127.0.0.1", port, case.raw)
    assert status_of(answer) in case.answers, answer[:300]
    if case.forwarded:
        page = answer.decode("utf-8", "replace")
        assert "evil.example" not in page and "/elsewhere" not in page
        assert 'href="/static/' in page  # links stay on this server, at its root
        assert "<h1>Estimated 90-day survival after surgery</h1>" in page  # PATH_INFO did not reroute
    assert request(base, "GET", "/healthz")[0] == 200


def test_no_log_holds_a_patient_value_after_the_corpus(server):
    base, log = server
    for case in CORPUS:  # run again here, so this test stands alone under -k
        exchange("127.0.0.1", int(base.rsplit(":", 1)[1]), case.raw)
    text = log.read_text(encoding="utf-8", errors="replace")
    assert MARKER not in text
    assert " 500 " not in text and "Traceback" not in text
    assert "request body unreadable (InvalidChunkSize): answered 400" in text  # the type, nothing else
