"""Every output lands where the user named it, as `>` would put it there, and never half-written.

A regular file is replaced whole, with the mode a plain write gives; a symlink is followed to its final
target; a device, a FIFO and the pipe behind /dev/fd/N are written in place; `-` is standard output; a
directory, a symlink loop and two outputs to one file are refused before the audit runs. The command-line
cases run the real command in a child forked from the test process, as the user running the tests and,
when that is root, again as nobody.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import importlib
import json
import os
import select
import shutil
import signal
import stat
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

from auditor import parser_host
from auditor.__main__ import main as auditor_main
from auditor.output_file import destination, write_output
from auditor.reports import FORMATS, renderer
from tests.conftest import SAMPLE_ELIXIR, SAMPLE_PYTHON, invoke

NOBODY = 65534
REPORT = b'{"report": "new"}\n'
LOOP = os.strerror(errno.ELOOP)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def names(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir())


@contextlib.contextmanager
def umask(mask: int) -> Iterator[None]:
    previous = os.umask(mask)
    try:
        yield
    finally:
        os.umask(previous)


def read_in_background(read_end: int) -> Callable[[], bytes]:
    """Reads a pipe or FIFO to its end on a thread, so no writer ever waits on a full pipe. The function
    returned waits for that end and gives what was read."""
    received: list[bytes] = []

    def drain() -> None:
        with open(read_end, "rb") as stream:
            received.append(stream.read())

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()

    def result() -> bytes:
        reader.join(timeout=300)  # only a guard against hanging the suite: the end comes when the writer closes
        assert not reader.is_alive(), "the pipe's writer never closed it"
        return received[0]

    return result


@contextlib.contextmanager
def fifo_reader(fifo: Path) -> Iterator[Callable[[], bytes]]:
    """Reads `fifo` from before the block starts; what was read is there once the block has ended."""
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # a blocking open would wait for a writer
    # A write end held open for the whole block: without one the reader sees the FIFO's end at once,
    # before the writer under test has even opened it.
    keeper = os.open(fifo, os.O_WRONLY)
    os.set_blocking(reader, True)
    received = read_in_background(reader)
    try:
        yield received
    finally:
        os.close(keeper)


def make_null_device(path: Path) -> None:
    """A character device like /dev/null, made under the test's own directory."""
    if os.geteuid() != 0:
        pytest.skip("only root may make a device node")
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        path.chmod(0o666)  # mknod's mode went through the umask
        os.close(os.open(path, os.O_WRONLY))
    except PermissionError as error:
        pytest.skip(f"no usable device node here (no CAP_MKNOD, or a nodev file system): {error}")


def assert_is_null_device(path: Path) -> None:
    status = path.stat()
    assert stat.S_ISCHR(status.st_mode) and status.st_rdev == os.makedev(1, 3)


# The writer itself, as the user running the tests.


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o077, 0o600)], ids=["umask-022", "umask-077"])
def test_a_new_file_gets_the_mode_the_umask_gives(tmp_path: Path, mask: int, expected: int) -> None:
    report = tmp_path / "reports" / "report.json"
    with umask(mask):
        write_output(report, REPORT)
    assert report.read_bytes() == REPORT
    assert mode(report) == expected
    assert names(report.parent) == ["report.json"]


@pytest.mark.parametrize("old_mode", [0o644, 0o600, 0o640], ids=oct)
def test_an_existing_file_keeps_its_mode(tmp_path: Path, old_mode: int) -> None:
    report = tmp_path / "report.json"
    report.write_bytes(b"old")
    report.chmod(old_mode)
    with umask(0o077 if old_mode == 0o644 else 0o022):  # never the umask's own answer
        write_output(report, REPORT)
    assert report.read_bytes() == REPORT
    assert mode(report) == old_mode
    assert names(tmp_path) == ["report.json"]


