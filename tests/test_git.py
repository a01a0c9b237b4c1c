"""Git revisions: a revision is audited from git objects, and reports name the commit audited.

Every test builds its own git repository (an SDK in `sdk/`, its port in `port/`), with git's global and
system configuration shut out, so it runs the same on a fresh CI machine and inside a git hook.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from auditor import __version__
from auditor.audit import AuditOptions, AuditResult, Checkout, UsageError, run_audit
from auditor.discovery import ELIXIR_SKIPPED_DIRS, ELIXIR_SUFFIXES, PYTHON_SKIPPED_DIRS, PYTHON_SUFFIXES
from auditor.git import _wanted, opened
from auditor.model import Diagnostic, SideModel
from auditor.reports import json_report, text_report
from tests.conftest import REPO_ROOT, SAMPLE_ELIXIR, SAMPLE_PYTHON, with_default_sigint, write_tree

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

AUDIT = [sys.executable, "-m", "auditor"]
# Runs start in the test's repository, not in this checkout: this checkout's code is put first on the path,
# or a venv shared with another checkout (a git worktree's) would run that checkout's installed code.
THIS_CHECKOUT = {"PYTHONPATH": str(REPO_ROOT)}
MODEL = "from pydantic import BaseModel\n\nclass Invoice(BaseModel):\n    total: {total}\n    note: str = ''\n"
PORT = (
    'defmodule Shop.Invoice do\n  defstruct [:total, note: ""]\n'
    "  @type t :: %__MODULE__{total: integer(), note: String.t()}\nend\n"
)
V1_DATE = "2024-01-02T03:04:05+01:00"
V2_DATE = "2024-02-03T04:05:06-05:00"


def git(repo: Path, *args: str, date: str = V1_DATE) -> str:
    environment = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    completed = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True, env=environment
    )
    return completed.stdout.strip()


@pytest.fixture(autouse=True)
def temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The temporary directory of every run in the test, in and out of process: empty again at the end."""
    directory = tmp_path / "tmp"
    directory.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(directory))
    monkeypatch.setenv("TMPDIR", str(directory))
    yield directory
    assert list(directory.iterdir()) == []


@pytest.fixture(autouse=True)
def isolated_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No user or system configuration, no repository above the test's directory, no hook's GIT_DIR."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    for name, value in (("NAME", "Test Author"), ("EMAIL", "author@example.com")):
        monkeypatch.setenv(f"GIT_AUTHOR_{name}", value)
        monkeypatch.setenv(f"GIT_COMMITTER_{name}", value)
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR", "GIT_OBJECT_DIRECTORY"):
        monkeypatch.delenv(name, raising=False)


@dataclass(frozen=True)
class Repo:
    path: Path
    v1: str
    """The commit tagged v1: Invoice.total is an int, as in the port."""
    head: str
    """main, one commit later: Invoice.total became a str."""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    path = tmp_path / "repo"
    write_tree(path / "sdk", {"shop/__init__.py": "", "shop/types.py": MODEL.format(total="int")})
    write_tree(path / "port", {"lib/shop/invoice.ex": PORT})
    git(path, "init", "-q", "--initial-branch=main")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "Invoice")
    git(path, "tag", "v1")
    (path / "sdk/shop/types.py").write_text(MODEL.format(total="str"))
    git(path, "commit", "-q", "-a", "-m", "Invoice.total is a string", date=V2_DATE)
    monkeypatch.chdir(path)
    return Repo(path, git(path, "rev-parse", "v1"), git(path, "rev-parse", "HEAD"))


def audit(python_rev: str | None = None, elixir_rev: str | None = None, **options: object) -> AuditResult:
    """The repository's SDK against its port, named by relative paths as a user in the repository types them."""
    return run_audit(
        AuditOptions(Path("sdk"), Path("port"), python_rev=python_rev, elixir_rev=elixir_rev, **options)  # type: ignore[arg-type]
    )


def findings(result: AuditResult) -> list[tuple[str, str, str | None]]:
    return [(f.rule, f.type_name, f.field) for f in result.findings]


def run_cli(cwd: Path, *args: str, **environment: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*AUDIT, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **THIS_CHECKOUT, **environment},
    )


