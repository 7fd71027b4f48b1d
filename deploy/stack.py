"""The production stack on loopback: gunicorn (gunicorn.conf.py) behind nginx (deploy/), over TLS
with a self-signed certificate made by openssl. `make stack` runs it until Ctrl-C; the tests
(tests/test_deploy.py) start exactly this.

Everything it writes (certificate, nginx configuration, logs) goes under one work directory; the
servers are started and stopped by bench.common.serve, the one place that runs real servers.
"""

from __future__ import annotations

import argparse
import dataclasses
import signal
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.common import free_port, gunicorn, nginx
from deploy.nginx import Site, render

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Stack:
    https: str  # https://127.0.0.1:PORT, through nginx
    http: str  # the plain-HTTP port that redirects
    app: str  # gunicorn itself, for comparison only
    certificate: Path
    workdir: Path
    gunicorn_log: Path
    access_log: Path
    error_log: Path

    def context(self) -> ssl.SSLContext:
        """A client TLS context that trusts this stack's certificate and checks the host name."""
        return ssl.create_default_context(cafile=str(self.certificate))


def self_signed_certificate(workdir: Path) -> tuple[Path, Path]:
    """A P-256 certificate for 127.0.0.1 and localhost, valid for a week (openssl)."""
    cert, key = workdir / "cert.pem", workdir / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "7",
            "-subj",
            "/CN=localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],  # fmt: skip
        check=True,
        capture_output=True,
    )
    return cert, key


@contextmanager
def production_stack(
    workdir: Path, env: dict | None = None, https_port: int | None = None, **site: object
) -> Iterator[Stack]:
    """gunicorn behind nginx on loopback for the duration of the block. `site` overrides
    deploy.nginx.Site fields (e.g. rate="1r/s"); `env` goes to gunicorn."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    cert, key = self_signed_certificate(workdir)
    https_port, http_port = https_port or free_port(), free_port()
    logs = workdir / "logs"
    logs.mkdir(exist_ok=True)
    logs.chmod(0o755)
    gunicorn_log = logs / "gunicorn.log"
    with gunicorn(gunicorn_log, env=env) as (app_url, _):
        settings = dataclasses.replace(
            Site(),
            server_name="127.0.0.1 localhost",
            https_listen=f"{HOST}:{https_port}",
            http_listen=f"{HOST}:{http_port}",
            public_url=f"https://{HOST}:{https_port}",
            certificate=str(cert),
            certificate_key=str(key),
            upstream=app_url.removeprefix("http://"),
            frame_ancestors=(env or {}).get("CALCULATOR_FRAME_ANCESTORS", "'self'"),
            access_log=str(logs / "nginx-access.log"),
            error_log=str(logs / "nginx-error.log"),
            **site,
        )
        stack = Stack(
            https=f"https://{HOST}:{https_port}",
            http=f"http://{HOST}:{http_port}",
            app=app_url,
            certificate=cert,
            workdir=workdir,
            gunicorn_log=gunicorn_log,
            access_log=logs / "nginx-access.log",
            error_log=logs / "nginx-error.log",
        )
        with nginx(render(settings), workdir / "nginx", stack.https + "/healthz", context=stack.context()):
            yield stack


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.stack", description=__doc__)
    parser.add_argument("--port", type=int, default=8443, help="HTTPS port on 127.0.0.1 (default 8443)")
    args = parser.parse_args(argv)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    with (
        tempfile.TemporaryDirectory(prefix="calculator-stack-") as tmp,
        production_stack(Path(tmp), https_port=args.port) as stack,
    ):
        print(f"calculator: {stack.https}/ (self-signed certificate {stack.certificate})", flush=True)
        print(f"  logs in {stack.access_log.parent}; Ctrl-C stops nginx and gunicorn", flush=True)
        try:
            while not stopping:
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
