"""Closing a case (退出（销号）) and putting it back on the register (恢复在册), from the resident page's one key; changing
its risk level (r)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from screens.after_save import follow_up, show_follow_up
from screens.dialogs import Choice, ChooseScreen, ConfirmScreen, DayField
from storage.core.i18n import _, join_sentences
from storage.register import referrals, residents, risk
from storage.register.categories import CLOSE_REASONS, RISK_LEVELS, close_reason_for, label, may_age_out
from storage.register.emergencies import latest_finding

if TYPE_CHECKING:
    from screens.host import ScreenHost
    from storage.register.profile import Profile


class CaseActions:
    """ResidentScreen's actions on the case as a whole (it gives the profile shown and the writer)."""

    app: ScreenHost
    profile: Profile | None
    resident_id: str
    _write: Callable[..., Any]

    def action_close_case(self) -> None:
        if self.profile is None:
            return
        r = self.profile.resident
        if r.status == "closed":
            self.action_reopen_case()
            return
        # the storage's rules: an adult, or a child before the month it ages out, is not offered what it refuses
        child = may_age_out(r.categories) and residents.ages_out_later(r.categories, r.birth_date, self.app.today()) is None
        choices = [(_(v), k) for k, v in CLOSE_REASONS.items() if child or k != "aged_out"]

        def chosen(choice: Choice | None) -> None:
            if choice is not None:
                self._write(_("Case closed."), residents.close_case, self.resident_id, choice.code,
                            closed_on=choice.day or self.app.today(), note=choice.reason, today=self.app.today())

        def question(choice: Choice) -> tuple[str, str]:
            """Asked before the dialog closes: Cancel goes back to it, the reason and remark as they were."""
            words = _("Close the case of {name} ({reason})? It leaves the visit lists.").format(
                name=r.name, reason=label(CLOSE_REASONS, choice.code))
            if r.risk_level in ("high", "emergency") and choice.code != "deceased":
                words += "\n\n" + _("Their risk is {level}: no visit will be due once the case is closed.").format(
                    level=label(RISK_LEVELS, r.risk_level))
            still = referrals.still_open_text(self.profile.referrals if self.profile else [])
            if still:  # Home lists a closed case's referrals no more: said before, not found missing after
                words += "\n\n" + join_sentences(still, _("Home no longer lists a closed case's referrals: follow up "
                                                            "on this page until each is closed."))
            return words, _("Close case")

        day = DayField(_("Closed on"), "closed_on", self.app.today(), r.registered_on,
                       residents.closed_before_registered(r.name, r.registered_on) if r.registered_on else "")
        # the remark is the closing's own field (close_note), not a line added to the notes
        self.app.push_screen(ChooseScreen(_("Close the case"), choices, reason_label=_("Remark on closing (optional)"),
                                          reason_required=False, value=close_reason_for(r.categories, self.profile.age),
                                          confirm=question, day=day),
                           chosen)

    def action_reopen_case(self) -> None:
        if self.profile is None or self.profile.resident.status != "closed":
            return

        def reopen(yes: bool | None) -> None:
            if yes:
                self._write(_("Case reopened."), residents.reopen_case, self.resident_id)

        self.app.push_screen(ConfirmScreen(_("Put {name} back on the register? The closing's reason, date and remark "
                                             "are cleared.").format(name=self.profile.resident.name),
                                           yes=_("Put back on the register"), no=_("Cancel")), reopen)

    def action_change_risk(self) -> None:
        if self.profile is None:
            return
        choices = [(_(v), k) for k, v in RISK_LEVELS.items()]

        def chosen(choice: Choice | None) -> None:
            if choice is not None:
                self._write(_("Risk level changed."), self._raise_risk, self.resident_id, choice.code, choice.reason,
                            assessed_on=self.app.today(), today=self.app.today())

        self.app.push_screen(ChooseScreen(_("Change the risk level"), choices, reason_label=_("Reason"),
                                          value=self.profile.resident.risk_level), chosen)

    def _raise_risk(self, db, resident_id: str, level: str, reason: str, **kwargs: Any) -> None:
        """The risk change, and if it raised the level to emergency, the report for the township at once."""
        risk.change_risk(db, resident_id, level, reason, **kwargs)
        finding = latest_finding(db, resident_id, kwargs["assessed_on"]) if level == "emergency" else None
        if finding is not None:
            self.app.call_from_thread(show_follow_up, self.app, follow_up(db, resident_id, finding=finding))
