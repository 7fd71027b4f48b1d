"""The test EHR (server.py, fixtures.py) as a real process on loopback, for the SMART tests."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path

from bench.common import free_port, serve

SERVER = Path(__file__).resolve().parent / "server.py"
CLIENT_ID = "intradural-calculator-test"


@contextmanager
def running_ehr(redirect_uris: list[str], log_path: Path, port: int | None = None):
    """Start the test EHR on loopback (a free port unless given); yields its FHIR base URL (`iss`)."""
    port = port or free_port()
    command = [sys.executable, str(SERVER), str(port), CLIENT_ID, *redirect_uris]
    with serve(command, f"http://127.0.0.1:{port}/healthz", log_path, startup_seconds=60):
        yield f"http://127.0.0.1:{port}/fhir"
