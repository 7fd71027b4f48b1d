"""The model card as Markdown (CommonMark with GitHub tables): docs/model-card.md."""

from __future__ import annotations

from calculator.i18n import N_, _
from calculator.model_card.blocks import Bullets, Card, Figure, Formula, Paragraph, Table

GENERATED = N_(
    "Generated from the model's manifest.json by `python -m training card` (and by every "
    "`python -m training fit` into models/): do not edit by hand. The calculator shows the same card "
    "at /model, with the calibration plot."
)


def text(s: str) -> str:
    """Plain text made literal in Markdown: no emphasis, no HTML."""
    return s.replace("\\", "\\\\").replace("*", "\\*").replace("<", "&lt;").replace("`", "\\`")


def paragraph(p: Paragraph) -> str:
    return (f"**{text(p.lead)}** " if p.lead else "") + text(p.text)


def cell(s: str) -> str:
    return text(s).replace("|", "\\|").replace("\n", " ")


def table(t: Table) -> str:
    align = ["---:" if i in t.numeric else "---" for i in range(len(t.header))]
    lines = [f"**{text(t.caption)}**", "", "| " + " | ".join(cell(h) or " " for h in t.header) + " |"]
    lines.append("|" + "|".join(align) + "|")
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in t.rows]
    return "\n".join(lines)


def block(b) -> str:
    if isinstance(b, Paragraph):
        return paragraph(b)
    if isinstance(b, Bullets):
        return "\n".join("- " + paragraph(i) for i in b.items)
    if isinstance(b, Table):
        return table(b)
    if isinstance(b, Formula):
        return "```text\n" + b.text + "\n```"
    if isinstance(b, Figure):
        prefix = _("Figure (drawn on the /model page):")
        return f"*{prefix}* {text(b.caption)}"
    raise TypeError(f"no Markdown for {type(b).__name__}")


def card_markdown(card: Card) -> str:
    parts = [f"# {text(card.title)}", _(GENERATED)]
    for s in card.sections:
        parts.append(f"{'#' * s.level} {text(s.title)}")
        parts += [block(b) for b in s.blocks]
    return "\n\n".join(parts) + "\n"
