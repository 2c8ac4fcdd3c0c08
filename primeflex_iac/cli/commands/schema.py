"""`primeflex schema [--spec | --plan]`: print a JSON Schema, the spec's (draft-07, for editors) or the plan's."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from primeflex_iac.app.schemas import plan_json_schema, spec_json_schema
from primeflex_iac.catalog.loader import load_catalog
from primeflex_iac.cli.exit_codes import EXIT_OK

if TYPE_CHECKING:
    import argparse

__all__ = ["add_parser", "run"]


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("schema", help="print the JSON Schema of the spec (default, draft-07) or of the plan")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--spec", action="store_true", help="the spec's schema, for editors (default)")
    which.add_argument("--plan", action="store_true", help="the plan's schema")
    parser.add_argument(
        "--catalog-overlay",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="enumerate the ids of the catalog with these overlays, for specs that use an overlay's items (repeatable)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    schema = plan_json_schema() if args.plan else spec_json_schema(load_catalog(args.catalog_overlay))
    sys.stdout.write(json.dumps(schema, indent=2, sort_keys=True) + "\n")
    return EXIT_OK
