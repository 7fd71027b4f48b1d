"""gunicorn settings for the calculator: `gunicorn -c gunicorn.conf.py 'calculator:create_app()'`.

Every value here can be overridden on the command line; PORT and WEB_CONCURRENCY from the
environment are the usual knobs.
"""

import os
import re

import gunicorn.http.wsgi
from gunicorn.glogging import Logger

# gunicorn names itself in a `Server` header on every response and has no setting to change it.
# Name no software (a scanner's first question is what, and which version, answers): the sync
# worker reads this module constant for each response. tests/test_server.py checks it on a live
# server, so a gunicorn upgrade that moves the constant fails a test instead of leaking quietly.
gunicorn.http.wsgi.SERVER = "calculator"

# Loopback by default: put a TLS-terminating reverse proxy (the hospital's) in front. PORT overrides.
bind = f"{os.environ.get('BIND_HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"

# One synchronous worker per core: an estimate is ~1 ms of CPU, so workers never wait on I/O.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Sync workers hold one connection each, so they must sit behind a buffering proxy (nginx), which
# absorbs slow or idle clients; docs/security.md, "Slow and idle connections".
worker_class = "sync"

# Build the app (and verify + load the model) once in the master before forking: a bad artifact
# stops the server at start instead of failing every worker, and workers share the model's memory.
preload_app = True

# A request takes milliseconds; anything near these limits is a stuck worker or a slow client.
timeout = 30
graceful_timeout = 10
keepalive = 5

# Recycle workers now and then so a slow leak can never grow without bound (jitter avoids all
# workers restarting at once).
max_requests = 5000
max_requests_jitter = 500

# Forwarded headers (X-Forwarded-Proto, Forwarded, and SCRIPT_NAME/PATH_INFO as headers, which
# gunicorn maps into the WSGI environment) are ignored unless the operator names the proxy's
# address here. gunicorn trusts loopback by default, so any local client could set SCRIPT_NAME:
# a 500, or every link on the page pointing at another host. The calculator needs none of them
# (its links are relative; deploy/nginx sets no forwarded header it relies on).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "")

# The workers' heartbeat files live in a RAM-backed directory: a service with a read-only root
# filesystem (deploy/calculator.service) has no writable temp dir otherwise, and gunicorn would not
# start. /dev/shm stays writable under systemd's ProtectSystem=strict and in containers. (gunicorn
# creates each file with mkstemp and unlinks it at once, so a shared directory is safe: S108.)
SHM = "/dev/shm"  # noqa: S108
worker_tmp_dir = SHM if os.access(SHM, os.W_OK) else None

# No runtime control socket (gunicorn >= 25 opens one in $HOME by default to resize or stop the
# server): nothing here uses it, it is one more way in, and servers started side by side (tests,
# the soak benchmark) would all claim the same path.
control_socket_disable = True

# Small request limits: the form and the API body are well under 1 KB.
limit_request_line = 2048
limit_request_fields = 50
limit_request_field_size = 4096

# Access log without request bodies or query strings: %(U)s is the path only, never %(r)s or
# %(q)s. Patient values travel only in POST bodies, which gunicorn never logs.
accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
loglevel = "info"


class RequestTextWithheld(Logger):
    """gunicorn's own messages about a malformed or failed request quote the request's text: the
    request line with its query string, a header line ('Invalid request from ip=...: Invalid HTTP
    Header: ...'). Keep the event and its kind, drop the text, which may hold a patient value."""

    def warning(self, msg, *args, **kwargs):
        if isinstance(msg, str) and msg.startswith("Invalid request from ip="):
            ip, _, error = msg.removeprefix("Invalid request from ip=").partition(": ")
            kind = re.split(r"[:'\"(]", error, maxsplit=1)[0].strip()
            msg = f"Invalid request from ip={ip}: {kind} (request text withheld)"
        super().warning(msg, *args, **kwargs)

    def exception(self, msg, *args, **kwargs):
        if isinstance(msg, str) and msg.startswith("Error handling request"):
            msg, args = "Error handling request (request line withheld)", ()  # its URI has the query
        super().exception(msg, *args, **kwargs)


logger_class = RequestTextWithheld


def on_reload(server):
    """SIGHUP re-reads this file and restarts the workers, but the model stays the one the master
    loaded at start (preload_app). Say so, and re-check the model files, so that an operator who
    sent HUP after changing the model hears that it takes a restart (docs/security.md)."""
    app = server.app.callable
    if app is None:
        return
    from calculator.model import model_files_problem

    with app.app_context():
        problem = model_files_problem()
    if problem:
        server.log.error(
            "SIGHUP: %s; the model served is still the one loaded at start. "
            "A new model is loaded only by a restart (systemctl restart calculator).",
            problem,
        )
    else:
        server.log.info("SIGHUP: model files unchanged; a new model is loaded only by a restart.")
