"""Write the model card (docs/model-card.md) from a model directory's manifest.

`python -m training card` runs it; `python -m training fit` runs it after writing the project's
models/, so the shipped model and its card cannot drift apart (tests/test_model_card.py checks).
The card's content is `calculator.model_card`, the same the /model page shows.
"""

from __future__ import annotations

from pathlib import Path

from calculator.artifact import DEFAULT_MODEL_DIR, PROJECT_ROOT, read_manifest
from calculator.model_card import build_card, card_markdown

DEFAULT_CARD = PROJECT_ROOT / "docs" / "model-card.md"


def model_card_text(model_dir: Path = DEFAULT_MODEL_DIR) -> str:
    """The card of the model in `model_dir` as Markdown. Raises ModelLoadError (no manifest)."""
    return card_markdown(build_card(read_manifest(Path(model_dir))))


def write_model_card(model_dir: Path = DEFAULT_MODEL_DIR, out: Path = DEFAULT_CARD) -> Path:
    out = Path(out)
    out.write_text(model_card_text(model_dir), encoding="utf-8")
    return out