@pytest.mark.skipif(os.geteuid() != 0, reason="only root may give a file to another user")
def test_root_gives_a_replaced_file_back_to_its_owner_and_group(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    report.write_bytes(b"old")
    report.chmod(0o640)
    os.chown(report, NOBODY, NOBODY)
    write_output(report, REPORT)
    status = report.stat()
    assert (status.st_uid, status.st_gid, stat.S_IMODE(status.st_mode)) == (NOBODY, NOBODY, 0o640)
    assert report.read_bytes() == REPORT


def test_a_symlink_stays_and_its_target_is_replaced_from_the_targets_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "links").mkdir()
    (tmp_path / "reports").mkdir()
    target = tmp_path / "reports" / "report.json"
    target.write_bytes(b"old")
    link = tmp_path / "links" / "report.json"
    link.symlink_to(target)
    renames: list[tuple[Path, Path]] = []
    rename = os.replace

    def recording_rename(source: str | Path, renamed_to: str | Path) -> None:
        renames.append((Path(source), Path(renamed_to)))
        rename(source, renamed_to)

    monkeypatch.setattr(os, "replace", recording_rename)
    write_output(link, REPORT)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_bytes() == REPORT
    [(temporary, renamed_to)] = renames
    assert temporary.parent == target.parent and renamed_to == target
    assert names(tmp_path / "links") == ["report.json"] and names(tmp_path / "reports") == ["report.json"]


def test_a_chain_of_relative_links_is_followed_from_each_links_own_directory(tmp_path: Path) -> None:
    # Read from the first link's directory instead, the second hop would land in tree/../c.
    tree = tmp_path / "tree"
    for directory in ("a", "b/deep", "c"):
        (tree / directory).mkdir(parents=True)
    target = tree / "c" / "report.json"
    target.write_bytes(b"old")
    target.chmod(0o640)
    (tree / "b" / "deep" / "second").symlink_to("../../c/report.json")
    (tree / "a" / "first").symlink_to("../b/deep/second")
    write_output(tree / "a" / "first", REPORT)
    assert target.read_bytes() == REPORT and mode(target) == 0o640
    assert os.readlink(tree / "a" / "first") == "../b/deep/second"
    assert os.readlink(tree / "b" / "deep" / "second") == "../../c/report.json"
    assert names(tree / "c") == ["report.json"] and names(tmp_path) == ["tree"]


def test_a_dangling_link_gets_its_target_created(tmp_path: Path) -> None:
    link = tmp_path / "report.json"
    link.symlink_to("out/report.json")
    with umask(0o022):
        write_output(link, REPORT)
    assert link.is_symlink()
    assert (tmp_path / "out" / "report.json").read_bytes() == REPORT
    assert mode(tmp_path / "out" / "report.json") == 0o644


def test_a_symlink_loop_is_an_error_and_changes_nothing(tmp_path: Path) -> None:
    (tmp_path / "ping").symlink_to("pong")
    (tmp_path / "pong").symlink_to("ping")
    with pytest.raises(OSError) as written:
        write_output(tmp_path / "ping", REPORT)
    with pytest.raises(OSError) as resolved:
        destination(tmp_path / "ping")
    assert written.value.errno == resolved.value.errno == errno.ELOOP
    assert names(tmp_path) == ["ping", "pong"]
    assert (tmp_path / "ping").is_symlink() and (tmp_path / "pong").is_symlink()


def test_a_directory_is_an_error_named_directly_or_through_a_link(tmp_path: Path) -> None:
    (tmp_path / "reports").mkdir()
    (tmp_path / "link").symlink_to("reports")
    for path in (tmp_path / "reports", tmp_path / "link"):
        with pytest.raises(IsADirectoryError):
            write_output(path, REPORT)
        with pytest.raises(IsADirectoryError):
            destination(path)
    assert names(tmp_path / "reports") == []


def test_a_fifo_is_written_in_place(tmp_path: Path) -> None:
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    with fifo_reader(fifo) as received:
        write_output(fifo, REPORT)
    assert received() == REPORT
    assert stat.S_ISFIFO(fifo.stat().st_mode) and names(tmp_path) == ["report.fifo"]


def test_a_character_device_is_written_in_place_and_stays_one(tmp_path: Path) -> None:
    device = tmp_path / "null"
    make_null_device(device)
    write_output(device, REPORT)
    assert_is_null_device(device)
    assert names(tmp_path) == ["null"]


def test_the_pipe_behind_dev_fd_is_written_in_place() -> None:
    read_end, write_end = os.pipe()
    received = read_in_background(read_end)
    try:
        write_output(Path(f"/dev/fd/{write_end}"), REPORT)
    finally:
        os.close(write_end)
    assert received() == REPORT


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="no /proc file system")
def test_a_deleted_file_behind_a_proc_link_is_overwritten_in_place(tmp_path: Path) -> None:
    # The link reads "/…/report.json (deleted)": replacing that path would write a file nobody reads.
    report = tmp_path / "report.json"
    report.write_bytes(b"old content, longer than the new")
    with report.open("rb") as still_open:
        report.unlink()
        write_output(Path(f"/proc/self/fd/{still_open.fileno()}"), REPORT)
        assert still_open.read() == REPORT
    assert names(tmp_path) == []


