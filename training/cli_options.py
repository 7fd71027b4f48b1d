"""The options every command that reads a cohort file shares: how to read it, which flagged
checks to accept (`check`, `fit`, `validate`; docs/cohort-schema.md)."""

from __future__ import annotations

import argparse

from training.checks import ACCEPTABLE
from training.imputation import DEFAULT_IMPUTATIONS
from training.tables import ENCODINGS, ReadOptions


def add_read_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sheet", help=".xlsx: the sheet to read (default: the first)")
    parser.add_argument(
        "--encoding",
        choices=ENCODINGS,
        help="CSV text encoding (default: UTF-8; cp1252 is Excel's 'CSV' on Windows)",
    )
    parser.add_argument(
        "--missing-codes",
        default="",
        metavar="CODES",
        help="comma-separated values that mean 'unknown' in your registry, e.g. 999,9999 (never guessed)",
    )
    parser.add_argument(
        "--accept",
        action="append",
        default=[],
        choices=ACCEPTABLE,
        metavar="CHECK",
        help=f"proceed although this check flagged the file, after looking at its rows; one of "
        f"{', '.join(ACCEPTABLE)} (repeat for several)",
    )


def add_impute_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--impute",
        action="store_true",
        help="multiple imputation of missing predictors (chained equations) instead of complete cases",
    )
    parser.add_argument(
        "--imputations",
        type=int,
        default=DEFAULT_IMPUTATIONS,
        metavar="M",
        help=f"number of imputed data sets with --impute (default {DEFAULT_IMPUTATIONS}; 20 or more advised)",
    )


def imputations_of(args: argparse.Namespace) -> int | None:
    """M when --impute is given, else None. Raises ValueError for M < 2."""
    if not args.impute:
        return None
    if args.imputations < 2:
        raise ValueError("--imputations must be at least 2 (20 or more advised)")
    return args.imputations


def read_options(args: argparse.Namespace) -> ReadOptions:
    return ReadOptions(
        encoding=args.encoding,
        sheet=args.sheet,
        missing_codes=tuple(c.strip() for c in args.missing_codes.split(",") if c.strip()),
        accept=frozenset(args.accept),
    )
