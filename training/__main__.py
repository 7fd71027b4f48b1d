"""Command line: `python -m training reconstruct|check|fit|validate|recalibrate|card|pin [...]`
(see README.md)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from calculator.artifact import DEFAULT_MODEL_DIR, ModelLoadError, read_manifest
from calculator.pin import SHIPPED_PIN, pin_record
from training.card import DEFAULT_CARD, write_model_card
from training.checks import format_report, run_checks
from training.cli_options import add_impute_options, add_read_options, imputations_of, read_options
from training.cohort import CohortError
from training.fit import FitError
from training.local_validation import write_report
from training.recalibrate_command import recalibrate_model_dir
from training.registry import load_registry
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
    chk = commands.add_parser("check", help="check a cohort file for coding mistakes; print a report")
    chk.add_argument("--cohort", type=Path, required=True, help="cohort CSV or .xlsx (docs/cohort-schema.md)")
    add_read_options(chk)
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
    fit.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        help="master seed (reconstruction draws, CV folds, bootstrap)",
    )
    add_read_options(fit)
    add_impute_options(fit)
    val = commands.add_parser("validate", help="evaluate a model on your own cohort; write an HTML report")
    val.add_argument("--cohort", type=Path, required=True, help="your cohort CSV (docs/cohort-schema.md)")
    val.add_argument("--out", type=Path, required=True, help="HTML report to write")
    val.add_argument(
        "--model", type=Path, default=DEFAULT_MODEL_DIR, help="model directory (default: the shipped models/)"
    )
    val.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed for the bootstrap intervals")
    add_read_options(val)
    add_impute_options(val)
    upd = commands.add_parser(
        "recalibrate", help="update a model on your registry (closed testing); write a new model directory"
    )
    upd.add_argument("--cohort", type=Path, required=True, help="your cohort CSV (docs/cohort-schema.md)")
    upd.add_argument(
        "--model", type=Path, default=DEFAULT_MODEL_DIR, help="the parent model (default: models/)"
    )
    upd.add_argument("--out", type=Path, required=True, help="model directory to write")
    upd.add_argument("--seed", type=int, default=DEFAULT_SEED, help="master seed (CV folds, bootstrap)")
    add_read_options(upd)
    add_impute_options(upd)
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
        elif args.command == "check":
            options = read_options(args)
            report = run_checks(load_registry(args.cohort, options))
            print(format_report(report, options.accept))
            return 2 if report.blocking(options.accept) else 0
        elif args.command == "validate":
            results = write_report(
                args.cohort, args.out, args.model, args.seed, read_options(args), impute=imputations_of(args)
            )
            c = results["measures"]["c_statistic"]["estimate"]
            print(
                f"wrote {args.out}: n = {results['n']}, deaths by day 90 = {results['deaths_90d']}, "
                f"c-statistic {'not estimable' if c is None else f'{c:.3f}'}"
            )
        elif args.command == "recalibrate":
            manifest = recalibrate_model_dir(
                args.cohort, args.model, args.out, args.seed, read_options(args), impute=imputations_of(args)
            )
            lineage = manifest["lineage"]
            print(
                f"wrote {args.out} (model {manifest['version']}: {lineage['method_label']} of "
                f"{lineage['parent_version']} on {lineage['registry']['file']}, "
                f"n = {lineage['registry']['n']})"
            )
        elif args.command == "pin":
            print(f"wrote {write_shipped_pin()} for {DEFAULT_MODEL_DIR}")
        elif args.command == "card":
            print(f"wrote {write_model_card(args.model, args.out)} from {args.model / 'manifest.json'}")
        else:
            impute = imputations_of(args)
            if impute and args.cohort is None:
                raise ValueError("--impute needs --cohort: the synthetic default has no missing values")
            manifest = fit_model_dir(
                args.cohort, args.out, args.seed, options=read_options(args), impute=impute
            )
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
