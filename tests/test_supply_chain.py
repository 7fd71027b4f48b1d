"""Supply chain: the hash-pinned lock files, what installs from them, the SBOM, and the security
document's claims pointing at tests that exist."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib

import pytest
from live import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")
SECURITY = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")


def locked(path) -> dict[str, tuple[str, list[str]]]:
    """name -> (version, hashes) from a pip-compile --generate-hashes file."""
    entries, current = {}, None
    for line in (ROOT / path).read_text(encoding="utf-8").splitlines():
        if match := re.match(r"^([A-Za-z0-9._-]+)==([^\s\\]+)", line):
            current = match[1].lower().replace("_", "-")
            entries[current] = (match[2], [])
        elif current and (digest := re.search(r"--hash=sha256:([0-9a-f]{64})", line)):
            entries[current][1].append(digest[1])
    return entries


def pins(requirements: list[str]) -> dict[str, str]:
    out = {}
    for requirement in requirements:
        name, _, version = requirement.split(";")[0].strip().partition("==")
        assert version, f"{requirement}: pyproject.toml pins every direct dependency exactly"
        out[name.lower().replace("_", "-")] = version.strip()
    return out


@pytest.mark.parametrize(
    "lock, groups",
    [("requirements.lock", ["dependencies"]), ("requirements-dev.lock", ["dependencies", "test", "lock"])],
)
def test_each_lock_pins_every_package_with_hashes_and_matches_pyproject(lock, groups):
    entries = locked(lock)
    assert len(entries) >= 20
    for name, (version, hashes) in entries.items():
        assert hashes, f"{lock}: {name}=={version} has no hash"
    project = PYPROJECT["project"]
    for group in groups:
        wanted = (
            project["dependencies"] if group == "dependencies" else project["optional-dependencies"][group]
        )
        for name, version in pins(wanted).items():
            assert entries.get(name, (None,))[0] == version, f"{lock} is stale for {name}: run `make lock`"
    assert "setuptools" in entries  # the build backend too: the project installs without a network


def test_the_runtime_lock_is_the_runtime_part_of_the_dev_lock():
    runtime, dev = locked("requirements.lock"), locked("requirements-dev.lock")
    assert {n: v for n, (v, _) in runtime.items()} == {n: dev[n][0] for n in runtime}


def test_make_installs_only_from_the_locks_with_hashes():
    install = MAKEFILE.split("$(VENV)/.installed:", 1)[1].split("\n\n", 1)[0]
    test_install = MAKEFILE.split("$(VENV)/.installed-test:", 1)[1].split("\n\n", 1)[0]
    assert "--require-hashes --no-deps -r requirements.lock" in install
    assert "--require-hashes --no-deps -r requirements-dev.lock" in test_install
    for recipe in (install, test_install):
        for line in recipe.splitlines():
            if "pip install" in line and "--require-hashes" not in line:
                assert "--no-deps" in line and " -e ." in line, line  # only the project itself
    assert re.search(r"^run: install\b", MAKEFILE, re.M) and re.search(
        r"^test: install-test\b", MAKEFILE, re.M
    )


@pytest.mark.slow
def test_the_sbom_lists_every_runtime_package_with_hashes(tmp_path):
    tool = shutil.which("cyclonedx-py", path=str(ROOT / ".venv" / "bin")) or shutil.which("cyclonedx-py")
    if tool is None:
        pytest.skip("cyclonedx-py is not installed: `make install-test`")
    out = tmp_path / "sbom.cdx.json"
    recipe = MAKEFILE.split("\nsbom:", 1)[1].split("\n\n", 1)[0].splitlines()[-1].strip()
    command = recipe.replace("$(BIN)/cyclonedx-py", tool).replace("sbom.cdx.json", str(out)).split()
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True, timeout=120)
    sbom = json.loads(out.read_text(encoding="utf-8"))
    assert sbom["bomFormat"] == "CycloneDX"
    components = {c["name"].lower().replace("_", "-"): c for c in sbom["components"]}
    for name, (version, hashes) in locked("requirements.lock").items():
        component = components[name]
        assert component["version"] == version
        assert component["purl"] == f"pkg:pypi/{name}@{version}"
        published = {h["content"] for ref in component["externalReferences"] for h in ref.get("hashes", [])}
        assert published == set(hashes), name  # the files PyPI published, as the lock pins them
    assert sbom["metadata"]["component"]["name"] == PYPROJECT["project"]["name"]


def test_every_test_the_security_document_cites_exists():
    """docs/security.md backs its claims with tests: each `test_x.py::test_y` it names exists."""
    cited = re.findall(r"`(test_[a-z_]+\.py)(?:::(test_[a-z0-9_]+))?", SECURITY)
    assert len(cited) >= 20
    for module, test in cited:
        path = ROOT / "tests" / module
        assert path.exists(), module
        if test:
            assert re.search(rf"^def {test}\(", path.read_text(encoding="utf-8"), re.M), f"{module}::{test}"


@pytest.mark.parametrize(
    "heading",
    [
        "What runs where",
        "Data flows and storage",
        "Encryption in transit",
        "Service account and privileges",
        "Patches, vulnerabilities and dependencies",
        "Changing the model, and who may",
        "Logs and monitoring",
        "Regulatory status",
    ],
)
def test_the_security_document_answers_the_questionnaire(heading):
    assert f"### {heading}\n" in SECURITY


def test_the_regulatory_status_says_synthetic_and_not_a_device():
    section = SECURITY.split("### Regulatory status", 1)[1].split("\n## ", 1)[0]
    assert "synthetic data" in section and "not a cleared or CE-marked" in section
