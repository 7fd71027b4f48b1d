"""The SMART launch's settings, checked once at start: production never runs a half-configured launch.

With CALCULATOR_SMART_ENABLED on, create_app refuses to start, in one sentence naming the variable,
without a launch-state key (CALCULATOR_SMART_KEY, >= 32 characters), an issuer allow-list
(CALCULATOR_SMART_ISSUERS, https; http only on loopback, for the test EHR), a client id for each
issuer (CALCULATOR_SMART_CLIENT_ID) or a whole number of days for CALCULATOR_SMART_MAX_AGE_DAYS.
"""

from __future__ import annotations

from calculator import launch_state
from calculator.settings import InsecureSetting, secure_url


def check_settings(config) -> None:
    """Normalise the SMART settings in place; raise InsecureSetting naming the variable to set."""
    config["SMART_ISSUERS"] = _issuers(config["SMART_ISSUERS"])
    age = config.get("SMART_MAX_AGE_DAYS")
    if isinstance(age, bool) or not isinstance(age, int) or age < 0:
        raise InsecureSetting(f"CALCULATOR_SMART_MAX_AGE_DAYS must be a whole number of days, not {age!r}.")
    if not config.get("SMART_KEY") or len(str(config["SMART_KEY"])) < launch_state.MIN_KEY_CHARS:
        raise InsecureSetting(
            f"CALCULATOR_SMART_KEY must be a random secret of at least {launch_state.MIN_KEY_CHARS} "
            "characters when SMART is enabled, e.g. the output of "
            "python -c 'import secrets; print(secrets.token_urlsafe(32))'."
        )
    if not config["SMART_ISSUERS"]:
        raise InsecureSetting(
            "CALCULATOR_SMART_ISSUERS is empty: list the FHIR base URLs (iss) allowed to launch."
        )
    for iss in config["SMART_ISSUERS"]:
        if not client_id(config, iss):
            raise InsecureSetting(f"CALCULATOR_SMART_CLIENT_ID has no client id for {iss}.")
        if not secure_url(iss):
            raise InsecureSetting(f"CALCULATOR_SMART_ISSUERS lists {iss}: an EHR is reached over https only.")


def _issuers(value: object) -> list[str]:
    """CALCULATOR_SMART_ISSUERS as a list: a JSON list, or URLs separated by spaces."""
    items = value.split() if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(iss, str) for iss in items):
        raise InsecureSetting(f"CALCULATOR_SMART_ISSUERS must list FHIR base URLs, not {value!r}.")
    return [iss.rstrip("/") for iss in items if iss]


def client_id(config, iss: str) -> str | None:
    """The client id the EHR at `iss` registered: one id for every EHR, or a JSON object by iss."""
    ids = config.get("SMART_CLIENT_ID")
    if isinstance(ids, dict):
        return ids.get(iss) or ids.get(iss + "/")
    return str(ids) if ids else None
