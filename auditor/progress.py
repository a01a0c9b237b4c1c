"""Files parsed per language, on stderr, for runs long enough to wonder about.

Nothing is shown unless stderr is a terminal, and nothing before the run has taken about a second,
so pipes, JSON and markdown output never see it and quick runs stay quiet.
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

SHOW_AFTER_SECONDS = 1.0


class ProgressListener(Protocol):
    def started(self, language: str, total: int) -> None: ...

    def advanced(self, language: str, count: int) -> None: ...


class TerminalProgress:
    """A rich progress display on stderr that appears once the run passes `SHOW_AFTER_SECONDS`.

    rich is imported only when the display appears: most runs (pipes, CI, quick audits) never show it.
    """

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()
        self.began = time.monotonic()
        self.display: Progress | None = None
        self.totals: dict[str, int] = {}
        self.done: dict[str, int] = {}
        self.tasks: dict[str, TaskID] = {}

    def __enter__(self) -> TerminalProgress:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self.display is not None:
            self.display.stop()

    def _refresh(self) -> None:
        if not self.enabled:
            return
        if self.display is None:
            if time.monotonic() - self.began < SHOW_AFTER_SECONDS:
                return
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.display = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self.display.start()
        for language, total in self.totals.items():
            if language not in self.tasks:
                self.tasks[language] = self.display.add_task(f"{language} files parsed", total=total)
            self.display.update(self.tasks[language], completed=self.done.get(language, 0))

    def started(self, language: str, total: int) -> None:
        self.totals[language] = total
        self._refresh()

    def advanced(self, language: str, count: int) -> None:
        self.done[language] = self.done.get(language, 0) + count
        self._refresh()
