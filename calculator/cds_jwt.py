"""CDS Hooks request authentication: the JWT every service call carries, verified as the spec asks.

A JWT in `Authorization: Bearer`, signed by a trusted EHR (CALCULATOR_CDS_HOOKS_ISSUERS maps each
`iss` to its JWKS: inline, a file read at start, or a URL fetched at run time and cached) with an
asymmetric algorithm only (`alg: none` and HS* are refused, whatever the JWKS holds), `aud` equal
to the service's URL, `exp` at most MAX_LIFETIME_SECONDS ahead, `iat`, and a `jti` not seen
before. A `jku` header is ignored: keys come from configuration only. The jti cache is in memory,
bounded and per process: with several gunicorn workers, a token replayed to another worker before
it expires is accepted (docs/ehr-integration.md); the short lifetime bounds that.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
import time
from collections import OrderedDict
from pathlib import Path

import requests
from flask import current_app
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from calculator.settings import InsecureSetting, secure_url

ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]
MAX_LIFETIME_SECONDS = 300  # the specification recommends tokens that expire within 5 minutes
LEEWAY_SECONDS = 30  # clock skew between the EHR and this server
JTI_CACHE_SIZE = 10_000  # about 5 minutes of tokens at 30 requests a second, per process
JWKS_CACHE_SECONDS = 300


def check_settings(config) -> None:
    """CALCULATOR_CDS_HOOKS_ISSUERS: a JSON object {iss: JWKS}, each JWKS inline (an object), a
    file path, or an https URL fetched at run time. Files are read now, so a typo fails at start."""
    issuers = config.get("CDS_HOOKS_ISSUERS") or {}
    if not isinstance(issuers, dict):
        raise InsecureSetting("CALCULATOR_CDS_HOOKS_ISSUERS must be a JSON object {issuer: JWKS}.")
    loaded = {}
    for iss, source in issuers.items():
        if _is_url(source) and not secure_url(source):  # keys fetched over plain http could be swapped
            raise InsecureSetting(
                f"CALCULATOR_CDS_HOOKS_ISSUERS: the JWKS of {iss} must be fetched over https, not {source}."
            )
        try:
            loaded[iss] = source if _is_url(source) else _key_set(source)
        except (OSError, ValueError, TypeError, JoseError):
            raise InsecureSetting(
                f"CALCULATOR_CDS_HOOKS_ISSUERS: the JWKS of {iss} is not a JWKS object, readable file or URL."
            ) from None
    config["CDS_HOOKS_ISSUERS"] = loaded


def _is_url(source: object) -> bool:
    return isinstance(source, str) and source.startswith(("https://", "http://"))


def _key_set(source: object) -> KeySet:
    data = json.loads(Path(source).read_text(encoding="utf-8")) if isinstance(source, str) else source
    return KeySet.import_key_set(data)


def authenticated(header: str, audience: str) -> bool:
    """The bearer JWT is signed by a trusted issuer's key, for this service, current and unseen."""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return False
    issuer = _claimed_issuer(token)  # only to choose the keys; checked again once verified
    keys = _issuer_keys(issuer)
    if keys is None:
        return False
    now = int(time.time())
    try:
        claims = jwt.decode(token, keys, algorithms=ALGORITHMS).claims
        jwt.JWTClaimsRegistry(
            now=now,
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": audience},
            exp={"essential": True},
            iat={"essential": True},
            jti={"essential": True},
        ).validate(claims)
    except (JoseError, ValueError, TypeError):
        return False
    if not isinstance(claims["exp"], int) or claims["exp"] > now + MAX_LIFETIME_SECONDS + LEEWAY_SECONDS:
        return False
    return _jti_cache().first_use(f"{issuer} {claims['jti']}", claims["exp"], now)


def _claimed_issuer(token: str) -> str | None:
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError, binascii.Error):
        return None
    issuer = claims.get("iss") if isinstance(claims, dict) else None
    return issuer if isinstance(issuer, str) else None


def _issuer_keys(issuer: str | None) -> KeySet | None:
    """The trusted issuer's keys; a JWKS URL is fetched at most every JWKS_CACHE_SECONDS."""
    source = current_app.config["CDS_HOOKS_ISSUERS"].get(issuer) if issuer else None
    if source is None or isinstance(source, KeySet):
        return source
    cache = current_app.extensions.setdefault("calculator.cds_hooks.jwks", {})
    fetched_at, keys = cache.get(source, (0.0, None))
    if keys is None or time.monotonic() - fetched_at > JWKS_CACHE_SECONDS:
        try:
            response = requests.get(source, headers={"Accept": "application/json"}, timeout=(3, 5))
            response.raise_for_status()
            keys = KeySet.import_key_set(response.json())
        except (requests.RequestException, ValueError, TypeError, JoseError):
            return None  # an unreachable JWKS authenticates nobody; tried again on the next call
        cache[source] = (time.monotonic(), keys)
    return keys


class JtiCache:
    """jti values seen until their token expires: bounded, in memory, for this process only."""

    def __init__(self, size: int = JTI_CACHE_SIZE):
        self.size = size
        self.seen: OrderedDict[str, int] = OrderedDict()  # key -> exp, oldest first
        self.lock = threading.Lock()

    def first_use(self, key: str, exp: int, now: int) -> bool:
        with self.lock:
            while self.seen and next(iter(self.seen.values())) + LEEWAY_SECONDS < now:
                self.seen.popitem(last=False)  # expired tokens are refused anyway: forget them
            if key in self.seen:
                return False
            if len(self.seen) >= self.size:
                self.seen.popitem(last=False)  # full of unexpired tokens: the oldest is forgotten
            self.seen[key] = exp
            return True


def _jti_cache() -> JtiCache:
    return current_app.extensions.setdefault("calculator.cds_hooks.jti", JtiCache())
