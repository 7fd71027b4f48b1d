"""Real components for tests: gunicorn with the shipped config on loopback, Debian's Chromium.

Import from test modules (`from live import gunicorn_server, launch_chromium`); tests/ is on
sys.path under pytest's default import mode.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

from bench.browser import chromium as launch_chromium
from bench.common import free_port, gunicorn

__all__ = ["ROOT", "free_port", "gunicorn_server", "launch_chromium"]

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def gunicorn_server(
    env: dict | None = None, args: tuple = (), log_path: Path | None = None, startup_seconds: float = 20
):
    """Serve 'calculator:create_app()' under gunicorn.conf.py on a free loopback port.

    Yields (base_url, process); output goes to log_path (or is discarded). The server is started
    and stopped by bench.common.serve, the one place that runs real servers for benches and tests.
    """
    with gunicorn(log_path or os.devnull, startup_seconds=startup_seconds, env=env, args=args) as served:
        yield served
