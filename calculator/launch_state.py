"""The SMART launch's `state`: what must survive the trip to the EHR's login and back, sealed.

The calculator keeps no session and sets no cookie (it runs in a cross-site EHR frame with
third-party cookies blocked), so the PKCE verifier, the issuer and the token endpoint travel in
the OAuth `state` parameter itself: one JWE (`dir`, A256GCM) under a key derived from
CALCULATOR_SMART_KEY. AES-GCM authenticates it, so a state that was altered, forged or sealed
under another key does not open, and a random nonce inside makes each one unpredictable.

Reuse: a stateless server cannot remember which states it has seen, so the same state is
accepted again until it expires (LIFETIME_SECONDS). What stops a replayed callback is the EHR:
an authorization code is single-use and the token exchange needs the PKCE verifier, which only
the sealed state holds. The state carries no patient value.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time

from joserfc import jwe
from joserfc.errors import JoseError
from joserfc.jwk import OctKey

LIFETIME_SECONDS = 300  # the surgeon's round trip through the EHR's consent screen, if it shows one
MIN_KEY_CHARS = 32
_HEADER = {"alg": "dir", "enc": "A256GCM"}


class LaunchStateError(ValueError):
    """The state did not come back as the calculator sealed it, or it has expired."""


def _key(secret: str) -> OctKey:
    # The setting is a high-entropy secret (checked at start); SHA-256 turns any length into the
    # 256-bit key A256GCM needs.
    return OctKey.import_key(hashlib.sha256(secret.encode("utf-8")).digest())


def seal(values: dict, secret: str, now: float | None = None) -> str:
    """An opaque, encrypted and authenticated token holding `values` and an expiry."""
    now = time.time() if now is None else now
    payload = {**values, "exp": int(now) + LIFETIME_SECONDS, "nonce": secrets.token_urlsafe(16)}
    return jwe.encrypt_compact(_HEADER, json.dumps(payload).encode("utf-8"), _key(secret))


def unseal(token: str, secret: str, now: float | None = None) -> dict:
    """The values sealed in `token`. Raises LaunchStateError if it was altered, was sealed under
    another key, is not a state at all, or has expired."""
    now = time.time() if now is None else now
    try:
        data = jwe.decrypt_compact(token, _key(secret), algorithms=["dir", "A256GCM"])
        payload = json.loads(data.plaintext or b"")
    except (JoseError, ValueError, TypeError) as e:
        raise LaunchStateError("the launch state was not the one the calculator sent") from e
    if not isinstance(payload, dict) or not isinstance(payload.get("exp"), int):
        raise LaunchStateError("the launch state was not the one the calculator sent")
    if payload["exp"] < now:
        raise LaunchStateError("the launch has expired")
    return payload
