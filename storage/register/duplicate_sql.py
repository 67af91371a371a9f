"""The pairs of residents that may be one person registered twice: the same ID number, or the same
name, birth date and village with no ID number that says otherwise (storage/register/duplicates.py).

Plain SQL, no imports: Home counts the pairs on the sqlite3 connection of its quick first read.
"""

_PAIRS_BY_ID = """
SELECT a.id, b.id, a.name FROM resident a JOIN resident b
  ON a.id_number = b.id_number AND a.id < b.id
WHERE a.id_number IS NOT NULL AND NOT a.deleted AND NOT b.deleted
  AND a.merged_into IS NULL AND b.merged_into IS NULL
"""
_PAIRS_BY_NAME = """
SELECT a.id, b.id, a.name FROM resident a JOIN resident b
  ON a.name = b.name AND a.birth_date = b.birth_date AND a.id < b.id
 AND coalesce(a.village_code, a.grid_code) = coalesce(b.village_code, b.grid_code)
WHERE NOT a.deleted AND NOT b.deleted AND a.merged_into IS NULL AND b.merged_into IS NULL
  AND (a.id_number IS NULL OR b.id_number IS NULL OR a.id_number = b.id_number)
"""


def count_pairs(conn) -> int:
    """How many distinct pairs the two rules find, on a DB-API connection (sqlite3)."""
    pairs: set[tuple[str, str]] = set()
    for sql in (_PAIRS_BY_ID, _PAIRS_BY_NAME):
        pairs.update((a, b) for a, b, _name in conn.execute(sql).fetchall())
    return len(pairs)
