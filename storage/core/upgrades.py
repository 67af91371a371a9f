"""Schema upgrades: the ordered steps that take a database from one version to the next.

Each step runs on a SQLAlchemy connection inside the upgrade's one transaction (storage/core/db.py
runs them, after copying a file aside), and its SQL runs on SQLite and on PostgreSQL alike. A
step that adds a column checks first (an interrupted upgrade of an old release may have added it);
a step that adds a table names it in ADDED_TABLES, so a database that lacks any other table is
known to be damaged rather than given an empty one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection


def _columns(conn: Connection, table: str) -> set[str]:
    from sqlalchemy import inspect

    return {c["name"] for c in inspect(conn).get_columns(table)}


def reverse_function(conn: Connection) -> str:
    """The SQL function that reverses a text: PostgreSQL's own, or the one each SQLite connection registers."""
    return "reverse_text" if conn.dialect.name == "sqlite" else "reverse"


def _upgrade_1_to_2(conn: Connection) -> None:
    # v2 keeps the reversed ID number so that "last digits" search is an index prefix
    if "id_rev" not in _columns(conn, "resident"):
        conn.exec_driver_sql("ALTER TABLE resident ADD COLUMN id_rev VARCHAR")
    conn.exec_driver_sql(f"UPDATE resident SET id_rev = {reverse_function(conn)}(id_number) WHERE id_number IS NOT NULL")
    conn.exec_driver_sql("CREATE INDEX IF NOT EXISTS ix_resident_id_rev ON resident (id_rev)")


def _upgrade_2_to_3(conn: Connection) -> None:
    # v3 keeps the private keys out of the database, in <database>.keys (storage/core/private_keys.py);
    # a server database never held them
    if conn.dialect.name == "sqlite":
        from storage.core.private_keys import move_out_of_database

        raw = conn.connection.driver_connection
        assert raw is not None  # the upgrade's connection, in its transaction
        move_out_of_database(raw)


def _upgrade_3_to_4(conn: Connection) -> None:
    # v4 records whether a visit reached the person (见到本人 / 联系到本人); older visits take it from
    # what they recorded, by the rule the fold of their events applies too (storage/core/visit_contact.py)
    from storage.core.visit_contact import LEGACY_CONTACT_SQL, LEGACY_CONTACT_SQL_PG

    if "contact_made" not in _columns(conn, "visit"):
        conn.exec_driver_sql("ALTER TABLE visit ADD COLUMN contact_made BOOLEAN")
    rule = LEGACY_CONTACT_SQL if conn.dialect.name == "sqlite" else LEGACY_CONTACT_SQL_PG
    conn.exec_driver_sql(f"UPDATE visit SET contact_made = {rule} WHERE contact_made IS NULL")


def _add_columns(conn: Connection, table: str, columns: dict[str, str]) -> None:
    present = _columns(conn, table)
    for name, ddl in columns.items():
        if name not in present:
            conn.exec_driver_sql(f'ALTER TABLE {table} ADD COLUMN "{name}" {ddl}')  # quoted: `full` is a keyword


def _create_tables(conn: Connection, names: tuple[str, ...]) -> None:
    """Tables an upgrade step adds, with the DDL SQLAlchemy gives a new database (so both match)."""
    from sqlalchemy.schema import CreateIndex, CreateTable
    from sqlmodel import SQLModel

    import storage.core.models  # noqa: F401  (registers the tables)

    for name in names:
        table = SQLModel.metadata.tables[name]
        conn.exec_driver_sql(str(CreateTable(table, if_not_exists=True).compile(dialect=conn.dialect)))
        for index in table.indexes:
            conn.exec_driver_sql(str(CreateIndex(index, if_not_exists=True).compile(dialect=conn.dialect)))


