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

import os
import sys

from primeflex_iac.cli.exit_codes import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_INVALID

TYPE_CHECKING = False  # as typing's, without importing typing at start-up

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Sequence

__all__ = ["COMMANDS", "main"]

COMMANDS = ("solve", "render", "schema", "export", "estimate", "sweep", "validate", "explain")  # modules of cli/commands/


def _parser() -> argparse.ArgumentParser:
    import argparse
    import importlib

    from primeflex_iac import __version__

    parser = argparse.ArgumentParser(
        prog="primeflex",
        description="Size a PRIMEFLEX for HPC AI training cluster from a YAML spec.",
        epilog="Exit codes: 0 plan, 1 internal error, 2 invalid input, 3 infeasible, 130 interrupted.",
    )
    parser.add_argument("--version", action="version", version=f"primeflex-iac {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"primeflex_iac.cli.commands.{name}").add_parser(commands)  # each sets its run() as the handler
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns its exit code (argparse exits 2 itself on bad arguments)."""
    args = None
    ctrl_c = _CtrlC()
    try:
        ctrl_c.watch()
        args = _parser().parse_args(argv)
        handler: Callable[[argparse.Namespace], int] = args.handler
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
    print(f"primeflex: internal error: {type(error).__name__}: {error}", file=sys.stderr)
    print("primeflex: this is a bug; please report it with the spec that caused it", file=sys.stderr)
    return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
