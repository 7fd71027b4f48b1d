"""Render the nginx site (deploy/calculator.nginx.in) for one deployment.

The security headers come from calculator.headers, the function Flask uses, and the frame
ancestors are checked by calculator.framing as the app checks them: the proxy and the app send
one set of headers. In each place nginx sends headers it first hides the app's copies, so every
answer carries exactly one of each, whether the app, gunicorn or nginx wrote it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from calculator.framing import frame_ancestors
from calculator.headers import NO_STORE, TLS_ONLY, security_headers

TEMPLATE = Path(__file__).with_name("calculator.nginx.in")
EXAMPLE = Path(__file__).with_name("calculator.conf")  # rendered with the defaults below; a test keeps it so


@dataclass(frozen=True)
class Site:
    """One deployment's values. The defaults render deploy/calculator.conf, the shipped example."""

    server_name: str = "calculator.example.org"
    https_listen: str = "443"
    http_listen: str = "80"
    public_url: str = "https://calculator.example.org"  # where the plain-HTTP server redirects
    certificate: str = "/etc/ssl/certs/calculator.example.org.pem"
    certificate_key: str = "/etc/ssl/private/calculator.example.org.key"
    upstream: str = "127.0.0.1:8000"  # gunicorn's bind (BIND_HOST:PORT)
    frame_ancestors: str = "'self'"  # CALCULATOR_FRAME_ANCESTORS, the same value the app gets
    access_log: str = "/var/log/nginx/calculator.access.log"
    error_log: str = "/var/log/nginx/calculator.error.log"
    rate: str = "10r/s"  # per client address
    burst: int = 40
    connections: int = 20  # per client address, held at once


def header_lines(headers: dict[str, str], hide: list[str], indent: str) -> str:
    """add_header ... always for each header, after hiding the upstream's copy of each."""
    lines = [f"{indent}proxy_hide_header {name};" for name in hide]
    for name, value in headers.items():
        if any(c in value for c in '"$\\\n'):  # nginx would read a variable or end the string
            raise ValueError(f"header {name} has a character nginx cannot take literally: {value!r}")
        lines.append(f'{indent}add_header {name} "{value}" always;')
    return "\n".join(lines)


def render(site: Site = Site()) -> str:  # noqa: B008 - a frozen dataclass, never mutated
    """The nginx site for `site`. Raises calculator.framing.FramingError for bad frame ancestors."""
    ancestors = frame_ancestors(site.frame_ancestors, production=True)
    common = {**security_headers(ancestors), **TLS_ONLY}
    every = {**common, **NO_STORE}
    hide = list(every)  # nginx's add_header and proxy_hide_header do not inherit into a block
    values = {
        "@SERVER_HEADERS@": header_lines(every, [], "    "),
        "@STATIC_HEADERS@": header_lines(common, list(common), "        "),  # the app's caching stays
        "@PAGE_HEADERS@": header_lines(every, hide, "        "),
        "@SERVER_NAME@": site.server_name,
        "@HTTPS_LISTEN@": site.https_listen,
        "@HTTP_LISTEN@": site.http_listen,
        "@PUBLIC_URL@": site.public_url.rstrip("/"),
        "@CERTIFICATE@": site.certificate,
        "@CERTIFICATE_KEY@": site.certificate_key,
        "@UPSTREAM@": site.upstream,
        "@ACCESS_LOG@": site.access_log,
        "@ERROR_LOG@": site.error_log,
        "@RATE@": site.rate,
        "@BURST@": str(site.burst),
        "@CONNECTIONS@": str(site.connections),
    }
    text = TEMPLATE.read_text(encoding="utf-8")
    for placeholder, value in values.items():
        if any(c in value for c in ";{}\n") and not placeholder.endswith("HEADERS@"):
            raise ValueError(f"{placeholder.strip('@').lower()} {value!r} would change nginx's syntax")
        text = text.replace(placeholder, value)
    return text
