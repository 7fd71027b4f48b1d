"""What every benchmark shares: the patient, a live gunicorn, medians, and the results file.

Each benchmark returns `Figure`s. A full run merges them into bench/results.json (committed: the
measured numbers behind the table) and rewrites the table between the markers in
docs/performance.md; a quick run (--quick) writes its results under a scratch directory only, so
CI exercises every line of the scripts without touching the tree.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
DOC = ROOT / "docs" / "performance.md"
TABLE_START = "<!-- bench:table:start (written by python -m bench.run; edit outside the markers) -->"
TABLE_END = "<!-- bench:table:end -->"

# One patient for every benchmark, chosen so that all four non-resection inputs differ from the
# reference patient: the largest batch estimate() computes and the longest explanation.
PATIENT = {
    "kps": 50,
    "other_metastases": True,
    "mccormick_grade": 4,
    "resection": "subtotal",
    "compartment": "intradural_extramedullary",
}
# The same patient as the HTML form sends it (calculator.forms.form_value: booleans as yes/no).
FORM = {**PATIENT, "kps": "50", "other_metastases": "yes", "mccormick_grade": "4"}


@dataclass
class Figure:
    key: str  # stable id in results.json, e.g. "stack.api"
    figure: str  # what is measured, in words
    goal: str
    measured: str  # the number as shown in the table
    met: bool | None  # None: no goal applies, or not measurable here
    command: str  # how to re-run exactly this figure
    detail: str = ""  # absolute numbers behind a ratio, and conditions


def median(values) -> float:
    return statistics.median(list(values))


def conditions() -> str:
    """The state of the machine when a benchmark starts: other work on it skews every figure."""
    load1, _, _ = os.getloadavg()
    return f"{os.cpu_count()} cores, load {load1:.1f} at start"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, timeout: float = 5, context: ssl.SSLContext | None = None) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout, context=context) as response:  # loopback only
        return response.read()


def stop(process: subprocess.Popen, seconds: float = 15) -> None:
    """Terminate a server we started (by its pid), killing it if it does not exit in time."""
    process.terminate()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def serve(
    command: list[str],
    health_url: str,
    log_path: Path | str,
    *,
    env: dict | None = None,
    cwd: Path = ROOT,
    ready: Callable[[bytes], bool] = lambda body: True,
    startup_seconds: float = 60,
    context: ssl.SSLContext | None = None,
    probe: Callable[[], bool] | None = None,
):
    """Run a loopback server for the duration of the block: the one place that starts, waits for
    and stops the real servers (gunicorn for benches and tests, the Streamlit peer).

    Waits until `health_url` answers (over TLS with `context`, e.g. one that trusts a test
    certificate) and `ready(body)` holds, or until `probe()` does if given, then yields the process. Raises
    RuntimeError naming log_path if the process exits first or is not ready within
    startup_seconds. Always stops it, however the block ends.
    """
    name = Path(command[0]).name if "-m" not in command else command[command.index("-m") + 1]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + startup_seconds
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited ({process.returncode}) before serving; see {log_path}")
                try:
                    if probe() if probe else ready(get(health_url, timeout=1, context=context)):
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{name} did not answer {health_url} in time; see {log_path}")
                time.sleep(0.1)
            yield process
        finally:
            stop(process)


GUNICORN = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "calculator:create_app()"]


@contextmanager
def gunicorn(log_path: Path | str, startup_seconds: float = 60, env: dict | None = None, args: tuple = ()):
    """The product under the shipped gunicorn.conf.py on a free loopback port.

    Yields (base_url, master process). gunicorn exits when the port is taken, so a neighbour's
    server on the same port is never measured by mistake. `args` go before the app (e.g.
    "--max-requests", "0"); `env` is added to this process's environment.
    """
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [*GUNICORN[:-1], *args, GUNICORN[-1]]
    env = {**os.environ, "PORT": str(port), "BIND_HOST": "127.0.0.1", **(env or {})}
    with serve(command, base + "/healthz", log_path, env=env, startup_seconds=startup_seconds) as process:
        yield base, process


# nginx's main configuration around one site (deploy/calculator.nginx.in, rendered), for a
# foreground nginx on loopback: its pid file and temporary directories in its own work directory.
NGINX_MAIN = """worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/main-error.log warn;
events {{ worker_connections 512; }}
http {{
    default_type application/octet-stream;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    include {dir}/calculator.conf;
}}
"""


@contextmanager
def nginx(
    site: str,
    workdir: Path,
    health_url: str | None,
    context: ssl.SSLContext | None = None,
    startup_seconds: float = 20,
):
    """Debian's nginx in the foreground serving `site` (an http-context configuration), with
    everything it writes under `workdir`; yields the process once `health_url` answers (or, with
    None, once nginx has bound its ports and written its pid file: a proxy with no app behind it)."""
    executable = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(executable).exists():
        raise RuntimeError("nginx is not installed: `make nginx` (Debian's apt-get install nginx-light)")
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    workdir.chmod(0o755)  # run as root, nginx's workers are `nobody` and must reach their temp dirs
    (workdir / "calculator.conf").write_text(site, encoding="utf-8")
    (workdir / "nginx.conf").write_text(NGINX_MAIN.format(dir=workdir), encoding="utf-8")
    command = [executable, "-p", str(workdir), "-c", str(workdir / "nginx.conf"), "-e",
               str(workdir / "main-error.log"), "-g", "daemon off;"]  # fmt: skip
    pid_file = workdir / "nginx.pid"
    with serve(
        command,
        health_url or "",
        workdir / "nginx.out",
        startup_seconds=startup_seconds,
        context=context,
        probe=None if health_url else pid_file.exists,
    ) as process:
        yield process


def worker_pids(master_pid: int) -> list[int]:
    """gunicorn's workers: the master's child processes (Linux /proc)."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    return [int(pid) for pid in children]