def _upgrade_4_to_5(conn: Connection) -> None:
    # v5 enrolls devices. The devices a township registered by trust on first use stay trusted,
    # approved for the grid they claimed: an upgrade must not lock the real workers out.
    _add_columns(conn, "device", {"status": "VARCHAR NOT NULL DEFAULT 'approved'",
                                  "enrolled_by": "VARCHAR NOT NULL DEFAULT ''", "revoked_at": "VARCHAR"})
    conn.exec_driver_sql("UPDATE device SET status = 'approved', enrolled_by = 'first use' WHERE enrolled_by = ''")
    _add_columns(conn, "identity", {"enroll_proof": "VARCHAR NOT NULL DEFAULT ''"})
    _create_tables(conn, ADDED_TABLES[5])


def _upgrade_5_to_6(conn: Connection) -> None:
    # v6 (issue #15): the resident's paired helper, and benefit records (each status period one record)
    _add_columns(conn, "resident", {"helper_name": "VARCHAR NOT NULL DEFAULT ''",
                                    "helper_phone": "VARCHAR NOT NULL DEFAULT ''",
                                    "helper_unit": "VARCHAR NOT NULL DEFAULT ''", "helper_since": "DATE"})
    _create_tables(conn, ADDED_TABLES[6])


def _upgrade_6_to_7(conn: Connection) -> None:
    # v7: referrals name the level and office they go to and a follow-up deadline; the six-dimension
    # assessment and the township's acknowledgement of emergencies are tables of their own; two indexes
    # find emergencies without reading a month of visits (storage/register/emergencies.py)
    _add_columns(conn, "referral", {"level": "VARCHAR", "department": "VARCHAR NOT NULL DEFAULT ''", "due_on": "DATE"})
    _create_tables(conn, ADDED_TABLES[7])
    _create_indexes(conn, {"risk_assessment": ("ix_risk_level",), "visit": ("ix_visit_mandatory",)})


def _create_indexes(conn: Connection, wanted: dict[str, tuple[str, ...]]) -> None:
    """Indexes an upgrade step adds to existing tables, with the DDL a new database gets (each engine's own
    partial-index condition)."""
    from sqlalchemy.schema import CreateIndex
    from sqlmodel import SQLModel

    import storage.core.models  # noqa: F401  (registers the tables)

    for table, names in wanted.items():
        for index in SQLModel.metadata.tables[table].indexes:
            if index.name in names:
                conn.exec_driver_sql(str(CreateIndex(index, if_not_exists=True).compile(dialect=conn.dialect)))


def _upgrade_7_to_8(conn: Connection) -> None:
    # v8 remembers bundles refused for what they hold, by checksum (models.BundleRefused, issue #19)
    _create_tables(conn, ADDED_TABLES[8])


# v9: the county level (a county database's code and name; a township's county and its public key,
# and the numbered bundles it sent the county)
_COUNTY_COLUMNS = ("county_code", "county_name", "county_age_recipient", "county_sign_public")


def _upgrade_8_to_9(conn: Connection) -> None:
    _add_columns(conn, "identity", {name: "VARCHAR NOT NULL DEFAULT ''" for name in _COUNTY_COLUMNS})
    _create_tables(conn, ADDED_TABLES[9])


def _upgrade_9_to_10(conn: Connection) -> None:
    # v10: a case's closing remark has a field of its own (before, close_case appended it to the notes).
    # Remarks already appended stay in the notes: which line of a note was a closing remark is not
    # recorded anywhere, and moving a line the worker wrote themselves would lose it from 备注.
    _add_columns(conn, "resident", {"close_note": "VARCHAR NOT NULL DEFAULT ''"})


def _upgrade_10_to_11(conn: Connection) -> None:
    # v11: a grid carries its village's name as its worker gave it (the village record stays on the worker's
    # laptop, and the township showed the bare code). A state column only, set by events: a worker's laptop
    # writes the event for a village set before in its next export (storage/register/villages.py
    # carry_village_name); until it arrives, the township shows the code as before.
    _add_columns(conn, "grid", {"village_name": "VARCHAR NOT NULL DEFAULT ''"})


