"""`python -m deploy nginx [options] > /etc/nginx/conf.d/calculator.conf`: the nginx site for one
deployment, with the app's own security headers (deploy/nginx.py). Options are Site's fields."""

from __future__ import annotations

import argparse
import dataclasses
import sys

from calculator.framing import FramingError
from deploy.nginx import Site, render


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    site = commands.add_parser("nginx", help="print the nginx site for one deployment")
    for field in dataclasses.fields(Site):
        site.add_argument(
            "--" + field.name.replace("_", "-"),
            type=type(field.default),
            default=field.default,
            help=f"default: {field.default}",
        )
    args = vars(parser.parse_args(argv))
    args.pop("command")
    try:
        sys.stdout.write(render(Site(**args)))
    except (FramingError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
