"""The building blocks of the model card, and the number formats every section uses.

A card is a list of sections; a section is a list of blocks. Blocks hold plain text (never
markup): the page escapes it, the Markdown writer escapes it its own way. The one exception is
`Figure.svg`, made by `calculator.calibration_svg`, which escapes every text it draws.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from calculator.i18n import N_, _, decimal_text, percent_text


@dataclass(frozen=True)
class Paragraph:
    text: str
    lead: str = ""  # a few words shown in bold before the text
    kind: str = field(default="paragraph", init=False)


@dataclass(frozen=True)
class Bullets:
    items: tuple[Paragraph, ...]
    kind: str = field(default="bullets", init=False)


@dataclass(frozen=True)
class Table:
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: frozenset[int] = frozenset()  # column positions aligned right
    wide: bool = False  # many columns: scroll sideways inside its own box on a narrow screen
    kind: str = field(default="table", init=False)


@dataclass(frozen=True)
class Formula:
    text: str  # preformatted, line breaks kept
    kind: str = field(default="formula", init=False)


@dataclass(frozen=True)
class Figure:
    svg: str  # from calculator.calibration_svg: self-contained, text escaped
    caption: str
    kind: str = field(default="figure", init=False)


Block = Paragraph | Bullets | Table | Formula | Figure


@dataclass(frozen=True)
class Section:
    id: str  # the HTML anchor, stable: links from elsewhere may point at it
    title: str
    blocks: tuple[Block, ...]
    level: int = 2  # 2: a main section (listed in the contents); 3: a subsection


@dataclass(frozen=True)
class Card:
    title: str
    sections: tuple[Section, ...]

    def section(self, section_id: str) -> Section:
        """The section with this id; KeyError when there is none."""
        for s in self.sections:
            if s.id == section_id:
                return s
        raise KeyError(section_id)


def bullets(*items: str | Paragraph) -> Bullets:
    return Bullets(tuple(i if isinstance(i, Paragraph) else Paragraph(i) for i in items))


def table(caption: str, header, rows, numeric=(), wide: bool = False) -> Table:
    return Table(
        caption, tuple(header), tuple(tuple(str(c) for c in r) for r in rows), frozenset(numeric), wide
    )


# TRANSLATORS: "not available", in a table cell where a measure could not be computed.
NOT_AVAILABLE = N_("n/a")


def num(x, digits: int = 3) -> str:
    """A measure such as a c-statistic or a Brier score, fixed decimals; 'n/a' for None."""
    return _(NOT_AVAILABLE) if x is None else decimal_text(f"{x:.{digits}f}")


def signed(x, digits: int = 3) -> str:
    return _(NOT_AVAILABLE) if x is None else decimal_text(f"{x:+.{digits}f}")


def pct(x, digits: int = 1) -> str:
    """A probability as a percentage, e.g. 0.6875 -> '68.8%' ('68,8 %' in German)."""
    return _(NOT_AVAILABLE) if x is None else percent_text(f"{100 * x:.{digits}f}")


def coef(x: float) -> str:
    """A coefficient to five significant digits: enough to redo the arithmetic by hand."""
    return decimal_text(f"{x:.5g}")


def plain(value) -> str:
    """A manifest value as text: None as a dash, booleans as yes/no, floats without noise."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, float):
        return decimal_text(f"{value:.6g}")
    return str(value)


def yes_no(value: bool) -> str:
    """'yes' or 'no' in a table cell."""
    # TRANSLATORS: a table cell answering a yes/no question (e.g. "Met", "Interval includes no effect").
    return _("yes") if value else _("no")


def pp(x: float) -> str:
    """A difference of probabilities in percentage points, e.g. 0.00434 -> '0.43'."""
    return decimal_text(f"{round(100 * x, 2):g}")


def odds_ratio(log_odds: float) -> str:
    return num(math.exp(log_odds), 2)


def interval(low, high, fmt=num) -> str:
    """A range of two formatted numbers, e.g. '0.21 to 1.67'."""
    # TRANSLATORS: a range of two numbers (an interval, or a minimum to a maximum), e.g. "0.21 to 1.67".
    return _("%(low)s to %(high)s", low=fmt(low), high=fmt(high))


def count(x) -> str:
    """Patients or deaths: whole numbers as they are, a mean over reconstructions to one decimal."""
    return str(x) if isinstance(x, int) else decimal_text(f"{x:.1f}")


def pooled(m: dict) -> bool:
    """The default model, pooled over reconstructions (not a fit on one cohort file)."""
    return bool(m["cohort"].get("reconstructions"))


def deaths(m: dict) -> str:
    """The deaths by the horizon behind the model, a phrase that stands on its own (in brackets or
    as an item of a list), e.g. '45 deaths by day 90' or, pooled, '46.4 deaths by day 90 on
    average, 22 to 84 across the reconstructions'."""
    cohort, h = m["cohort"], m["horizon_days"]
    if pooled(m) and "events_90d_range" in cohort:
        low, high = cohort["events_90d_range"]
        # TRANSLATORS: a phrase on its own, in brackets or as an item of a list; "deaths" may be a
        # mean over the reconstructions, e.g. "46.4 deaths by day 90 on average, 22 to 84 across ...".
        return _(
            "%(deaths)s deaths by day %(day)s on average, %(low)s to %(high)s across the reconstructions",
            deaths=count(cohort["events_90d"]),
            day=h,
            low=low,
            high=high,
        )
    # TRANSLATORS: a phrase on its own, in brackets or as an item of a list, e.g. "45 deaths by day 90".
    return _("%(deaths)s deaths by day %(day)s", deaths=count(cohort["events_90d"]), day=h)