def _upgrade_11_to_12(conn: Connection) -> None:
    # v12: a visit deleted says why, and so do the referral and the assessment deleted with it
    # (storage/register/visit_delete.py): the reason travels in the deletion's event, as a closing's remark does
    for table in ("visit", "referral", "assessment"):
        _add_columns(conn, table, {"delete_reason": "VARCHAR NOT NULL DEFAULT ''"})


def _upgrade_12_to_13(conn: Connection) -> None:
    # v13: a bundle received remembers whether it was a full one, which closes the gaps below its number (a lost
    # bundle stayed named missing after the worker sent everything again). Bundles received before are taken as
    # incremental: their files are not kept, so what they were is not known. The register finds the merged
    # duplicates by an index (their visits count for the record they were merged into, as on Home).
    _add_columns(conn, "bundle_received", {"full": "BOOLEAN NOT NULL DEFAULT false"})
    _create_indexes(conn, {"resident": ("ix_resident_merged",)})


def _upgrade_13_to_14(conn: Connection) -> None:
    # v14: a past month's report finds the residents moved since its day by the clock of their events
    # (storage/register/placed.py); an index only, no data changes
    _create_indexes(conn, {"event": ("ix_event_resident_clock",)})


def _upgrade_14_to_15(conn: Connection) -> None:
    # v15: on a server, the register's order and its search's prefix stages have indexes byte by byte (models.Resident
    # ix_resident_browse and ix_resident_*_c); nothing on SQLite, whose indexes serve them already
    from storage.core.models.records import SEARCH_ORDERS

    if conn.dialect.name == "postgresql":
        _create_indexes(conn, {"resident": ("ix_resident_browse", *(f"ix_resident_{n}_c" for n in SEARCH_ORDERS))})


def _upgrade_15_to_16(conn: Connection) -> None:
    # v16: a child is found by the guardian's phone (storage/register/search_stages.py) through an index of the
    # guardians' phones; an index only, no data changes
    _create_indexes(conn, {"resident": ("ix_resident_guardian_phone",)})


def _upgrade_16_to_17(conn: Connection) -> None:
    # v17: the names with more than one reading have an index of their own, which the search's scan of the other
    # readings reads; on a server, a phone's tail and a guardian's number have indexes of their own too
    # (models.Resident PG_PHONE_INDEXES; on SQLite the scans of the phones' indexes take a few ms). Indexes only.
    from storage.core.models.records import PG_PHONE_INDEXES

    _create_indexes(conn, {"resident": ("ix_resident_initials_other",)})
    if conn.dialect.name == "postgresql":
        _create_indexes(conn, {"resident": tuple(f"ix_resident_{name}_c" for name, _e, _w in PG_PHONE_INDEXES)})


# Ordered upgrade steps: UPGRADES[n] takes a database from version n to n + 1, on a SQLAlchemy
# connection inside the upgrade's transaction; a step's SQL must run on SQLite and on PostgreSQL.
UPGRADES: dict[int, Callable[[Connection], None]] = {
    1: _upgrade_1_to_2, 2: _upgrade_2_to_3, 3: _upgrade_3_to_4, 4: _upgrade_4_to_5, 5: _upgrade_5_to_6,
    6: _upgrade_6_to_7, 7: _upgrade_7_to_8, 8: _upgrade_8_to_9, 9: _upgrade_9_to_10, 10: _upgrade_10_to_11,
    11: _upgrade_11_to_12, 12: _upgrade_12_to_13, 13: _upgrade_13_to_14,
    14: _upgrade_14_to_15, 15: _upgrade_15_to_16, 16: _upgrade_16_to_17,
}
# Tables that an upgrade step creates, by the version that has them first. Every other table
# must be in a database already: a missing one means a damaged database, never one to create empty.
ADDED_TABLES: dict[int, tuple[str, ...]] = {5: ("enrollment", "device_request"), 6: ("benefit",),
                                            7: ("assessment", "emergency_ack"), 8: ("bundle_refused",),
                                            9: ("county_export",)}
