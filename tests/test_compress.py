"""Static files go out gzip-compressed (once, at start) to browsers that accept it."""

import gzip

import pytest


@pytest.mark.parametrize("name", ["style.css", "calculator.js"])
def test_static_text_is_gzipped_when_accepted_and_identical_when_unpacked(client, name):
    plain = client.get(f"/static/{name}")
    packed = client.get(f"/static/{name}", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"] and "Accept-Encoding" in plain.headers["Vary"]
    assert gzip.decompress(packed.data) == plain.data
    assert len(packed.data) < len(plain.data) / 2
    assert int(packed.headers["Content-Length"]) == len(packed.data)
    plain.close()  # the test client leaves send_file's file open until the response is closed
    packed.close()


def test_pages_are_not_compressed(client):
    page = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in page.headers