def test_a_revision_is_audited_as_it_was_while_the_work_tree_has_moved_on(repo: Repo) -> None:
    assert findings(audit()) == [("type-mismatch", "Invoice", "total")]
    old = audit(python_rev="v1")
    assert findings(old) == []
    inputs = json_report.document(old)["inputs"]
    assert inputs["python"] == {
        "root": "sdk",
        "files": 2,
        "types": 1,
        "revision": "v1",
        "commit": repo.v1,
        "commit_date": V1_DATE,
        "branch": None,
    }
    assert inputs["elixir"] == {
        "root": "port",
        "files": 1,
        "types": 1,
        "revision": None,
        "commit": repo.head,
        "commit_date": V2_DATE,
        "branch": "main",
    }
    assert git(repo.path, "log", "-1", "--format=%cI", "v1") == V1_DATE
    header = text_report.render(old).splitlines()[1]
    assert header == (
        f"parity-audit {__version__}: sdk @ v1 ({repo.v1[:12]}, 2 files, 1 types)"
        f" vs port on main ({repo.head[:12]}, 1 files, 1 types)"
    )


@pytest.mark.parametrize(
    ("revision", "commit", "branch", "findings_at_revision"),
    [
        ("v1", "v1", None, []),
        ("v1-annotated", "v1", None, []),
        ("main", "head", "main", [("type-mismatch", "Invoice", "total")]),
        ("HEAD", "head", None, [("type-mismatch", "Invoice", "total")]),
        ("HEAD~1", "v1", None, []),
        ("full sha of v1", "v1", None, []),
        ("short sha of v1", "v1", None, []),
    ],
)
def test_tags_branches_shas_and_ancestry_all_resolve(
    repo: Repo, revision: str, commit: str, branch: str | None, findings_at_revision: list[object]
) -> None:
    git(repo.path, "tag", "-a", "v1-annotated", "-m", "release", "v1")
    given = {"full sha of v1": repo.v1, "short sha of v1": repo.v1[:8]}.get(revision, revision)
    result = audit(python_rev=given)
    expected_commit = repo.v1 if commit == "v1" else repo.head
    date = V1_DATE if commit == "v1" else V2_DATE
    assert result.python_input == Checkout("sdk", given, expected_commit, date, branch)
    assert findings(result) == findings_at_revision


def _snapshot(root: Path) -> dict[str, tuple[int, int, bytes]]:
    """Every file below `root` (the work tree and .git alike): mode, mtime and bytes (a link's target)."""
    snapshot = {}
    for directory, _, names in os.walk(root):
        for name in names:
            path = os.path.join(directory, name)
            status = os.lstat(path)
            content = os.readlink(path).encode() if os.path.islink(path) else Path(path).read_bytes()
            snapshot[os.path.relpath(path, root)] = (status.st_mode, status.st_mtime_ns, content)
    return snapshot


def test_the_work_tree_the_index_and_the_repository_are_untouched(repo: Repo) -> None:
    (repo.path / "sdk/shop/types.py").write_text(MODEL.format(total="bytes"))  # modified, not staged
    (repo.path / "port/lib/shop/staged.ex").write_text("defmodule Shop.Staged do\n  defstruct [:a]\nend\n")
    git(repo.path, "add", "port/lib/shop/staged.ex")
    (repo.path / "sdk/shop/untracked.py").write_text("X = 1\n")
    status = git(repo.path, "status", "--porcelain")
    assert status.splitlines() == ["A  port/lib/shop/staged.ex", " M sdk/shop/types.py", "?? sdk/shop/untracked.py"]
    before = _snapshot(repo.path)
    index_file = repo.path / ".git/index"
    index = (index_file.read_bytes(), index_file.stat().st_mtime_ns)

    for python_rev, elixir_rev in (("v1", "HEAD"), ("main", "v1"), ("HEAD~1", None), (None, None)):
        audit(python_rev, elixir_rev)

    assert (index_file.read_bytes(), index_file.stat().st_mtime_ns) == index
    assert _snapshot(repo.path) == before
    assert git(repo.path, "status", "--porcelain") == status


