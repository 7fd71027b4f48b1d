"""Command line: `python -m training reconstruct|fit|validate|card|pin [...]` (see README.md)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from calculator.artifact import DEFAULT_MODEL_DIR, ModelLoadError, read_manifest
from calculator.pin import SHIPPED_PIN, pin_record
from training.card import DEFAULT_CARD, write_model_card
from training.cohort import CohortError
from training.fit import FitError
from training.local_validation import write_report
from training.targets import format_targets
from training.train import DEFAULT_SEED, SYNTHETIC_NAME, fit_model_dir, write_reconstruction


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    rec = commands.add_parser("reconstruct", help="write the default SYNTHETIC cohort")
    rec.add_argument(
        "--out",
        type=Path,
        default=Path(SYNTHETIC_NAME),
        help=f"cohort CSV to write; its name must contain 'synthetic' (default {SYNTHETIC_NAME})",
    )
    fit = commands.add_parser("fit", help="fit a model directory from a cohort file")
    fit.add_argument(
        "--cohort",
        type=Path,
        help="cohort CSV (docs/cohort-schema.md); default: reconstruct the synthetic cohort",
    )
    fit.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_MODEL_DIR,
        help="model directory to write (default: the project's models/)",
    )
    fit.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed for CV folds and bootstrap")
    val = commands.add_parser("validate", help="evaluate a model on your own cohort; write an HTML report")
    val.add_argument("--cohort", type=Path, required=True, help="your cohort CSV (docs/cohort-schema.md)")
    val.add_argument("--out", type=Path, required=True, help="HTML report to write")
    val.add_argument(
        "--model", type=Path, default=DEFAULT_MODEL_DIR, help="model directory (default: the shipped models/)"
    )
    val.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed for the bootstrap intervals")
    card = commands.add_parser("card", help="write the model card (Markdown) from a model's manifest")
    card.add_argument(
        "--model", type=Path, default=DEFAULT_MODEL_DIR, help="model directory (default: the shipped models/)"
    )
    card.add_argument(
        "--out", type=Path, default=DEFAULT_CARD, help="Markdown file to write (default: docs/model-card.md)"
    )
    commands.add_parser("pin", help="pin the shipped models/ as it is now (calculator/shipped_model.json)")
    args = parser.parse_args(argv)

    try:
        if args.command == "reconstruct":
            rec, _ = write_reconstruction(args.out)
            print(format_targets(rec.targets))
            print(
                f"\nwrote {args.out} ({len(rec.cohort)} SYNTHETIC patients), its targets table "
                "and provenance record beside it"
            )
        elif args.command == "validate":
            results = write_report(args.cohort, args.out, args.model, args.seed)
            c = results["measures"]["c_statistic"]["estimate"]
            print(
                f"wrote {args.out}: n = {results['n']}, deaths by day 90 = {results['deaths_90d']}, "
                f"c-statistic {'not estimable' if c is None else f'{c:.3f}'}"
            )
        elif args.command == "pin":
            print(f"wrote {write_shipped_pin()} for {DEFAULT_MODEL_DIR}")
        elif args.command == "card":
            print(f"wrote {write_model_card(args.model, args.out)} from {args.model / 'manifest.json'}")
        else:
            manifest = fit_model_dir(args.cohort, args.out, args.seed)
            print(
                f"wrote {args.out} (model {manifest['version']}, "
                f"{'SYNTHETIC' if manifest['synthetic'] else 'registry'} cohort, "
                f"n = {manifest['cohort']['n']}, deaths by day 90 = {manifest['cohort']['events_90d']})"
            )
            if args.out.resolve() == DEFAULT_MODEL_DIR.resolve():  # the shipped model: its card and pin too
                print(f"wrote {write_model_card(args.out)}")
                print(f"wrote {write_shipped_pin()}")
    except (CohortError, FitError, ModelLoadError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


def write_shipped_pin(out: Path = SHIPPED_PIN) -> Path:
    """Pin the shipped models/ (the package then loads nothing else from there; calculator/pin.py)."""
    record = pin_record(DEFAULT_MODEL_DIR, read_manifest(DEFAULT_MODEL_DIR)["artifact"])
    out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return out


if __name__ == "__main__":
    sys.exit(main())
