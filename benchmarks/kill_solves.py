"""Kill `primeflex solve` at random moments (SIGKILL) and check that no output folder is ever partial or mixed.

Each round starts a solve into one folder, alternating two specs so that every run replaces the
other's output, and kills it after a random delay: a third of the rounds anywhere within a whole
run, a third once the run holds the folder's lock (it then solves, renders, writes and swaps the
folder in) anywhere within the time that takes, a third within 5 ms of its staging folder
appearing (writing the files, the swap, deleting the old folder). After
every kill the folder must be missing (before any run completed) or whole: exactly the files its
manifest lists, each unchanged, all from one run. Every tenth round, and at the end, a run is let
finish: it must exit 0, without --force, and leave nothing beside the folder (no staging or old
folder, no lock file) whatever the killed runs left.

    .venv/bin/python benchmarks/kill_solves.py [--rounds 300] [--seed 0] [--results benchmarks/KILL_RESULTS.md]
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

ROOT = Path(__file__).resolve().parent.parent
SPECS = (ROOT / "specs" / "reference" / "storage-small.yaml", ROOT / "specs" / "reference" / "storage-medium.yaml")
sys.path.insert(0, str(ROOT))  # this tree's primeflex_iac, for the manifest check (the runs use it too: cwd)
CLI = "import sys; from primeflex_iac.cli.main import main; sys.exit(main())"


def command(spec: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-c", CLI, "solve", str(spec), "-o", str(out), *extra]


def whole(out: Path) -> str | None:
    """None if ``out`` is missing or holds exactly what one run wrote; otherwise what is wrong."""
    from primeflex_iac.cli.manifest import MANIFEST, ours

    if not out.exists():
        return None
    try:
        listed = json.loads((out / MANIFEST).read_text())["files"]
    except (OSError, ValueError, KeyError) as error:
        return f"no readable manifest: {error}"
    missing = [name for name in listed if not (out / name).is_file()]
    if missing:
        return f"files missing: {missing}"
    if not ours(out):
        return "files that do not match the manifest"
    return None


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name != out.name and p.name not in {s.name for s in SPECS})


def holds_lock(out: Path, process: subprocess.Popen[bytes]) -> bool:
    """Whether the run holds the folder's lock: the lock file names its pid (a killed run's stays behind)."""
    try:
        return (out.parent / f".{out.name}.lock").read_text().strip() == str(process.pid)
    except OSError:
        return False


def writing(out: Path, process: subprocess.Popen[bytes]) -> bool:
    """Whether the run has begun writing: its staging folder is there."""
    return any(p.name.startswith(f".{out.name}.staging.{process.pid}.") for p in out.parent.iterdir())


def wait_for(
    test: Callable[[Path, subprocess.Popen[bytes]], bool], out: Path, process: subprocess.Popen[bytes], limit: float
) -> bool:
    """Wait until ``test`` holds for the run; False if it ended or ``limit`` passed first."""
    end = time.monotonic() + limit
    while time.monotonic() < end and process.poll() is None:
        if test(out, process):
            return True
        time.sleep(0.001)
    return False


def finish(spec: Path, out: Path) -> tuple[str | None, float, float]:
    """Run to the end: (None if it exits 0 and leaves the folder whole and nothing beside it, seconds, seconds holding the lock)."""
    start = time.monotonic()
    process = subprocess.Popen(command(spec, out), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    locked = time.monotonic() if wait_for(holds_lock, out, process, 300) else start
    _, err = process.communicate(timeout=300)
    end = time.monotonic()
    if process.returncode != 0:
        return f"exit {process.returncode}: {err.decode(errors='replace').strip()[-400:]}", end - start, end - locked
    problem = whole(out) or (f"left beside the folder: {leftovers(out)}" if leftovers(out) else None)
    return problem, end - start, end - locked


def kill_rounds(rounds: int, seed: int, work: Path, log: bool = False) -> dict[str, int | float | list[str]]:
    """Kill ``rounds`` solves; returns counts and the failures (an empty list: nothing partial, everything cleaned)."""
    rng = random.Random(seed)
    out = work / "out"
    failures: list[str] = []
    problem, duration, locked = finish(SPECS[0], out)  # how long a whole run takes, and a first output to replace
    if problem:
        failures.append(f"first run: {problem}")
    stats: dict[str, int] = {
        "killed at any moment": 0,
        "killed holding the lock": 0,
        "killed while writing or swapping": 0,
        "staging folders seen after a kill": 0,
        "finished before the kill": 0,
        "leftovers seen after a kill": 0,
        "runs let finish (each cleans up)": 0,
    }
    for index in range(rounds):
        spec = SPECS[index % 2]
        process = subprocess.Popen(command(spec, out), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        kind = "killed at any moment"
        delay = rng.uniform(0, duration * 1.05)
        if index % 3 == 1 and wait_for(holds_lock, out, process, duration * 3):
            kind, delay = "killed holding the lock", rng.uniform(0, locked * 1.05)
        elif index % 3 == 2 and wait_for(writing, out, process, duration * 3):
            kind, delay = "killed while writing or swapping", rng.uniform(0, 0.005)
        try:
            process.wait(timeout=delay)
            stats["finished before the kill"] += 1
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.wait()
            stats[kind] += 1
        problem = whole(out)
        if problem:
            failures.append(f"round {index} (killed after {delay:.2f} s): {problem}")
        if leftovers(out):
            stats["leftovers seen after a kill"] += 1
        if any(".staging." in name for name in leftovers(out)):
            stats["staging folders seen after a kill"] += 1
        if index % 10 == 9 or index == rounds - 1:
            stats["runs let finish (each cleans up)"] += 1
            problem = finish(SPECS[(index + 1) % 2], out)[0]
            if problem:
                failures.append(f"run after round {index}: {problem}")
        if log:
            print(f"round {index + 1}/{rounds}: delay {delay:.2f} s, failures so far {len(failures)}", file=sys.stderr)
    timing = {"seconds per whole run": round(duration, 2), "of which holding the lock": round(locked, 2)}
    return {**stats, "rounds": rounds, **timing, "failures": failures}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--results", type=Path, help="write the outcome as Markdown here")
    args = parser.parse_args()
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="primeflex-kill-") as work:
        result = kill_rounds(args.rounds, args.seed, Path(work), log=True)
    elapsed = time.monotonic() - began
    failures = result["failures"]
    assert isinstance(failures, list)
    lines = [
        "# SIGKILL at random moments: never a partial output, and the next run cleans up",
        "",
        f"`python benchmarks/kill_solves.py --rounds {args.rounds} --seed {args.seed}` "
        f"({time.strftime('%Y-%m-%d')}, {elapsed:.0f} s). {__doc__.split(chr(10) + chr(10))[1].replace(chr(10), ' ')}",
        "",
        "| outcome | count |",
        "|---|---|",
        *(f"| {key} | {value} |" for key, value in result.items() if key != "failures"),
        f"| partial or mixed folders, failed runs | {len(failures)} |",
        "",
        *(f"- {failure}" for failure in failures),
    ]
    text = "\n".join(lines).rstrip() + "\n"
    print(text)
    if args.results:
        args.results.write_text(text)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