def test_a_subdirectory_checkout_reads_exactly_like_its_work_tree(tmp_path: Path) -> None:
    """The sample repos (every rule fires there) in a subdirectory: HEAD gives the work tree's report."""
    repo = tmp_path / "monorepo"
    shutil.copytree(SAMPLE_PYTHON, repo / "sdks/python")
    shutil.copytree(SAMPLE_ELIXIR, repo / "sdks/elixir")
    git(repo, "init", "-q", "--initial-branch=main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "samples")
    python, elixir = repo / "sdks/python", repo / "sdks/elixir"

    work_tree = json_report.document(run_audit(AuditOptions(python, elixir)))
    revision = json_report.document(run_audit(AuditOptions(python, elixir, python_rev="HEAD", elixir_rev="HEAD")))

    for side, root in (("python", python), ("elixir", elixir)):
        assert revision["inputs"][side]["root"] == str(root)
        assert (revision["inputs"][side]["revision"], revision["inputs"][side]["branch"]) == ("HEAD", None)
        assert (work_tree["inputs"][side]["revision"], work_tree["inputs"][side]["branch"]) == (None, "main")
        revision["inputs"][side].update(revision=None, branch="main")
    assert revision == work_tree
    assert len(work_tree["findings"]) == 42
    assert {f["python"]["path"] for f in work_tree["findings"] if f["python"]} >= {"pixelmill/types/asset.py"}


def test_symlinks_stay_symlinks_and_are_never_followed_and_submodules_are_skipped(
    repo: Repo, tmp_path: Path
) -> None:
    outside = write_tree(
        tmp_path / "outside",
        {
            "leak.py": "from pydantic import BaseModel\n\nclass Leak(BaseModel):\n    secret: str\n",
            "leak.ex": "defmodule Shop.Leak do\n  defstruct [:secret]\nend\n",
        },
    )
    (repo.path / "sdk/shop/leak.py").symlink_to(outside / "leak.py")
    (repo.path / "port/lib/shop/leak.ex").symlink_to(outside / "leak.ex")
    (repo.path / "port/lib/elsewhere").symlink_to(outside, target_is_directory=True)
    git(repo.path, "add", "-A")
    git(repo.path, "update-index", "--add", "--cacheinfo", f"160000,{repo.v1},sdk/vendor")
    git(repo.path, "commit", "-q", "-m", "links and a submodule")
    git(repo.path, "tag", "links")

    with opened(Path("port"), "links", "Elixir", ELIXIR_SUFFIXES, ELIXIR_SKIPPED_DIRS) as tree:
        directory = tree.directory
        assert os.readlink(directory / "lib/shop/leak.ex") == str(outside / "leak.ex")
        assert os.readlink(directory / "lib/elsewhere") == str(outside)
    with opened(Path("sdk"), "links", "Python", PYTHON_SUFFIXES, PYTHON_SKIPPED_DIRS) as tree:
        assert os.readlink(tree.directory / "shop/leak.py") == str(outside / "leak.py")
        assert not os.path.lexists(tree.directory / "vendor")
    assert not directory.exists()

    result = audit("links", "links")
    assert [entry.pair.name for entry in result.types] == ["Invoice"]
    assert result.python.files == ("shop/__init__.py", "shop/types.py")
    assert result.elixir.files == ("lib/shop/invoice.ex",)


def test_only_what_discovery_may_read_is_written_and_nothing_outside_the_checkout() -> None:
    blob, tree = b"1" * 40, b"2" * 40
    listing = b"\0".join(
        [
            b"040000 tree " + tree + b"\t../",
            b"040000 tree " + tree + b"\t./",
            b"040000 tree " + tree + b"\tpkg",
            b"100644 blob " + blob + b"\tpkg/types.py",
            b"100755 blob " + blob + b"\tpkg/run.py",
            b"100644 blob " + blob + b"\tpkg/notes.md",
            b"120000 blob " + blob + b"\tpkg/link.py",
            b"160000 commit " + blob + b"\tpkg/vendor",
            b"040000 tree " + tree + b"\ttests",
            b"100644 blob " + blob + b"\ttests/test_types.py",
            b"040000 tree " + tree + b"\t.hidden",
            b"100644 blob " + blob + b"\t.hidden/x.py",
            b"100644 blob " + blob + b"\tpkg/../escape.py",
            b"",
        ]
    )
    wanted = _wanted(listing, PYTHON_SUFFIXES, PYTHON_SKIPPED_DIRS)
    assert wanted.directories == ("pkg",)
    assert [(entry.path, entry.is_symlink) for entry in wanted.files] == [
        ("pkg/types.py", False),
        ("pkg/run.py", False),
        ("pkg/link.py", True),
    ]


def test_an_unknown_revision_is_a_usage_error_and_leaves_nothing_behind(repo: Repo, temporary: Path) -> None:
    run = run_cli(repo.path, "sdk", "port", "--python-rev", "v9")
    assert run.returncode == 2
    assert run.stderr == (
        "parity-audit: Cannot audit revision 'v9' of the Python checkout sdk: no such commit in its git repository.\n"
    )
    assert run.stdout == ""
    assert list(temporary.iterdir()) == []
    for not_a_commit in ("HEAD..v1", "v1^{tree}", "HEAD:sdk", "-n", "", "v1\nHEAD"):
        with pytest.raises(UsageError, match="no such commit"):
            audit(python_rev=not_a_commit)


def test_a_revision_of_a_directory_outside_any_repository_is_a_usage_error(tmp_path: Path) -> None:
    write_tree(tmp_path / "plain", {"shop/types.py": MODEL.format(total="int")})
    write_tree(tmp_path / "port", {"lib/shop/invoice.ex": PORT})
    run = run_cli(tmp_path, "plain", "port", "--elixir-rev", "v1")
    assert run.returncode == 2
    assert run.stderr.startswith(
        "parity-audit: Cannot audit revision 'v1' of the Elixir checkout port: it is not in a git repository"
    )
    assert run.stderr.count("\n") == 1 and run.stdout == ""


def test_without_git_a_revision_is_a_usage_error_and_a_work_tree_run_names_no_commit(
    repo: Repo, tmp_path: Path
) -> None:
    no_git = tmp_path / "empty-path"
    no_git.mkdir()
    run = run_cli(repo.path, "sdk", "port", "--python-rev", "v1", PATH=str(no_git))
    assert run.returncode == 2
    assert run.stderr == (
        "parity-audit: Auditing revision 'v1' of the Python checkout sdk needs git, which is not on PATH.\n"
    )
    run = run_cli(repo.path, "sdk", "port", "--format", "json", PATH=str(no_git))
    assert (run.returncode, run.stderr) == (1, "")
    assert '"commit": null' in run.stdout and '"branch": null' in run.stdout


def test_no_temporary_path_reaches_any_output(repo: Repo, tmp_path: Path, temporary: Path) -> None:
    (repo.path / "sdk/shop/bad.py").write_text("class Broken(BaseModel):\n    x: int = = 3\n")
    (repo.path / "port/lib/latin1.ex").write_bytes(b"defmodule L do \xe9 end\n")
    git(repo.path, "add", "-A")
    git(repo.path, "commit", "-q", "-m", "broken files")
    git(repo.path, "tag", "broken")
    text_file = tmp_path / "report.txt"
    revisions = ("--python-rev", "broken", "--elixir-rev", "broken")
    run = run_cli(repo.path, "sdk", "port", *revisions, "--format", "json", "--report", f"text={text_file}")
    assert run.returncode == 1, run.stderr
    diagnostics = {(d["side"], d["path"]) for d in json.loads(run.stdout)["diagnostics"]}
    assert diagnostics == {("python", "shop/bad.py"), ("elixir", "lib/latin1.ex")}
    for output in (run.stdout, run.stderr, text_file.read_text()):
        assert str(temporary) not in output and "parity-audit-" not in output
    assert "sdk @ broken" in text_file.read_text()
    assert list(temporary.iterdir()) == []


def test_a_message_naming_the_temporary_directory_names_the_checkout_instead(repo: Repo) -> None:
    with opened(Path("port"), "v1", "Elixir", ELIXIR_SUFFIXES, ELIXIR_SKIPPED_DIRS) as tree:
        message = f"cannot read file: [Errno 13] Permission denied: '{tree.directory}/lib/a.ex'"
        side = SideModel(str(tree.directory), ("lib/a.ex",), (), (Diagnostic("lib/a.ex", 1, "error", message),))
        named = tree.as_given(side)
    assert named.root == "port"
    assert named.diagnostics == (
        Diagnostic("lib/a.ex", 1, "error", "cannot read file: [Errno 13] Permission denied: 'port/lib/a.ex'"),
    )


def test_a_work_tree_run_names_the_checked_out_commit_and_branch(repo: Repo) -> None:
    result = audit()
    assert result.python_input == Checkout("sdk", None, repo.head, V2_DATE, "main")
    assert result.elixir_input == Checkout("port", None, repo.head, V2_DATE, "main")
    assert text_report.render(result).splitlines()[1] == (
        f"parity-audit {__version__}: sdk on main ({repo.head[:12]}, 2 files, 1 types)"
        f" vs port on main ({repo.head[:12]}, 1 files, 1 types)"
    )


def test_a_detached_head_has_no_branch(repo: Repo) -> None:
    git(repo.path, "checkout", "-q", "--detach", "v1")
    result = audit()
    assert result.python_input == Checkout("sdk", None, repo.v1, V1_DATE, None)
    assert text_report.render(result).splitlines()[1].startswith(
        f"parity-audit {__version__}: sdk ({repo.v1[:12]}, 2 files, 1 types) vs port ("
    )


@pytest.mark.parametrize("kind", ["no repository", "no commit yet", "a .git git cannot read"])
def test_a_work_tree_that_is_no_readable_git_checkout_names_no_commit_and_says_nothing(
    tmp_path: Path, kind: str
) -> None:
    sdk = write_tree(tmp_path / "sdk", {"shop/types.py": MODEL.format(total="int")})
    write_tree(tmp_path / "port", {"lib/shop/invoice.ex": PORT})
    if kind == "no commit yet":
        git(sdk, "init", "-q")
    elif kind == "a .git git cannot read":
        (sdk / ".git").write_text("gitdir: /nonexistent/repository\n")
    run = run_cli(tmp_path, "sdk", "port", "--format", "json")
    assert (run.returncode, run.stderr) == (0, "")
    document = json.loads(run.stdout)
    for side, root in (("python", "sdk"), ("elixir", "port")):
        assert document["inputs"][side] == {
            "root": root,
            "files": 1,
            "types": 1,
            "revision": None,
            "commit": None,
            "commit_date": None,
            "branch": None,
        }


def _entries(cache: Path) -> set[Path]:
    return set(cache.rglob("*.pickle"))


def test_a_revision_run_is_cached_by_content_not_by_its_temporary_directory(repo: Repo, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert findings(audit("v1", cache_dir=cache)) == []
    first = _entries(cache)
    assert findings(audit("v1", cache_dir=cache)) == []
    assert _entries(cache) == first  # the resolved files too were found, not written again under a new key
    assert findings(audit("main", cache_dir=cache)) == [("type-mismatch", "Invoice", "total")]
    assert findings(audit("v1", cache_dir=cache)) == []
    assert findings(audit(cache_dir=cache)) == [("type-mismatch", "Invoice", "total")]


def test_ctrl_c_during_a_revision_run_exits_130_and_removes_its_directory(repo: Repo, temporary: Path) -> None:
    module = (
        "defmodule Big.Type{n} do\n  defstruct [:id, :name, count: 0]\n"
        "  @type t :: %__MODULE__{{id: String.t(), name: String.t() | nil, count: integer()}}\nend\n"
    )
    write_tree(repo.path / "port", {f"lib/big/type{n}.ex": module.format(n=n) * 20 for n in range(600)})
    git(repo.path, "add", "-A")
    git(repo.path, "commit", "-q", "-m", "a big port")
    process = subprocess.Popen(
        [*AUDIT, "sdk", "port", "--elixir-rev", "HEAD", "--no-cache", "--jobs", "1"],
        cwd=repo.path,
        env={**os.environ, **THIS_CHECKOUT},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=with_default_sigint,
    )
    deadline = time.monotonic() + 60
    # The revision's directory exists: the run is reading it out of git, with 600 files still to parse.
    while not any(temporary.iterdir()) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    if process.poll() is not None:
        pytest.fail(f"the run finished before it could be interrupted: {process.communicate()}")
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert (process.returncode, stderr, stdout) == (130, "parity-audit: interrupted\n", "")
    assert list(temporary.iterdir()) == []
