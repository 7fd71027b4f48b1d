"""Real components for tests: gunicorn with the shipped config on loopback, Debian's Chromium.

Import from test modules (`from live import gunicorn_server, launch_chromium`); tests/ is on
sys.path under pytest's default import mode.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn_server(
    env: dict | None = None, args: tuple = (), log_path: Path | None = None, startup_seconds: float = 20
):
    """Serve 'calculator:create_app()' under gunicorn.conf.py on a free loopback port.

    Yields (base_url, process). Output goes to log_path (or is discarded). Raises RuntimeError
    when /healthz does not answer within startup_seconds; always stops the server.
    """
    port = free_port()
    log = open(log_path, "wb") if log_path else subprocess.DEVNULL  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [str(GUNICORN), "-c", "gunicorn.conf.py", *args, "calculator:create_app()"],
        cwd=ROOT,
        env={**os.environ, "PORT": str(port), **(env or {})},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_seconds
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {process.returncode} before serving")
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not answer /healthz in time") from None
                time.sleep(0.1)
        yield base, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if log_path:
            log.close()


def launch_chromium(playwright, **kwargs):
    """Debian's chromium, headless, with no background traffic (never a downloaded browser)."""
    executable = shutil.which("chromium")
    if executable is None:
        raise RuntimeError("chromium is not installed: `make test` installs it (apt-get install chromium)")
    extra = kwargs.pop("args", [])
    return playwright.chromium.launch(
        executable_path=executable, headless=True, args=CHROMIUM_ARGS + extra, **kwargs
    )