@pytest.mark.parametrize("existing", [True, False])
def test_an_interrupted_write_leaves_no_partial_file_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, existing: bool
) -> None:
    report = tmp_path / "report.json"
    if existing:
        report.write_bytes(b"old")

    def interrupted(*_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_output(report, REPORT)
    assert names(tmp_path) == (["report.json"] if existing else [])
    assert not existing or report.read_bytes() == b"old"


def test_destination_is_one_for_every_spelling_of_one_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "real").mkdir()
    (tmp_path / "alias").symlink_to("real")
    (tmp_path / "real" / "old.json").write_bytes(b"old")
    (tmp_path / "to-old").symlink_to("real/old.json")
    (tmp_path / "to-new").symlink_to("alias/new.json")
    old = destination(tmp_path / "real" / "old.json")
    new = destination(tmp_path / "real" / "new.json")
    assert old == destination(Path("alias/old.json")) == destination(Path("to-old"))
    assert new == destination(Path("real/new.json")) == destination(Path("alias/new.json"))
    assert new == destination(Path("to-new"))
    assert old != new
    assert names(tmp_path / "real") == ["old.json"]


# The command line in this process: `-`, and what is refused before the audit.


def _audit_must_not_run(*_: object) -> None:
    raise AssertionError("the audit ran")


def test_dash_is_standard_output_and_then_the_report_is_not_printed_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    json_report = invoke(SAMPLE_PYTHON, SAMPLE_ELIXIR, "--no-cache", "--format", "json").stdout
    for options in (["--format", "json", "--output", "-"], ["--report", "json=-"]):
        result = invoke(SAMPLE_PYTHON, SAMPLE_ELIXIR, "--no-cache", *options)
        assert result.exit_code == 1, result.stderr
        assert result.stdout == json_report
    assert names(tmp_path) == []


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--output", "report", "--report", "json=report"], "--output and --report json both write to report"),
        (
            ["--report", "json=report", "--report", "sarif=report"],
            "--report json and --report sarif both write to report",
        ),
        (
            ["--write-baseline", "real/report", "--report", "markdown=alias/report"],
            "--write-baseline and --report markdown both write to alias/report",
        ),
        (["--output", "link", "--report", "json=real/report"], "--output and --report json both write to real/report"),
        (["--output", "-", "--report", "json=-"], "--output and --report json both write to standard output"),
    ],
)
def test_two_outputs_to_one_file_are_refused_before_the_audit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, options: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "real").mkdir()
    (tmp_path / "alias").symlink_to("real")
    (tmp_path / "link").symlink_to("real/report")
    monkeypatch.setattr("auditor.cli.run_audit", _audit_must_not_run)
    result = invoke(SAMPLE_PYTHON, SAMPLE_ELIXIR, "--no-cache", *options)
    assert result.exit_code == 2
    assert result.stderr == f"parity-audit: {message}; give each its own path.\n"
    assert result.stdout == ""
    assert names(tmp_path) == ["alias", "link", "real"] and names(tmp_path / "real") == []


@pytest.mark.parametrize(("name", "reason"), [("reports", os.strerror(errno.EISDIR)), ("ping", LOOP)])
def test_a_directory_or_a_link_loop_is_refused_before_the_audit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, reason: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "reports").mkdir()
    (tmp_path / "ping").symlink_to("pong")
    (tmp_path / "pong").symlink_to("ping")
    monkeypatch.setattr("auditor.cli.run_audit", _audit_must_not_run)
    result = invoke(SAMPLE_PYTHON, SAMPLE_ELIXIR, "--no-cache", "--format", "sarif", "--output", name)
    assert result.exit_code == 2
    assert result.stderr == f"parity-audit: cannot write the sarif report to {name}: {reason}.\n"
    assert names(tmp_path) == ["ping", "pong", "reports"] and names(tmp_path / "reports") == []


# The real command, run as the user running the tests and, when that is root, as nobody. Each run is a child
# forked from this process that drops its privileges and runs the console entry point (`auditor.__main__`)
# in place: a new interpreter could not start as nobody where the Python installation is private (under
# /root, mode 0700), and the modules are loaded here already.

