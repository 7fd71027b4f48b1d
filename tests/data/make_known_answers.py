"""Regenerate tests/data/known_answers.json from the shipped model (run after every refit of
models/, and say why in CHANGES.md): `.venv/bin/python tests/data/make_known_answers.py`.

The profiles cover complete inputs, each input not known yet, ECOG instead of KPS, and inputs
outside the evidence (no number). tests/test_known_answers.py checks the API against the file.
"""

from __future__ import annotations

import json
from pathlib import Path

from calculator.artifact import load_model
from calculator.result import build_result

OUT = Path(__file__).with_name("known_answers.json")
BASE = {
    "other_metastases": True,
    "mccormick_grade": 3,
    "resection": "subtotal",
    "compartment": "intramedullary",
}
PROFILES = [
    {
        "kps": 70,
        "other_metastases": False,
        "mccormick_grade": 2,
        "resection": "gross_total",
        "compartment": "intramedullary",
    },
    {
        "kps": 90,
        "other_metastases": False,
        "mccormick_grade": 1,
        "resection": "gross_total",
        "compartment": "intradural_extramedullary",
    },
    {"kps": 60, **BASE},
    {
        "kps": 40,
        "other_metastases": True,
        "mccormick_grade": 4,
        "resection": "biopsy",
        "compartment": "intramedullary",
    },
    {
        "kps": 30,
        "other_metastases": True,
        "mccormick_grade": 5,
        "resection": "biopsy",
        "compartment": "intradural_extramedullary",
    },
    {"kps": None, **BASE},
    {"kps": 60, **BASE, "other_metastases": None},
    {"kps": 60, **BASE, "mccormick_grade": None},
    {"kps": None, **BASE, "other_metastases": None, "mccormick_grade": None},
    {"ecog": 0, **BASE},
    {"ecog": 2, **BASE},
    {"ecog": 3, **BASE, "mccormick_grade": None},
    {"ecog": 4, **BASE},
    {
        "kps": 10,
        "other_metastases": False,
        "mccormick_grade": 1,
        "resection": "gross_total",
        "compartment": "intramedullary",
    },
    {
        "kps": 100,
        "other_metastases": False,
        "mccormick_grade": 5,
        "resection": "gross_total",
        "compartment": "intramedullary",
    },
]
KEYS = ("survival_90d", "interval_95", "by_resection", "averaged_over")


def main() -> None:
    model = load_model()
    answers = []
    for body in PROFILES:
        result = build_result(model, body)
        answers.append(
            {"request": body, **{k: result[k] for k in KEYS}, "no_estimate": result["survival_90d"] is None}
        )
    OUT.write_text(
        json.dumps({"model_version": model.version, "answers": answers}, indent=1) + "\n", encoding="utf-8"
    )
    print(f"wrote {OUT} for model {model.version}")


if __name__ == "__main__":
    main()
