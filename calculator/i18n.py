"""The users' languages: English, German and Italian (Flask-Babel), and the one place text is
translated and numbers and dates are formatted.

Every module that writes text a user reads imports `_`, `ngettext` and the formatters from here,
never from flask_babel, so that the rules below hold everywhere:

- Messages are whole sentences with named placeholders (`%(estimate)s`), translated per language
  in calculator/translations/<lang>/LC_MESSAGES/messages.po; no sentence is put together from
  English fragments. `N_` marks text declared before any request (feature labels, fixed warnings)
  for extraction; it is translated where it is shown, with `_()`.
- Outside a request (training, `python -m training card`, the pure-core tests) every function
  here returns English, as Flask-Babel's own gettext does without an app context.
- The language of a page comes from the user's explicit choice (`lang`: a GET query parameter of
  the switch, or the hidden form field on POST; it is never a patient value) and otherwise from the
  browser's Accept-Language. No cookie: inside an EHR frame third-party cookies are blocked, and
  the page stores nothing.

The catalogues are compiled to .mo files at install (Makefile), never fetched.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from functools import cache

from babel import Locale
from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations
from flask import Flask, current_app, g, has_app_context, has_request_context, request
from flask_babel import Babel, force_locale, get_locale, get_translations
from werkzeug.exceptions import HTTPException

from calculator.artifact import PROJECT_ROOT
from calculator.features import N_  # noqa: F401 (re-exported: the one marker)

DEFAULT = "en"
LANGUAGES: tuple[str, ...] = ("en", "de", "it")
# Each language's name in itself, for the switch (a user who cannot read the page's language
# still finds their own).
NATIVE_NAMES = {"en": "English", "de": "Deutsch", "it": "Italiano"}
# The conventions numbers and dates follow (CLDR, via Babel). English writes dates day first, as
# in Europe and in most of the world's medical writing: "2 December 2026", never "12/2/26".
FORMATS = {"en": "en_GB", "de": "de_DE", "it": "it_IT"}
TRANSLATIONS = PROJECT_ROOT / "calculator" / "translations"
LANG_FIELD = "lang"  # query parameter (GET) and hidden form field (POST): the page's language
SWITCH_FIELD = "switch_lang"  # the switch's buttons on a page with a form: re-send it in a new language
NOTE_LANG_FIELD = "note_lang"  # hidden form field: the note's language, when it differs from the page's
NOTE_SWITCH_FIELD = "switch_note_lang"  # the buttons beside the note: re-send the form, note in a language
SHOWN_FIELD = "shown"  # hidden form field: "result" when the page re-sent showed an estimate


ENGLISH = NullTranslations()  # the messages are English: no catalogue

# The language in force and its catalogue, set once per request (and by `language_of`): a page
# asks for ~150 messages, and Flask-Babel looks the locale and catalogue up again on every call.
_active: ContextVar[tuple[str, NullTranslations] | None] = ContextVar("calculator_language", default=None)


def _state() -> tuple[str, NullTranslations]:
    state = _active.get()
    if state is not None:
        return state
    if not has_app_context() or not has_request_context():
        return DEFAULT, ENGLISH
    locale = get_locale()  # a request before _activate ran (an early error page): Flask-Babel's own
    return (str(locale.language) if locale else DEFAULT), get_translations()


def _(message: str, **variables) -> str:
    """`message` in the current language, its %(name)s placeholders filled from `variables`.
    Every message is a format string, as in the templates: a literal percent sign is "%%"."""
    return _state()[1].ugettext(message) % variables


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    """Singular or plural by `num` (available as %(num)s) in the current language."""
    text = _state()[1].ungettext(singular, plural, num)
    return text % {"num": num, **variables}


def language(value: str | None) -> str | None:
    """A supported language code from a request value ('de', 'DE', 'de-CH'), or None."""
    if not isinstance(value, str):
        return None
    code = value.strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else None


def chosen_language(values: Mapping[str, str], headers_accept, default: str = DEFAULT) -> str:
    """The page's language: the switch just pressed, then an explicit `lang`, then
    Accept-Language, then the site's default (CALCULATOR_DEFAULT_LANGUAGE)."""
    return language(values.get(SWITCH_FIELD)) or requested_language(values, headers_accept) or default


def requested_language(args: Mapping[str, str], headers_accept) -> str | None:
    """The language asked for: `lang`, else Accept-Language; None if neither names one of ours."""
    explicit = language(args.get(LANG_FIELD))
    if explicit:
        return explicit
    return headers_accept.best_match(LANGUAGES) if headers_accept else None


def _posted() -> Mapping[str, str]:
    """The form body of a POST, or nothing: a body refused (too large, malformed) is answered in
    the browser's language by the error page, never read a second time."""
    if not has_request_context() or request.method != "POST":
        return {}
    try:
        return request.form
    except HTTPException:
        return {}


def select_locale() -> str:
    """Flask-Babel's locale selector. On POST only the form body is read (an HTML form's hidden
    field), on GET only the query string: a language never travels with patient values in a URL."""
    values = _posted() if request.method == "POST" else request.args
    return chosen_language(values, request.accept_languages, current_app.config["DEFAULT_LANGUAGE"])


def switching_language(form: Mapping[str, str]) -> bool:
    """Whether this POST is the language switch re-sending the form (not the estimate button)."""
    return language(form.get(SWITCH_FIELD)) is not None


