"""The long fuzzing run: every fuzzing property of tests/properties, SCALE times its CI examples, random.

Run by hand: `.venv/bin/python benchmarks/fuzz_inputs.py [SCALE]` (default 12: about 10,000 cases).
CI runs the same properties derandomized at scale 1; this run draws new examples (hypothesis's
"long" profile in tests/conftest.py: not derandomized, and any example slower than the deadline
counts as a failure, so a hang cannot pass). It prints a Markdown table of cases, failures and
wall time per property, recorded in benchmarks/FUZZ.md.
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = ["tests/properties/test_fuzz.py", "tests/properties/test_fuzz_plans.py"]
_STATS = re.compile(r"^(?P<test>\S+::\S+):\s*$|(?P<passing>\d+) passing, (?P<failing>\d+) failing, and (?P<invalid>\d+) invalid")


def main() -> int:
    scale = int(sys.argv[1]) if len(sys.argv) > 1 else 12
    env = {**os.environ, "FUZZ_SCALE": str(scale), "HYPOTHESIS_PROFILE": "long"}
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", *MODULES, "-q", "-p", "no:cacheprovider", "--hypothesis-show-statistics", "-m", "slow"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.monotonic() - started
    rows: list[tuple[str, int, int]] = []
    test = ""
    for line in result.stdout.splitlines():
        match = _STATS.search(line.strip())
        if match and match["test"]:
            test = match["test"].split("::")[-1]
        elif match and match["passing"] and test:
            rows.append((test, int(match["passing"]) + int(match["failing"]), int(match["failing"])))
            test = ""
    print(f"machine: {platform.machine()}, CPython {platform.python_version()}; scale {scale}; {wall:,.0f} s in all\n")
    print("| property | cases | failures |\n|---|---:|---:|")
    for name, cases, failures in rows:
        print(f"| {name} | {cases:,} | {failures} |")
    print(f"| **all** | **{sum(r[1] for r in rows):,}** | **{sum(r[2] for r in rows)}** |")
    summary = [line for line in result.stdout.splitlines() if re.search(r"\d+ (passed|failed)", line)]
    print(f"\npytest: {summary[-1] if summary else result.stdout[-2000:]}")
    if result.returncode != 0:
        print(result.stdout[-20000:], file=sys.stderr)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
