"""The database itself: opening and upgrading it, the tables, the change events and their clock.

Also who this database is (identity, device keys), errors, files and paths, the interface
language, the single-instance lock, backups and the audit log. Everything else in storage/
builds on this package; it imports nothing from its siblings.
"""
