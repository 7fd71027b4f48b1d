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
    assert set(urls) == {"style.css", "calculator.js"}
    assert all(v == version(name) for name, v in urls.items())
    assert not re.search(r'/static/[\w.-]+"', html)  # no unversioned static URL left


@pytest.mark.parametrize("name", ["style.css", "calculator.js"])
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
    "method, path, data",
    [("get", "/", None), ("post", "/", {**VALID, "kps": ""}), ("post", "/", VALID), ("get", "/model", None)],
    ids=["form", "form-with-errors", "result", "model"],
)
def test_each_page_loads_one_script_and_one_stylesheet(client, method, path, data):
    """A fresh visit costs the page, style.css and calculator.js (<= 4 requests with the favicon)."""
    html = getattr(client, method)(path, data=data).get_data(as_text=True)
    assert re.findall(r'<script src="/static/([\w.-]+)\?', html) == ["calculator.js"]
    assert re.findall(r'<link rel="stylesheet" href="/static/([\w.-]+)\?', html) == ["style.css"]
