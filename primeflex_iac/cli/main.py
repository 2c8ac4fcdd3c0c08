"""`primeflex`: the parser, the command registry, and the one place errors become exit codes.

Each command is a module in ``cli/commands/`` with ``add_parser(commands)`` and ``run(args) -> int``;
:data:`COMMANDS` lists them in the order --help shows them. A command returns its exit code or
raises; :func:`main` maps what it raises (``cli/exit_codes.py``):

- PrimeflexError (invalid spec, catalog, plan file, output folder; a plan that cannot be exported):
  2, every problem on stderr, and with --json the diagnostics on stdout too;
- KeyboardInterrupt: 130; OSError (a full disk, a missing permission): 1; anything else is a bug: 1.

This module imports little at the top, and the commands (pydantic, OR-Tools, ...) inside
:func:`main`: Ctrl-C while they load is a message and 130, not a traceback.
"""

from __future__ import annotations

import contextlib
import os
import sys

from primeflex_iac.cli.exit_codes import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_INVALID

TYPE_CHECKING = False  # as typing's, without importing typing at start-up

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Sequence

__all__ = ["COMMANDS", "main"]

# the modules of cli/commands/, in the order --help lists them, with the line it shows for each
# (the same as the module's own add_parser gives: a test holds them equal)
COMMANDS = {
    "solve": "find the best cluster for a spec and write the plan and BOM",
    "render": "re-render a saved plan.json (pictures, BOM, report) without solving",
    "schema": "print the JSON Schema of the spec (default, draft-07) or of the plan",
    "export": "write a saved plan's Slurm, NetBox or Ansible files",
    "estimate": "estimate a workload's time-to-model on a GPU cluster of any shape",
    "sweep": "cost against time-to-model: the cheapest plan for each of a range of deadlines (CSV, SVG, PNG)",
    "validate": "check a spec and its catalog overlays without solving",
    "explain": "say why a spec has no plan and how far each requirement must move",
    "completion": "print a shell completion script (bash or zsh)",
}


def _chosen(argv: Sequence[str] | None) -> str | None:
    """The command the arguments name (the first argument that is one), if any."""
    for argument in sys.argv[1:] if argv is None else argv:
        if argument in COMMANDS:
            return argument
        if not argument.startswith("-"):
            return None
    return None


def _parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser, with only the named command's module imported: the others are a line of --help,
    so that `--version`, `validate` or `render` do not load what solving needs (OR-Tools)."""
    import argparse
    import importlib

    from primeflex_iac import __version__

    parser = argparse.ArgumentParser(
        prog="primeflex",
        description="Size a PRIMEFLEX for HPC AI training cluster from a YAML spec.",
        epilog="Exit codes: 0 plan, 1 internal error, 2 invalid input, 3 infeasible, 130 interrupted.",
    )
    parser.add_argument("--version", action="version", version=f"primeflex-iac {__version__}")
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="print only errors and warnings (and what --json asks for) on stdout"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    chosen = _chosen(argv)
    for name, summary in COMMANDS.items():
        if name == chosen:
            importlib.import_module(f"primeflex_iac.cli.commands.{name}").add_parser(commands)  # sets its run() as the handler
        else:
            commands.add_parser(name, help=summary)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns its exit code (argparse exits 2 itself on bad arguments)."""
    args = None
    ctrl_c = _CtrlC()
    try:
        ctrl_c.watch()
        args = _parser(argv).parse_args(argv)
        handler: Callable[[argparse.Namespace], int] = args.handler
        if args.quiet and not getattr(args, "json", False):
            with open(os.devnull, "w") as nowhere, contextlib.redirect_stdout(nowhere):
                return handler(args)
        return handler(args)
    except KeyboardInterrupt:
        print("primeflex: interrupted; nothing was written", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # stdout closed early (`| head`): nothing more to say
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps the interpreter's final flush quiet
        return EXIT_INTERNAL
    except OSError as error:  # the machine's, not the input's: a full disk, a missing permission
        print(f"primeflex: system error: {error}", file=sys.stderr)
        return EXIT_INTERNAL
    except BaseException as error:  # also a library's panic or ImportError when Ctrl-C cut its import short
        if isinstance(error, SystemExit):
            raise
        return _failed(error, args, ctrl_c.pressed)
    finally:
        ctrl_c.restore()


class _CtrlC:
    """Python's own Ctrl-C handler (KeyboardInterrupt), which also notes that Ctrl-C was pressed.

    Python cannot raise an exception out of a callback (a weak reference's, during an import): there
    it would print "Exception ignored" with a traceback and go on as if Ctrl-C had not come. Such a
    KeyboardInterrupt is dropped quietly and Ctrl-C sent again 10 ms later, to be raised where it can be.
    """

    def __init__(self) -> None:
        self.pressed = False
        self._watching = False
        self._hook = sys.unraisablehook

    def watch(self) -> None:
        import signal
        import threading

        if (
            threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGINT) is signal.default_int_handler
        ):
            signal.signal(signal.SIGINT, self._pressed)
            sys.unraisablehook = self._unraisable
            self._watching = True

    def _pressed(self, signum: int, frame: object) -> None:
        self.pressed = True
        raise KeyboardInterrupt

    def _unraisable(self, unraisable: sys.UnraisableHookArgs) -> None:
        if not isinstance(unraisable.exc_value, KeyboardInterrupt):
            self._hook(unraisable)
            return
        import signal
        import threading

        again = threading.Timer(0.01, os.kill, (os.getpid(), signal.SIGINT))  # once the callback has returned
        again.daemon = True
        again.start()

    def restore(self) -> None:
        if self._watching:
            import signal

            signal.signal(signal.SIGINT, signal.default_int_handler)
            sys.unraisablehook = self._hook
            self._watching = False


def _failed(error: BaseException, args: argparse.Namespace | None, interrupted: bool) -> int:
    """An invalid input (a PrimeflexError: every problem, and the diagnostics with --json), Ctrl-C's doing, or a bug."""
    from primeflex_iac.errors import PrimeflexError

    if interrupted and not isinstance(error, PrimeflexError):
        print("primeflex: interrupted; nothing was written", file=sys.stderr)
        return EXIT_INTERRUPTED
    if isinstance(error, PrimeflexError):
        print(f"primeflex: invalid input, {error}", file=sys.stderr)
        if getattr(args, "json", False):  # diagnostics for tools
            from primeflex_iac.app.inputs import diagnostics_json

            sys.stdout.write(diagnostics_json(error.problems))
        return EXIT_INVALID
    # a bug: say so plainly, with what to report
    text = str(error)
    text = text if len(text) <= 500 else text[:500] + f"... ({len(text):,} characters)"
    print(f"primeflex: internal error: {type(error).__name__}: {text}", file=sys.stderr)
    print("primeflex: this is a bug; please report it with the spec that caused it", file=sys.stderr)
    if os.environ.get("PRIMEFLEX_TRACEBACK"):  # for developers: where it happened
        import traceback

        traceback.print_exception(error, file=sys.stderr)
    return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