def note_language() -> str:
    """The clinical note's language: the one just chosen beside the note, else the one kept in the
    form, else the page's."""
    form = _posted()
    return language(form.get(NOTE_SWITCH_FIELD)) or language(form.get(NOTE_LANG_FIELD)) or current()


def current() -> str:
    """The language in use: the request's, or English outside a request."""
    return _state()[0]


def _activate() -> None:
    """Before each request: fix its language and catalogue (Flask-Babel selects the locale)."""
    g.calculator_language = _active.set((str(get_locale().language), get_translations()))


def _deactivate(_exc) -> None:
    token = g.pop("calculator_language", None)
    if token is not None:
        _active.reset(token)


@contextmanager
def language_of(code: str | None):
    """Translate and format in `code` for a block (the note in another language than the page, a
    SMART launch's pinned language); None: the request's own."""
    if code is None or not has_request_context():
        yield
        return
    with force_locale(code):
        token = _active.set((code, get_translations()))
        try:
            yield
        finally:
            _active.reset(token)


@cache
def _percent(points: int, code: str) -> str:
    return format_percent(points / 100, locale=FORMATS[code])


@cache
def _decimal(value: float, code: str) -> str:
    return format_decimal(value, locale=FORMATS[code])


@cache
def _number_symbols(code: str) -> tuple[str, str]:
    """The decimal sign and what follows a number as a percentage ('%', ' %') in `code`."""
    locale = Locale.parse(FORMATS[code])
    pattern = locale.percent_formats[None].pattern
    return locale.number_symbols["latn"]["decimal"], pattern[pattern.rindex("0") + 1 :]


def decimal_text(text: str) -> str:
    """A number written by Python ('0.65', '-1.2e-05') with the current language's decimal sign
    ('0,65' in German and Italian); English unchanged."""
    sign = _number_symbols(current())[0]
    return text if sign == "." else text.replace(".", sign)


def percent_text(text: str) -> str:
    """A number written by Python as a percentage in the current language ('68.8%', '68,8 %')."""
    return decimal_text(text) + _number_symbols(current())[1]


def pct(p: float) -> str:
    """A probability as a whole percentage in the current language ('25%', '25 %'). Rounded once,
    as everywhere in the calculator (round(100 * p)), so that a number and its parts agree."""
    return _percent(round(100 * p), current())


def pct_range(low: float, high: float) -> str:
    """Two probabilities as a range of whole percentages, e.g. '12-40%' ('12–40 %' in German)."""
    return _("%(low)s-%(high)s", low=_decimal(round(100 * low), current()), high=pct(high))


def number(value: float) -> str:
    """A count or a measure for reading, grouped and with the decimal sign of the language."""
    return _decimal(value, current())


def alternatives(items: list[str]) -> str:
    """'a, b or c' in the current language."""
    return format_list(items, style="or", locale=FORMATS[current()])


def day(d: date) -> str:
    """A date in words of the current language, unambiguous on paper: '2 December 2026',
    '2. Dezember 2026', '2 dicembre 2026'."""
    return format_date(d, format="long", locale=FORMATS[current()])


def language_headers(response):
    """A page's language depends on Accept-Language: say so to every cache between (Vary), and
    name the language the page is in (Content-Language)."""
    if request.endpoint != "static":
        response.vary.add("Accept-Language")
        if response.mimetype == "text/html":
            response.headers["Content-Language"] = current()
    return response


class LanguageSettingError(ValueError):
    pass


def check_catalogues() -> None:
    """Each language's compiled catalogue is there and not older than its source: without it the
    page would silently fall back to English (an install that skipped `make`)."""
    for code in LANGUAGES[1:]:
        po = TRANSLATIONS / code / "LC_MESSAGES" / "messages.po"
        mo = po.with_suffix(".mo")
        try:
            stale = not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime
        except OSError as e:
            raise LanguageSettingError(f"the {code} catalogue cannot be read ({e.strerror}): {mo}") from None
        if stale:
            raise LanguageSettingError(f"the {code} catalogue is not compiled: run `make catalogues` ({mo})")


def check_settings(config) -> None:
    """CALCULATOR_DEFAULT_LANGUAGE must name a language the calculator has."""
    value = config["DEFAULT_LANGUAGE"]
    if value not in LANGUAGES:
        raise LanguageSettingError(
            f"CALCULATOR_DEFAULT_LANGUAGE must be one of {', '.join(LANGUAGES)}, not {value!r}"
        )


def init_app(app: Flask) -> None:
    # Flask-Babel's own keys follow from the setting and the package, never from the environment.
    app.config["BABEL_DEFAULT_LOCALE"] = app.config["DEFAULT_LANGUAGE"]
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    Babel(app, locale_selector=select_locale)
    app.before_request(_activate)
    app.teardown_request(_deactivate)
    app.after_request(language_headers)
    # The templates' _() and ngettext() take the same fast path as the code's (newstyle: %(name)s).
    app.jinja_env.install_gettext_callables(
        gettext=lambda message: _state()[1].ugettext(message),
        ngettext=lambda singular, plural, num: _state()[1].ungettext(singular, plural, num),
        newstyle=True,
    )
    app.jinja_env.globals.update(
        current_language=current,
        languages=LANGUAGES,
        native_names=NATIVE_NAMES,
        lang_field=LANG_FIELD,
        switch_field=SWITCH_FIELD,
        note_lang_field=NOTE_LANG_FIELD,
        note_switch_field=NOTE_SWITCH_FIELD,
        note_language=note_language,
        shown_field=SHOWN_FIELD,
    )
