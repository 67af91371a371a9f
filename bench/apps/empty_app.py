"""Floor: a bare Textual app (optionally with a 1,000-row DataTable), writes a marker after its first paint."""

import os
import sys
import time

if os.environ.get("BENCH_STACK"):  # the same libraries gridcare imports first
    import babel.dates  # noqa: F401
    import sqlmodel  # noqa: F401

from proc_status import rss_bytes  # beside this file
from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header


class Empty(App):
    def compose(self) -> ComposeResult:
        yield Header()
        if os.environ.get("BENCH_TABLE"):
            yield DataTable()
        yield Footer()

    def on_mount(self) -> None:
        if os.environ.get("BENCH_TABLE"):
            table = self.query_one(DataTable)
            table.add_columns("姓名", "身份证号", "类别", "风险")
            table.add_rows([(f"张{i}", f"3301**********{i:04d}", "独居老人", "低") for i in range(1000)])
        self.call_after_refresh(self._painted)

    def _painted(self) -> None:
        with open(sys.argv[1], "a", encoding="utf-8") as fh:
            fh.write(f"paint {time.time()} {rss_bytes()}\n")
            fh.write(f"data {time.time()} {rss_bytes()}\n")
        self.exit()


if __name__ == "__main__":
    Empty().run()
