"""The Sync screen's township key: a worker's database set up without it exports nothing until the
clerk's township-CODE.pub is given (k), here rather than by `gridcare township-key`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.widgets import Input, Static

from storage.core.errors import UserError
from storage.core.i18n import _
from storage.core.township_key import has_township_key

if TYPE_CHECKING:
    from screens.host import ScreenHost


class TownshipKeyActions:
    """Mixed into SyncScreen, which gives `township`, `_folder()` and `_finished()`."""

    app: ScreenHost
    township: bool
    query_one: Callable[..., Any]
    refresh_bindings: Callable[[], None]
    _folder: Callable[[], Path]
    _finished: Callable[[str], None]

    def _missing_key(self) -> bool:
        return not self.township and not has_township_key(getattr(self.app, "identity", None))

    def _show_key_state(self) -> None:
        missing = self._missing_key()
        note = self.query_one("#no-key", Static)
        note.display = missing
        note.update(_("This database has no township key yet, so nothing can be exported. Press k to add the "
                      "township-CODE.pub file the clerk gave you.") if missing else "")
        self.refresh_bindings()

    def action_township_key(self) -> None:
        from screens.path_picker import PathPickerScreen

        def picked(path: Path | None) -> None:
            if path is not None:
                self._add_key(path)

        self.app.push_screen(PathPickerScreen(_("The township's key file (township-CODE.pub)"), self._folder(),
                                              suffixes=(".pub",)), picked)

    @work(thread=True, exclusive=True, exit_on_error=False, group="sync-key")
    def _add_key(self, path: Path) -> None:
        from storage.core.identity import get_identity
        from storage.core.keys import fingerprint
        from storage.core.township_key import set_township_key

        try:
            pub, _changed = set_township_key(self.app.db, path)
        except UserError as exc:
            self.app.call_from_thread(self._finished, str(exc))
            return
        ident = get_identity(self.app.db)

        def done() -> None:
            self.app.identity = ident
            self._show_key_state()
            self.query_one("#folder", Input).focus()  # the next step: where to export to
            self._finished(_("The township key of {township} is now in this database (fingerprint {fp}); exports "
                             "can go to it.").format(township=pub.township_name or pub.township_code,
                                                     fp=fingerprint(pub.sign_public)))

        self.app.call_from_thread(done)