GUARD_SECONDS = 300
"""Only a guard against hanging the suite: a run of the sample pair takes well under a second."""
EXIT_CHILD_FAILED = 70
"""The forked child's code when the command raised instead of ending the process (the traceback is on stderr)."""
EXIT_CANNOT_DROP = 77
"""The forked child's code when it could not become the user it was to run as."""


@dataclass(frozen=True)
class Completed:
    returncode: int
    stdout: str
    stderr: str


def run_command(arguments: list[str], directory: Path, mask: int, user: int | None) -> Completed:
    """Runs `parity-audit arguments` in `directory` with `mask` as umask in a forked child, as `user` (None: as
    this process's user). The child inherits every descriptor, as a pipe behind /dev/fd/N must be."""
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        pid = os.fork()
        if pid == 0:
            _run_in_child(arguments, directory, mask, user, stdout.fileno(), stderr.fileno())
        code = _wait_for(pid)
        stdout.seek(0)
        stderr.seek(0)
        return Completed(code, stdout.read().decode("utf-8"), stderr.read().decode("utf-8"))


def _run_in_child(
    arguments: list[str], directory: Path, mask: int, user: int | None, stdout: int, stderr: int
) -> NoReturn:
    """The forked child: never returns, so no test runs twice, whatever happens here."""
    code = EXIT_CHILD_FAILED
    try:
        os.dup2(stdout, 1)
        os.dup2(stderr, 2)
        # pytest's capture replaced sys.stdout and sys.stderr; the command writes where a process would.
        sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", buffering=1, closefd=False)  # noqa: SIM115
        os.chdir(directory)
        os.umask(mask)
        if user is not None:
            try:
                os.setgroups([])
                os.setgid(user)
                os.setuid(user)
            except OSError as error:
                code = EXIT_CANNOT_DROP
                sys.stderr.write(f"cannot become uid {user}: {error}\n")
                return
        sys.argv = ["parity-audit", *arguments]
        auditor_main()  # ends the process itself, with the command's exit code
    except BaseException:
        with contextlib.suppress(BaseException):
            os.write(2, traceback.format_exc().encode("utf-8", "backslashreplace"))
    finally:
        with contextlib.suppress(BaseException):
            sys.stderr.flush()
        os._exit(code)


def _wait_for(pid: int) -> int:
    try:
        ended = os.pidfd_open(pid)
    except (AttributeError, OSError):  # no pidfd here: wait without a guard
        ended = None
    if ended is not None:
        try:
            ready, _, _ = select.select([ended], [], [], GUARD_SECONDS)
        finally:
            os.close(ended)
        if not ready:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            pytest.fail(f"the command did not end within {GUARD_SECONDS} s")
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


@functools.cache
def _load_what_the_command_loads_on_demand() -> None:
    """Imports here what the command imports only when a run needs it. A child running as nobody could not
    read a module that lives in a private directory (the standard library, under /root)."""
    for module in (*parser_host._PARSERS, "auditor.baseline", "difflib", "tomllib"):
        importlib.import_module(module)
    for output_format in FORMATS:
        renderer(output_format)


@dataclass(frozen=True)
class Runner:
    """Runs the command on a copy of the sample pair as one user, in `directory`, which that user may write in."""

    directory: Path
    uid: int
    gid: int
    user: int | None
    """The user the child becomes; None: it stays the user running the tests."""

    def run(self, *arguments: str, mask: int = 0o022) -> Completed:
        return run_command(list(arguments), self.directory, mask, self.user)

    def audit(self, *options: str, mask: int = 0o022) -> Completed:
        # In this one process: no cache to write, no workers to start.
        samples = ("samples/python_sdk", "samples/elixir_sdk", "--no-cache", "--jobs", "1", "--fail-on", "never")
        return self.run(*samples, "--format", "json", *options, mask=mask)

    def own(self, path: Path) -> None:
        """Gives what the test made to the user the command runs as, as if that user had made it."""
        os.chown(path, self.uid, self.gid, follow_symlinks=False)


@functools.cache
def _why_nobody_cannot_run_the_command() -> str | None:
    if os.geteuid() != 0:
        return f"only root can run the command as nobody; the tests run as uid {os.geteuid()}"
    directory = Path(tempfile.mkdtemp(prefix="parity-audit-probe-"))
    try:
        directory.chmod(0o777)
        probe = run_command(["--version"], directory, 0o022, NOBODY)
    finally:
        shutil.rmtree(directory)
    # Any other failure is the command's own, for the tests to report.
    return f"cannot run as nobody: {probe.stderr.strip()}" if probe.returncode == EXIT_CANNOT_DROP else None


@pytest.fixture(params=["test-user", "nobody"])
def runner(request: pytest.FixtureRequest) -> Iterator[Runner]:
    _load_what_the_command_loads_on_demand()
    if request.param == "nobody":
        reason = _why_nobody_cannot_run_the_command()
        if reason is not None:
            pytest.skip(reason)
        uid, gid, user = NOBODY, NOBODY, NOBODY
    else:
        uid, gid, user = os.geteuid(), os.getegid(), None
    # pytest's tmp_path is private to the user running the tests, and out of nobody's reach.
    directory = Path(tempfile.mkdtemp(prefix="parity-audit-output-"))
    try:
        directory.chmod(0o777)
        shutil.copytree(SAMPLE_PYTHON, directory / "samples" / "python_sdk")
        shutil.copytree(SAMPLE_ELIXIR, directory / "samples" / "elixir_sdk")
        yield Runner(directory, uid, gid, user)
    finally:
        shutil.rmtree(directory)


def assert_is_the_json_report(data: str | bytes) -> None:
    assert json.loads(data)["summary"]["findings"]["P0"] == 3


def assert_succeeded(run: Completed) -> None:
    assert run.returncode == 0, run.stderr


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o077, 0o600)], ids=["umask-022", "umask-077"])
def test_cli_a_new_report_gets_the_mode_the_umask_gives(runner: Runner, mask: int, expected: int) -> None:
    assert_succeeded(runner.audit("--output", "report.json", mask=mask))
    report = runner.directory / "report.json"
    assert_is_the_json_report(report.read_text())
    status = report.stat()
    assert (stat.S_IMODE(status.st_mode), status.st_uid) == (expected, runner.uid)
    assert names(runner.directory) == ["report.json", "samples"]


@pytest.mark.parametrize("old_mode", [0o644, 0o600], ids=oct)
def test_cli_an_existing_report_keeps_its_mode(runner: Runner, old_mode: int) -> None:
    report = runner.directory / "report.json"
    report.write_text("old")
    report.chmod(old_mode)
    runner.own(report)
    assert_succeeded(runner.audit("--output", "report.json", "--report", "markdown=new.md", mask=0o027))
    assert_is_the_json_report(report.read_text())
    assert mode(report) == old_mode
    assert mode(runner.directory / "new.md") == 0o640  # beside it, a new report follows the umask


def test_cli_another_users_report_keeps_its_owner_where_the_user_may_give_it(runner: Runner) -> None:
    if os.geteuid() != 0:
        pytest.skip("only root may make a file owned by another user")
    other = NOBODY if runner.uid == 0 else 0
    report = runner.directory / "report.json"
    report.write_text("old")
    report.chmod(0o666)
    os.chown(report, other, other)
    assert_succeeded(runner.audit("--output", "report.json"))
    assert_is_the_json_report(report.read_text())
    status = report.stat()
    # Root gives the file back; anyone else replaces it as their own, as any editor would.
    expected = (other, other) if runner.uid == 0 else (runner.uid, runner.gid)
    assert (status.st_uid, status.st_gid, stat.S_IMODE(status.st_mode)) == (*expected, 0o666)


def test_cli_a_symlinked_report_stays_a_link_to_the_new_report(runner: Runner) -> None:
    reports = runner.directory / "reports"
    reports.mkdir()
    runner.own(reports)
    target = reports / "report.json"
    target.write_text("old")
    runner.own(target)
    link = runner.directory / "report.json"
    link.symlink_to("reports/report.json")
    runner.own(link)
    assert_succeeded(runner.audit("--output", "report.json"))
    assert link.is_symlink() and os.readlink(link) == "reports/report.json"
    assert_is_the_json_report(target.read_text())
    assert names(reports) == ["report.json"]


def test_cli_a_chain_of_links_across_directories_reaches_the_last_target(runner: Runner) -> None:
    for directory in ("a", "b", "b/deep", "c"):
        (runner.directory / directory).mkdir()
        runner.own(runner.directory / directory)
    target = runner.directory / "c" / "report.json"
    target.write_text("old")
    target.chmod(0o640)
    runner.own(target)
    (runner.directory / "b" / "deep" / "second").symlink_to("../../c/report.json")
    (runner.directory / "a" / "first").symlink_to("../b/deep/second")
    assert_succeeded(runner.audit("--output", "a/first"))
    assert_is_the_json_report(target.read_text())
    assert mode(target) == 0o640 and names(runner.directory / "c") == ["report.json"]
    assert (runner.directory / "a" / "first").is_symlink() and (runner.directory / "b" / "deep" / "second").is_symlink()


def test_cli_a_dangling_link_gets_its_target_created(runner: Runner) -> None:
    link = runner.directory / "report.json"
    link.symlink_to("out/report.json")
    assert_succeeded(runner.audit("--output", "report.json"))
    target = runner.directory / "out" / "report.json"
    assert link.is_symlink()
    assert_is_the_json_report(target.read_text())
    assert (mode(target), target.stat().st_uid) == (0o644, runner.uid)


def test_cli_a_link_loop_is_a_usage_error(runner: Runner) -> None:
    (runner.directory / "ping").symlink_to("pong")
    (runner.directory / "pong").symlink_to("ping")
    run = runner.audit("--output", "ping")
    assert run.returncode == 2
    assert run.stderr == f"parity-audit: cannot write the json report to ping: {LOOP}.\n"
    assert names(runner.directory) == ["ping", "pong", "samples"]


def test_cli_a_directory_is_a_usage_error(runner: Runner) -> None:
    (runner.directory / "reports").mkdir()
    run = runner.audit("--report", "sarif=reports")
    assert run.returncode == 2
    assert run.stderr == f"parity-audit: cannot write the sarif report to reports: {os.strerror(errno.EISDIR)}.\n"
    assert names(runner.directory / "reports") == []


def test_cli_a_fifo_is_written_in_place(runner: Runner) -> None:
    fifo = runner.directory / "report.fifo"
    os.mkfifo(fifo)
    runner.own(fifo)
    with fifo_reader(fifo) as received:
        run = runner.audit("--output", "report.fifo")
    assert_succeeded(run)
    assert_is_the_json_report(received())
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_cli_a_character_device_is_written_in_place_and_stays_one(runner: Runner) -> None:
    device = runner.directory / "null"
    make_null_device(device)
    assert_succeeded(runner.audit("--output", "null", "--report", "sarif=null-too"))
    assert_is_null_device(device)
    assert names(runner.directory) == ["null", "null-too", "samples"]


def test_cli_a_dev_fd_pipe_is_written_in_place(runner: Runner) -> None:
    read_end, write_end = os.pipe()
    # A pipe is its maker's, like a shell's `>(...)`: give it to the user the command runs as.
    os.fchown(write_end, runner.uid, runner.gid)
    received = read_in_background(read_end)
    try:
        run = runner.audit("--output", f"/dev/fd/{write_end}")  # the forked command inherits the pipe
    finally:
        os.close(write_end)
    assert_succeeded(run)
    assert_is_the_json_report(received())


@pytest.mark.parametrize("options", [["--output", "-"], ["--format", "text", "--report", "json=-"]])
def test_cli_dash_is_standard_output_and_no_other_report_is_printed(runner: Runner, options: list[str]) -> None:
    run = runner.audit(*options)
    assert_succeeded(run)
    assert_is_the_json_report(run.stdout)  # a text report beside it would not parse
    assert names(runner.directory) == ["samples"]


def test_cli_two_outputs_to_one_file_are_refused_before_the_audit(runner: Runner) -> None:
    (runner.directory / "alias").symlink_to(".")
    # Checkouts that do not exist: had the audit started, it would have failed on them instead.
    run = runner.run("missing-python", "missing-elixir", "--output", "report", "--report", "sarif=alias/report")
    assert run.returncode == 2
    message = "--output and --report sarif both write to alias/report; give each its own path."
    assert run.stderr == f"parity-audit: {message}\n"
    assert names(runner.directory) == ["alias", "samples"]


def test_cli_an_unwritable_directory_is_a_usage_error_after_the_audit(runner: Runner) -> None:
    if runner.uid == 0:
        pytest.skip("root writes into a read-only directory")
    locked = runner.directory / "locked"
    locked.mkdir(mode=0o555)
    locked.chmod(0o555)
    run = runner.audit("--output", "locked/report.json")
    assert run.returncode == 2
    reason = os.strerror(errno.EACCES)
    assert run.stderr == f"parity-audit: cannot write the json report to locked/report.json: {reason}.\n"
    assert names(locked) == []
