"""Whether a visit reached the person: the rule for visits recorded before the app asked.

Until schema 4 a visit recorded only "resident seen" (见到本人), and the form asked it for
every method. On a phone call nobody is seen, so an honest worker left it unticked even
when they spoke with the person. From schema 4 every visit records `contact_made`: seen
in person on a home visit (见到本人), spoken with on a phone or video call (联系到本人),
never on a visit learnt through someone else.

A visit whose events never set `contact_made` (an old database, or an old bundle merged
later) takes it from what it did record — the same rule in the upgrade step (SQL) and
when its events are folded (Python), so every database holding the same events agrees:

* home visit: contact made = resident seen;
* phone or video call: resident seen, or else the call was with the person themself:
  "met with" left empty or naming 本人. A call recorded as with someone else (家属, 邻居,
  the guardian of a child) did not reach the person;
* through someone else (proxy), or anything unknown: no contact.
"""

from __future__ import annotations

from typing import Any

REMOTE = ("phone", "video")
SELF = "本人"  # what the form's "met with" holds when the worker spoke with the person themself


def legacy_contact(method: Any, resident_seen: Any, met_with: Any) -> bool:
    if method == "home":
        return bool(resident_seen)
    if method in REMOTE:
        met = str(met_with or "").strip(" ")  # as SQL's trim(): spaces only
        return bool(resident_seen) or not met or SELF in met
    return False


# the same rule over a visit row in SQL (v.* columns), for the schema upgrade
LEGACY_CONTACT_SQL = (
    "CASE WHEN method = 'home' THEN coalesce(resident_seen, 0) != 0"
    " WHEN method IN ('phone', 'video') THEN coalesce(resident_seen, 0) != 0"
    f" OR trim(coalesce(met_with, '')) = '' OR instr(met_with, '{SELF}') > 0"
    " ELSE 0 END"
)
# the same on PostgreSQL (boolean columns, strpos for instr)
LEGACY_CONTACT_SQL_PG = (
    "CASE WHEN method = 'home' THEN coalesce(resident_seen, false)"
    " WHEN method IN ('phone', 'video') THEN coalesce(resident_seen, false)"
    f" OR trim(coalesce(met_with, '')) = '' OR strpos(met_with, '{SELF}') > 0"
    " ELSE false END"
)
