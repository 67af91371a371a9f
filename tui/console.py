"""The console the commands print their tables on."""

from __future__ import annotations

from rich.console import Console


class CliConsole(Console):
    """Rich's console, except when the reader goes away (`gridcare report | head`): Rich's own answer is
    SystemExit(1), a failure to a script; BrokenPipeError instead reaches tui/cli.py, which exits 0 as for any
    other command's output (not an error of ours)."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError
