"""Static files (calculator/assets.py): content-versioned URLs cached for a year, and each script
only on the pages that use it, so that a result page costs one request (docs/performance.md)."""

from __future__ import annotations

import hashlib
import re

import pytest

from calculator.artifact import PROJECT_ROOT

STATIC = PROJECT_ROOT / "calculator" / "static"
VALID = {
    "kps": "60",
    "other_metastases": "yes",
    "mccormick_grade": "3",
    "resection": "subtotal",
    "compartment": "intradural_extramedullary",
}


def version(name: str) -> str:
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]


def static_urls(html: str) -> dict[str, str]:
    """File name -> version for every static URL in a page."""
    return dict(re.findall(r'/static/([\w.-]+)\?v=(\w+)"', html))


def test_every_static_url_in_a_page_carries_its_files_content_version(client):
    html = client.post("/", data=VALID).get_data(as_text=True)
    urls = static_urls(html)
    assert set(urls) == {"style.css", "frame.js", "launch.js", "copy.js"}
    assert all(v == version(name) for name, v in urls.items())
    assert not re.search(r'/static/[\w.-]+"', html)  # no unversioned static URL left


@pytest.mark.parametrize("name", ["style.css", "frame.js", "launch.js", "copy.js"])
def test_a_versioned_static_file_is_cached_for_a_year(client, name):
    with client.get(f"/static/{name}?v={version(name)}") as response:  # closes the file
        assert response.status_code == 200
        assert response.cache_control.max_age == 365 * 24 * 3600
        assert response.cache_control.immutable and response.cache_control.public
        assert "no-store" not in response.headers["Cache-Control"]


@pytest.mark.parametrize("query", ["", "?v=000000000000", "?v="])
def test_an_unversioned_or_stale_static_url_is_revalidated(client, query):
    with client.get(f"/static/style.css{query}") as response:
        assert response.status_code == 200
        assert response.cache_control.max_age is None and not response.cache_control.immutable


@pytest.mark.parametrize(
    "method, path, data, scripts",
    [
        ("get", "/", None, {"frame.js", "launch.js"}),
        ("post", "/", {**VALID, "kps": ""}, {"frame.js", "launch.js"}),  # errors: no result
        ("post", "/", VALID, {"frame.js", "launch.js", "copy.js"}),
        ("get", "/model", None, {"frame.js"}),
    ],
    ids=["form", "form-with-errors", "result", "model"],
)
def test_each_page_loads_only_the_scripts_it_uses(client, method, path, data, scripts):
    html = getattr(client, method)(path, data=data).get_data(as_text=True)
    assert set(re.findall(r'<script src="/static/([\w.-]+)\?', html)) == scripts
