"""The `parity-audit` command, also run as `python -m auditor`.

Until the whole-result cache has been asked, only what the interpreter loads at start is imported: a run
it serves costs little more than starting Python.
"""

from __future__ import annotations

import os
import sys

from auditor import __version__, result_cache

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NoReturn

EXIT_INTERRUPTED = 130


def main() -> NoReturn:
    """The console entry point. A Ctrl-C at any moment, the report half printed or half written included,
    ends the run with one line on stderr and exit code 130."""
    arguments = sys.argv[1:]
    if arguments == ["--version"] and sys.stdout is not None:  # what the command prints, without loading it
        sys.stdout.write(f"parity-audit {__version__}\n")
        _flush_output()
        os._exit(0)
    try:
        replayed = result_cache.replay(arguments)
        if replayed is not None:
            os._exit(replayed)
        import gc
        import signal

        from auditor import parser_host

        parser_host.start()
        # Imported after the fork: the parser host imports the parsers while this process imports the CLI.
        # Importing creates tens of thousands of objects, none of them garbage; the collector's passes
        # over them would cost a fifth of the import. Frozen, later passes leave them alone too.
        gc.disable()
        from auditor.cli import run

        gc.freeze()
        gc.enable()

        code = run(arguments)  # typer hands a Ctrl-C inside the command back as code 130
        if code != EXIT_INTERRUPTED:
            parser_host.release()
            _flush_output()  # the end of the report may still be on its way into a slow pipe: Ctrl-C counts here too
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # nothing is left to interrupt
            result_cache.finish(code)
    except KeyboardInterrupt:
        code = EXIT_INTERRUPTED
    if code == EXIT_INTERRUPTED:
        _end_interrupted()
    # Tearing down the heap a large audit built costs a tenth of a second or more and serves no one:
    # every file is written and closed by now, so the process ends once its output is out.
    os._exit(code)


def _flush_output() -> None:
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a reader that went away (`| head`) missed nothing it asked for
        pass


def _end_interrupted() -> NoReturn:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not turn the ending into a traceback
    # The report is cut short anyway. What is still buffered for stdout goes nowhere, so a reader that stopped
    # reading cannot hold the process at exit, and one still reading sees the end of the output at once.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)
    try:
        sys.stderr.write("parity-audit: interrupted\n")
        sys.stderr.flush()
    except OSError:  # nobody reads stderr any more
        pass
    from auditor import parser_host

    parser_host.release()
    # Under `python -m`, CPython ends the process with SIGINT instead of this exit code when the Ctrl-C
    # landed in code run from a string (as dataclass and namedtuple build their methods), even though it
    # was caught; evaluating a string again clears that mark.
    exec("None")
    # The ordinary exit, not the quick one: it waits for the workers of a pool this process started to stop,
    # and files being written are written atomically, so none is left half-written.
    sys.exit(EXIT_INTERRUPTED)


if __name__ == "__main__":
    main()
