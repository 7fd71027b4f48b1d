"""The calculator web app; `create_app()` is the only way to build it (gunicorn: calculator:create_app())."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from calculator import i18n
from calculator.artifact import DEFAULT_MODEL_DIR, PROJECT_ROOT, ModelLoadError
from calculator.framing import FramingError, frame_ancestors
from calculator.model import init_model
from calculator.pin import PinError, pin_for
from calculator.settings import InsecureSetting, host_list, refuse_insecure


class StartupRefused(SystemExit):
    """Raised by create_app when the model cannot be served. A SystemExit, so that gunicorn, flask
    and python print just its one sentence and exit non-zero, without a traceback."""


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, template_folder=str(PROJECT_ROOT / "templates"))
    app.config.from_mapping(
        # Directory holding manifest.json and the artifact; a hospital's own refit goes here.
        MODEL_DIR=str(DEFAULT_MODEL_DIR),
        # SHA-256 of MODEL_DIR/manifest.json, set by the operator: production serves a directory
        # other than the shipped one only when pinned (the shipped one is pinned by the package).
        MODEL_SHA256=None,
        # Origins allowed to frame the page (CSP frame-ancestors), space-separated.
        FRAME_ANCESTORS="'self'",
        # Largest request body accepted, in bytes: the form and the JSON body are < 1 KB.
        MAX_CONTENT_LENGTH=16 * 1024,
        # Host header values served (Flask checks each request; others get 400): the names the
        # hospital serves the calculator under. Space- or comma-separated, or a JSON list.
        TRUSTED_HOSTS=["127.0.0.1", "localhost"],
        # "production" (default) refuses insecure settings at start; "development" allows them.
        ENV="production",
        # SMART on FHIR launch from the chart (calculator/smart.py): off unless a site registers the app.
        SMART_ENABLED=False,
        # FHIR base URLs (iss) allowed to launch, space-separated or a JSON list; required when enabled.
        SMART_ISSUERS=[],
        # The client id each EHR assigned: one string, or a JSON object {iss: client id}.
        SMART_CLIENT_ID="",
        # Secret (>= 32 random characters) sealing the launch state; required when enabled.
        SMART_KEY="",
        # A chart score older than this many days is shown as old.
        SMART_MAX_AGE_DAYS=30,
        # CDS Hooks (calculator/cds_hooks.py): trusted EHR issuers -> their JWKS (inline, file, URL).
        CDS_HOOKS_ISSUERS={},
        # The calculator's public base URL behind the hospital's proxy; empty: the request's own.
        PUBLIC_URL="",
        # The page's language when the browser asks for none of English, German, Italian.
        DEFAULT_LANGUAGE="en",
    )
    app.config.from_prefixed_env("CALCULATOR")  # CALCULATOR_MODEL_DIR, CALCULATOR_FRAME_ANCESTORS, ...
    if test_config:
        app.config.update(test_config)

    try:
        app.config["TRUSTED_HOSTS"] = host_list(app.config["TRUSTED_HOSTS"])
        refuse_insecure(app.config)
        i18n.check_settings(app.config)
        # Imported only when configured: most sites never load the OAuth and JOSE libraries.
        if app.config["SMART_ENABLED"]:
            from calculator import smart

            smart.check_settings(app.config)
        if app.config["CDS_HOOKS_ISSUERS"]:
            from calculator import cds_hooks

            cds_hooks.check_settings(app.config)
    except (InsecureSetting, i18n.LanguageSettingError) as e:
        raise StartupRefused(f"calculator: refusing to start: {e}") from None

    try:
        # Wildcards are refused except on a developer's machine (CALCULATOR_ENV=development).
        production = app.config.get("ENV") != "development"
        ancestors = frame_ancestors(str(app.config["FRAME_ANCESTORS"]), production=production)
        app.config["FRAME_ANCESTORS"] = ancestors
        pin = pin_for(
            Path(app.config["MODEL_DIR"]), DEFAULT_MODEL_DIR, app.config["MODEL_SHA256"], production
        )
        init_model(app, Path(app.config["MODEL_DIR"]), pin)
        i18n.check_catalogues()  # after the model: a model that cannot be served is said first
    except (FramingError, ModelLoadError, PinError, i18n.LanguageSettingError) as e:
        raise StartupRefused(f"calculator: refusing to start: {e}") from None

    from calculator import api, assets, compress, display, headers, limits, logs, views

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    if app.config["SMART_ENABLED"]:
        app.register_blueprint(smart.bp)  # imported above, with its settings check
    if app.config["CDS_HOOKS_ISSUERS"]:
        app.register_blueprint(cds_hooks.bp)
    headers.init_app(app)
    assets.init_app(app)
    compress.init_app(app)
    limits.init_app(app)
    logs.init_app(app)
    i18n.init_app(app)
    display.init_app(app)
    return app
