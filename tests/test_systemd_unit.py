"""deploy/calculator.service, checked without systemd running (the test sandbox has none).

What is checked: the unit parses and its commands exist (`systemd-analyze verify`, on a copy whose
paths point at this checkout), systemd's own exposure score (`systemd-analyze security
--offline`), the directives the deployment relies on, and that gunicorn started as its
ExecStart says serves on a read-only root filesystem (a private mount namespace with / remounted
read-only and a tmpfs for the runtime directory, as ProtectSystem=strict and RuntimeDirectory=
give). What is not: the service under a real systemd (user switch, restart on failure, sandboxing
at run time); that needs a machine with systemd as PID 1.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from live import ROOT, free_port

from bench.common import serve

UNIT = ROOT / "deploy" / "calculator.service"
INSTALLED = "/opt/calculator"  # where deploy/README.md installs the checkout


def directives() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in UNIT.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.lstrip().startswith(("#", ";", "[")):
            key, value = line.split("=", 1)
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def local_copy(tmp_path: Path) -> Path:
    """The unit with the install path replaced by this checkout, so its commands exist here."""
    copy = tmp_path / UNIT.name
    copy.write_text(UNIT.read_text(encoding="utf-8").replace(INSTALLED, str(ROOT)), encoding="utf-8")
    return copy


def test_the_directives_the_deployment_relies_on():
    d = directives()
    assert d["User"] == ["calculator"] and d["Group"] == ["calculator"]  # a dedicated service user
    assert d["Restart"] == ["on-failure"]
    assert d["ProtectSystem"] == ["strict"] and d["PrivateTmp"] == ["yes"]  # read-only root
    assert d["NoNewPrivileges"] == ["yes"] and d["CapabilityBoundingSet"] == [""]
    assert d["Environment"][0] == "CALCULATOR_ENV=production"
    exec_start = shlex.split(d["ExecStart"][0])
    runtime = "/run/" + d["RuntimeDirectory"][0]
    assert exec_start[exec_start.index("--worker-tmp-dir") + 1] == runtime  # writable under strict
    assert f"{INSTALLED}/gunicorn.conf.py" in exec_start  # the shipped config: loopback, limits
    assert "ExecReload" not in d  # HUP does not load a model; a restart does (docs/security.md)
    # docs/security.md: a 1 GiB memory cap; restarts stop after 5 tries in 2 minutes
    assert (
        d["MemoryMax"] == ["1G"] and d["StartLimitBurst"] == ["5"] and d["StartLimitIntervalSec"] == ["120"]
    )
    assert d["PrivateDevices"] == ["yes"] and "@system-service" in d["SystemCallFilter"]  # docs/security.md


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_analyze_verify_and_security(tmp_path):
    copy = local_copy(tmp_path)
    verify = subprocess.run(["systemd-analyze", "verify", str(copy)], capture_output=True, text=True)
    assert verify.returncode == 0, verify.stderr
    security = subprocess.run(
        ["systemd-analyze", "security", "--offline=yes", str(copy)], capture_output=True, text=True
    )
    score = re.search(r"Overall exposure level for \S+: ([\d.]+)", security.stdout)
    assert score, security.stdout[-500:] + security.stderr
    assert float(score[1]) <= 2.0, security.stdout[-2000:]  # systemd calls <= 2.0 "OK"


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("unshare") is None, reason="unshare is not installed")
def test_gunicorn_serves_on_a_read_only_root(tmp_path):
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("no private mount namespaces here (unshare -m needs root or user namespaces)")
    runtime = Path(tempfile.mkdtemp(prefix="calculator-run-"))  # the mount point for its tmpfs
    port = free_port()
    exec_start = shlex.split(directives()["ExecStart"][0])
    command = [str(ROOT / ".venv" / "bin" / "python"), "-m", "gunicorn", *exec_start[1:]]
    command = [c.replace(INSTALLED, str(ROOT)).replace(exec_start[exec_start.index("--worker-tmp-dir") + 1],
               str(runtime)) for c in command]  # fmt: skip
    script = (
        f"mount -o remount,bind,ro / && mount -t tmpfs -o size=1m,mode=0700 tmpfs {runtime} "
        f"&& touch /read-only-check 2>/dev/null && exit 3; cd {shlex.quote(str(ROOT))} && exec "
        + shlex.join(command)
    )
    env = {"PATH": "/usr/bin:/bin:/usr/sbin:/sbin", "PORT": str(port), "CALCULATOR_ENV": "production",
           "PYTHONDONTWRITEBYTECODE": "1", "TMPDIR": "/nonexistent"}  # fmt: skip
    try:
        with serve(
            ["unshare", "-m", "--propagation", "private", "sh", "-c", script],
            f"http://127.0.0.1:{port}/healthz",
            tmp_path / "gunicorn.log",
            env=env,
            startup_seconds=60,
        ):
            pass  # it answered /healthz: started, model verified, workers running
    finally:
        runtime.rmdir()
