"""English, German and Italian: every message translated, the language chosen without a cookie or
a patient value in the URL, sentences and numbers per language, and no English left on a German or
Italian page.

The catalogues are checked against the messages extracted from the code and templates now (the
same extraction as `make messages`), so a new message without its translation fails here.
"""

from __future__ import annotations

import csv
import html as html_lib
import re
from collections import defaultdict
from datetime import date

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from live import ROOT

from calculator.explain import SELECTION_CAVEAT
from calculator.i18n import LANGUAGES, TRANSLATIONS

TRANSLATED = [code for code in LANGUAGES if code != "en"]
FORM = {
    "kps": "50",
    "other_metastases": "yes",
    "mccormick_grade": "3",
    "resection": "biopsy",
    "compartment": "intramedullary",
}
LAUNCH = {"kps": "75", "ecog": "9", "mccormick_grade": "2", "prefill": "1"}
UNKNOWNS = {**FORM, "kps": "ecog-2", "other_metastases": "unknown", "mccormick_grade": "unknown"}


def extracted() -> dict[str | tuple, list[str]]:
    """Every message in the code and templates -> the translator comments beside it."""
    with open(TRANSLATIONS / "babel.cfg", encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    found: dict = {}
    for _file, _line, message, comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=DEFAULT_KEYWORDS, comment_tags=("TRANSLATORS:",)
    ):
        found.setdefault(message, []).extend(comments)
    return found


@pytest.fixture(scope="module")
def messages():
    return extracted()


def catalogue(code: str):
    with open(TRANSLATIONS / code / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=code)


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_message_has_a_checked_translation(messages, code):
    cat = catalogue(code)
    problems = []
    for msgid in messages:
        key = msgid[0] if isinstance(msgid, tuple) else msgid
        entry = cat.get(key)
        strings = (entry.string if isinstance(entry.string, tuple) else (entry.string,)) if entry else ()
        if entry is None:
            problems.append(f"missing: {key!r} (run `make messages`)")
        elif entry.fuzzy or not all(strings):
            problems.append(f"untranslated or fuzzy: {key!r}")
        else:  # every message is a format string (calculator.i18n._): a stray % breaks the page
            for text in strings:
                try:
                    text % defaultdict(str, num=1)
                except (ValueError, TypeError) as e:
                    problems.append(f"does not format ({e}): {text!r}")
    for entry, errors in cat.check():  # placeholders and formats agree with the English (Babel's checkers)
        problems += [f"{entry.id!r}: {error}" for error in errors]
    stale = {m.id if isinstance(m.id, str) else m.id[0] for m in cat if m.id} - {
        m[0] if isinstance(m, tuple) else m for m in messages
    }
    problems += [f"no longer in the code: {m!r} (run `make messages`)" for m in sorted(stale)]
    assert not problems, f"{code}: " + "\n".join(problems)


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_compiled_catalogue_is_the_current_one(code):
    po = TRANSLATIONS / code / "LC_MESSAGES" / "messages.po"
    mo = po.with_suffix(".mo")
    assert mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime, "run `make catalogues`"