def time_training(args: list[str], timeout: float, ok: tuple[int, ...] = (0,)) -> float:
    """Wall time of `python -m training ARGS` in a fresh interpreter, without the environment's
    CALCULATOR_* settings; its report is not ours (errors still reach stderr). An exit status not
    in `ok` raises: a command that failed at once must never be timed as fast."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALCULATOR_")}
    start = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "training", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        timeout=timeout,
    )
    if run.returncode not in ok:
        raise RuntimeError(f"python -m training {' '.join(args)} exited {run.returncode}")
    return time.perf_counter() - start


def scale_figure(
    key: str,
    command: str,
    figure: str,
    seconds: dict[int, float],
    goal_seconds: float,
    quick: bool,
    detail: str,
) -> Figure:
    """A wall-time figure at the larger of two sizes of a synthetic (generated) registry, with the
    smaller size's time and `detail` beside it."""
    small, large = sorted(seconds)
    return Figure(
        key=key,
        figure=f"{figure} at {large:,} rows of a synthetic registry",
        goal=f"<= {goal_seconds} s",
        measured=f"{seconds[large]:.1f} s" if seconds[large] < 10 else f"{seconds[large]:.0f} s",
        met=None if quick else seconds[large] <= goal_seconds,
        command=command,
        detail=f"{small:,} rows {seconds[small]:.1f} s; {detail}; {os.cpu_count()} cores"
        + ("; quick" if quick else ""),
    )


def scratch_dir(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"bench-{prefix}-"))


def render_table(results: dict) -> str:
    lines = [
        "| Figure | Goal | Measured | Met | How to re-run |",
        "| --- | --- | --- | --- | --- |",
    ]
    for fig in results["figures"].values():
        met = {True: "yes", False: "**no**", None: "-"}[fig["met"]]
        measured = fig["measured"] + (f" ({fig['detail']})" if fig["detail"] else "")
        lines.append(f"| {fig['figure']} | {fig['goal']} | {measured} | {met} | `{fig['command']}` |")
    return "\n".join(lines)


def write_doc(results: dict, doc: Path = DOC) -> None:
    """Replace the table between the markers; everything outside them is hand-written and kept."""
    text = (
        doc.read_text(encoding="utf-8") if doc.exists() else f"# Performance\n\n{TABLE_START}\n{TABLE_END}\n"
    )
    before, rest = text.split(TABLE_START, 1)
    _, after = rest.split(TABLE_END, 1)
    runs = "; ".join(f"`{name}`: {when}" for name, when in sorted(results["runs"].items()))
    table = f"{render_table(results)}\n\nLast measured ({platform.node() or 'this machine'}): {runs}.\n"
    doc.write_text(f"{before}{TABLE_START}\n{table}{TABLE_END}{after}", encoding="utf-8")


def record(name: str, figures: list[Figure], quick: bool, out_dir: Path | None, started: str) -> Path:
    """Merge a benchmark's figures into the results file and rewrite the table; returns the file.

    Full runs write bench/results.json and docs/performance.md; quick runs write both into
    out_dir (a scratch directory by default), starting from no results, so that a figure a quick
    run failed to report is missing there rather than copied from the last full run.
    """
    if quick:
        out_dir = out_dir or scratch_dir("quick")
        out_dir.mkdir(parents=True, exist_ok=True)  # a single bench run with a new --out-dir
        results_path, doc = out_dir / "results.json", out_dir / "performance.md"
        if not doc.exists() and DOC.exists():
            doc.write_text(DOC.read_text(encoding="utf-8"), encoding="utf-8")
    else:
        results_path, doc = RESULTS, DOC
    results = json.loads(results_path.read_text(encoding="utf-8")) if results_path.exists() else {}
    results.setdefault("figures", {})
    results.setdefault("runs", {})
    for fig in figures:
        results["figures"][fig.key] = asdict(fig)
    results["runs"][name] = started + (" (quick)" if quick else "")
    results["figures"] = dict(sorted(results["figures"].items(), key=lambda kv: ORDER.index(kv[0])))
    results_path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    write_doc(results, doc)
    return results_path


# Row order of the table (keys of every figure any benchmark reports).
ORDER = [
    "stack.api",
    "stack.page",
    "estimate_cost",
    "cold_start",
    "page_weight.form",
    "page_weight.result",
    "first_estimate.ours",
    "first_estimate.speedup",
    "first_estimate.weight",
    "training",
    "registry_check",
    "registry_scale.fit",
    "registry_scale.validate",
    "registry_scale.recalibrate",
    "memory",
]


def main(name: str, run: Callable[[bool], list[Figure]], argv: list[str] | None = None) -> int:
    """The command line every benchmark shares: [--quick] [--out-dir DIR]."""
    parser = argparse.ArgumentParser(prog=f"python -m bench.{name}")
    parser.add_argument("--quick", action="store_true", help="tiny size, results to a scratch dir only")
    parser.add_argument(
        "--out-dir", type=Path, help="where --quick writes results.json (default: a temp dir)"
    )
    args = parser.parse_args(argv)
    started = f"{datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}, {conditions()}"
    print(f"bench.{name}: {'quick' if args.quick else 'full'} run, {started}", flush=True)
    figures = run(args.quick)
    for fig in figures:
        met = {True: "met", False: "MISSED", None: "-"}[fig.met]
        print(f"  {fig.figure}: {fig.measured} (goal {fig.goal}: {met}) {fig.detail}")
    path = record(name, figures, args.quick, args.out_dir, started)
    print(f"  results: {path}")
    return 0