def glossary() -> list[dict]:
    with open(TRANSLATIONS / "glossary.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


@pytest.mark.parametrize("code", TRANSLATED)
def test_clinical_terms_follow_the_glossary(code):
    """Wherever the English names a scale or term of the glossary, the translation uses its
    established name in that language (e.g. Karnofsky-Index, scala di McCormick modificata)."""
    cat = catalogue(code)
    problems = []
    for row in glossary():
        term, wanted = row["en"].lower(), row[code].lower().split("|")
        for entry in cat:
            strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
            english = entry.id if isinstance(entry.id, str) else entry.id[0]
            found = all(any(w in s.lower() for w in wanted) for s in strings)
            if entry.id and term in english.lower() and not found:
                problems.append(f"{english!r}: {row[code]!r} expected in {strings[0]!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_resection_caveat_is_translated_in_full(code):
    """The caveat keeps its parts in every language: the citations, a negation (not independently
    associated; must not be read as an effect) and the reference to selection."""
    text = catalogue(code).get(SELECTION_CAVEAT).string
    assert "Ivren 2025" in text and "Gazzeri 2021" in text
    negations = {"de": ("nicht",), "it": ("non",)}[code]
    assert sum(text.lower().count(n) for n in negations) >= 2, text
    selection = {"de": ("ausgewählt", "auswahl"), "it": ("selezion", "scelt")}[code]
    assert any(word in text.lower() for word in selection), text


# ---- the page in each language ------------------------------------------------------------------


def visible_text(html: str) -> list[str]:
    """The text a reader sees (and a screen reader reads), one string per text node or label."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    labels = re.findall(r'(?:aria-label|title|placeholder|data-copied|data-selected)="([^"]*)"', html)
    nodes = re.split(r"<[^>]+>", html)
    return [t for t in (html_lib.unescape(re.sub(r"\s+", " ", n)).strip() for n in nodes + labels) if t]


# Text that is the same in every language: names, abbreviations, numbers, identifiers.
SAME_EVERYWHERE = re.compile(
    r"^(English|Deutsch|Italiano|KPS|ECOG|McCormick( [IV]+)?|I|II|III|IV|V|\d.*|Model \S+|[-+−\d\s%.,:–()]+|"
    r"ECOG \d.*|KPS \d.*|.*\.(md|csv|json)|[_\s]+|Ctrl\+C|Cmd\+C)$"
)


def english_left(en_html: str, other_html: str) -> list[str]:
    """Text nodes of the translated page still identical to the English page's, beyond names and
    numbers: a message nobody marked for translation."""
    english = set(visible_text(en_html))
    return sorted(
        t
        for t in set(visible_text(other_html)) & english
        if not SAME_EVERYWHERE.match(t) and re.search(r"[a-z]{3,}", t)
    )


def pages(client, code):
    """The pages a user sees: empty form, result (known inputs), result averaged over unknowns and
    ECOG, the error page, an EHR launch, no estimate, and the HTTP error pages."""
    lang = {"lang": code}
    extremes = {**FORM, "kps": "10", "mccormick_grade": "5", "resection": "gross_total"}
    return {
        "form": client.get("/", query_string=lang),
        "result": client.post("/", data={**FORM, **lang}),
        "unknowns": client.post("/", data={**UNKNOWNS, **lang}),
        "errors": client.post("/", data={"kps": "50", **lang}),
        "launch": client.post(
            "/", data={"kps": "75", "ecog": "9", "mccormick_grade": "2", "prefill": "1", **lang}
        ),
        "extremes": client.post("/", data={**extremes, **lang}),
        "not found": client.get("/no-such-page", query_string=lang),
        # a body refused unread: the browser's language
        "too large": client.post("/", data={"kps": "x" * 20000}, headers={"Accept-Language": code}),
        "refused launch": client.post(
            "/", data={**LAUNCH, **lang}, headers={"Origin": "https://elsewhere.example"}
        ),
    }


@pytest.mark.parametrize("code", TRANSLATED)
def test_no_english_is_left_on_a_translated_page(client, code):
    english, other = pages(client, "en"), pages(client, code)
    for name, response in other.items():
        assert response.status_code == english[name].status_code
        left = english_left(english[name].get_data(as_text=True), response.get_data(as_text=True))
        assert not left, f"{code} {name} page still has English: {left}"


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_note_can_be_in_another_language_than_the_page(client, code):
    page = client.post("/", data={**FORM, "lang": code, "switch_note_lang": "en"}).get_data(as_text=True)
    assert f'<html lang="{code}"' in page
    note = re.search(r'<textarea id="note-text" lang="en"[^>]*>(.*?)</textarea>', page, re.S)[1]
    assert html_lib.unescape(note).startswith("Intradural spinal metastasis: estimated 90-day survival")
    # the choice is kept in the form for the next estimate, and the note in the page's language is one click
    assert '<input type="hidden" name="note_lang" value="en">' in page
    assert f'name="switch_note_lang" value="{code}"' in page


def test_language_from_accept_language_then_the_switch(client):
    page = client.get("/", headers={"Accept-Language": "de-CH,de;q=0.9,en;q=0.5"})
    assert '<html lang="de"' in page.get_data(as_text=True)
    assert page.headers["Content-Language"] == "de"
    assert "Accept-Language" in page.headers["Vary"]
    assert '<html lang="en"' in client.get("/", headers={"Accept-Language": "fr, ja"}).get_data(as_text=True)
    it = client.get("/?lang=it", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="it"' in it
    assert '<input type="hidden" name="lang" value="it">' in it  # the next POST stays Italian


def test_the_switch_needs_no_cookie_and_puts_no_patient_value_in_a_url(client):
    result = client.post("/", data=FORM, headers={"Accept-Language": "de"})
    html = result.get_data(as_text=True)
    assert "Set-Cookie" not in result.headers
    # on a page holding the form's values the switch re-sends the form (POST), never a link
    switch = re.search(r'<nav class="languages".*?</nav>', html, re.S)[0]
    assert 'form="inputs" name="switch_lang" value="en"' in switch and "href" not in switch
    links = re.findall(r'href="([^"]*)"', html)
    assert not [u for u in links if any(f"{k}=" in u for k in FORM)]
    # on the empty form it is a link that carries only the language
    empty = client.get("/").get_data(as_text=True)
    assert 'href="/?lang=de"' in re.search(r'<nav class="languages".*?</nav>', empty, re.S)[0]


def test_switching_language_keeps_the_result_and_marks_nothing(client):
    german = client.post("/", data={**FORM, "shown": "result", "lang": "en", "switch_lang": "de"})
    html = german.get_data(as_text=True)
    assert german.status_code == 200 and '<html lang="de"' in html and 'id="result"' in html
    # a half-filled form: the same values, in the new language, no errors and no estimate
    half = client.post("/", data={"kps": "50", "lang": "en", "switch_lang": "it"})
    html = half.get_data(as_text=True)
    assert half.status_code == 200 and 'id="result"' not in html and 'class="error"' not in html
    assert '<option selected value="50">' in html


def test_an_ehr_pins_the_language_at_launch(client):
    page = client.post(
        "/", data={"kps": "70", "prefill": "1", "lang": "it"}, headers={"Accept-Language": "de"}
    )
    html = page.get_data(as_text=True)
    assert '<html lang="it"' in html and 'class="prefill-banner"' in html


def test_numbers_and_dates_follow_the_language(client):
    de = client.post("/", data={**FORM, "lang": "de"}).get_data(as_text=True)
    it = client.post("/", data={**FORM, "lang": "it"}).get_data(as_text=True)
    en = client.post("/", data={**FORM, "lang": "en"}).get_data(as_text=True)
    value = re.search(r'<span class="value">(\d+)%</span>', en)[1]
    assert f'<span class="value">{value}\xa0%</span>' in de
    assert f'<span class="value">{value}%</span>' in it
    today = date.today()
    assert f"{today.day}. " in de and str(today.year) in de
    from babel.dates import format_date

    assert format_date(today, "long", locale="it_IT") in it
    assert format_date(today, "long", locale="en_GB") in en


def test_the_api_keeps_english_and_adds_messages_on_request(client):
    body = {"kps": 50, "other_metastases": True, "mccormick_grade": 3, "resection": "biopsy"}
    body["compartment"] = "intramedullary"
    plain = client.post("/api/v1/estimate", json=body).get_json()
    assert "messages" not in plain
    german = client.post("/api/v1/estimate?lang=de", json=body).get_json()
    assert german["explanation"] == plain["explanation"]  # the response's own texts stay English
    messages = german["messages"]
    assert messages["language"] == "de"
    assert messages["summary"].startswith("Geschätzte") or messages["summary"] != plain["explanation"][0]
    assert messages["explanation"] != plain["explanation"] and len(messages["explanation"]) == len(
        plain["explanation"]
    )
    italian = client.post("/api/v1/estimate", json=body, headers={"Accept-Language": "it-IT"}).get_json()
    assert italian["messages"]["language"] == "it"
    assert set(italian) == set(german)


def test_an_unknown_default_language_refuses_to_start(monkeypatch):
    from calculator import StartupRefused, create_app

    with pytest.raises(StartupRefused, match="CALCULATOR_DEFAULT_LANGUAGE"):
        create_app({"TESTING": True, "DEFAULT_LANGUAGE": "fr"})
    app = create_app({"TESTING": True, "DEFAULT_LANGUAGE": "de"})
    assert '<html lang="de"' in app.test_client().get("/").get_data(as_text=True)


@pytest.mark.parametrize("code", TRANSLATED)
@pytest.mark.parametrize("path", ["/model", "/"])
def test_no_fixed_english_sentence_is_left(client, messages, code, path):
    """Every fixed text of the page is in the language asked for: no stretch of an English message
    of 25 characters or more (between its placeholders) appears on the page. Values written by the
    training into the manifest (sources, method names) are data and stay as recorded."""
    nodes = visible_text(client.get(path, query_string={"lang": code}).get_data(as_text=True))
    page = " ".join(t for t in nodes if "et al." not in t)  # a reference's title stays as published
    cat = catalogue(code)
    left = []
    for msgid in messages:
        english = msgid[0] if isinstance(msgid, tuple) else msgid
        entry = cat.get(english)
        translated = entry.string if entry else ""
        for part in re.split(r"%\(\w+\)s", english.replace("%%", "%")):
            if len(part.strip()) >= 25 and part.strip() in page and part.strip() not in str(translated):
                left.append(part.strip())
    assert not left, f"{code} {path}: {left}"


@pytest.mark.parametrize("query", ["lang=fr", "lang=null", "lang=de&lang=it", "lang="])
def test_the_api_refuses_a_language_it_does_not_have(client, query):
    body = {"kps": 50, "other_metastases": True, "mccormick_grade": 3, "resection": "biopsy"}
    response = client.post(f"/api/v1/estimate?{query}", json={**body, "compartment": "intramedullary"})
    assert response.status_code == 400 and "lang" in response.get_json()["errors"]


def test_start_refuses_an_uncompiled_catalogue(tmp_path, monkeypatch):
    """An install that skipped `make` would serve English to everyone: it does not start."""
    import shutil

    from calculator import StartupRefused, create_app, i18n

    copy = tmp_path / "translations"
    shutil.copytree(TRANSLATIONS, copy)
    (copy / "it" / "LC_MESSAGES" / "messages.mo").unlink()
    monkeypatch.setattr(i18n, "TRANSLATIONS", copy)
    with pytest.raises(StartupRefused, match="it catalogue is not compiled: run `make catalogues`"):
        create_app({"TESTING": True})


def test_the_switch_on_a_failed_launch_page_links_the_calculator_not_the_launch(client):
    """A page rendered by another route (a SMART launch that failed) switches to the calculator,
    never back to the route, which would start a launch again."""
    from calculator import create_app

    app = create_app({"TESTING": True})
    with app.test_request_context("/launch/callback"):
        from flask import render_template

        html = render_template("_header.html", resend=False)
    assert 'href="/?lang=de"' in html and "/launch" not in html


def test_an_unexpected_error_is_a_page_in_the_users_language_and_a_log_without_its_message(caplog):
    """A 500 says so in the user's language and shows nothing of the server; the log keeps the
    exception's kind and traceback, never its message (which may quote a patient's input)."""
    from calculator import create_app

    app = create_app({"TESTING": True, "PROPAGATE_EXCEPTIONS": False})

    def fail():
        from flask import request

        raise ValueError(request.args["x"])  # a message quoting the request

    app.add_url_rule("/__fail", "fail", fail)
    with caplog.at_level("ERROR"):
        response = app.test_client().get("/__fail?lang=de&x=MARKER")
    page = response.get_data(as_text=True)
    assert response.status_code == 500 and '<html lang="de"' in page
    assert "Der Rechner konnte nicht antworten" in page and "MARKER" not in page
    assert "ValueError" in caplog.text and "MARKER" not in caplog.text
