"""The engine's spelling of what the register's search needs: SQLite's, or PostgreSQL's on a county's server
(storage/register/search.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EngineSql:
    """The engine's spelling of what the search needs (SQLite's, or PostgreSQL's)."""

    pg: bool = False

    def scan(self, column: str, param: str) -> str:
        """`column` contains the text of `param`, as a stage that scans."""
        if self.pg:
            return f"strpos(r.{column}, :{param}) > 0"
        return f"r.rowid IN (SELECT rowid FROM resident WHERE instr({column}, :{param}) > 0)"

    def other_reading(self, param: str, spelled: tuple[str, str] | None = None) -> str:
        """A name's other readings' initials ("zs cs") hold `param` (" cs"), or (`spelled`: a parameter and a condition
        on r.name) hold that one and the name meets the condition: the names with several readings read once for both
        (twice, one stage each, took most of a whole-name keystroke on a county's server)."""
        if self.pg:
            return f"strpos(r.name_initials, ' ') > 0 AND {self._holds('r.name_initials', param, spelled)}"
        inner = f"instr(name_initials, :{param}) > 0"
        if not spelled:
            return f"r.rowid IN (SELECT rowid FROM resident WHERE instr(name_initials, ' ') > 0 AND {inner})"
        # the name judged outside: inside, it made the partial index's covering scan read a table row per name
        either = f"{inner} OR instr(name_initials, :{spelled[0]}) > 0"
        return (f"r.rowid IN (SELECT rowid FROM resident WHERE instr(name_initials, ' ') > 0 AND ({either}))"
                f" AND {self._holds('r.name_initials', param, spelled)}")

    def _holds(self, column: str, param: str, spelled: tuple[str, str] | None) -> str:
        fn = "strpos" if self.pg else "instr"
        holds = f"{fn}({column}, :{param}) > 0"
        return f"({holds} OR ({fn}({column}, :{spelled[0]}) > 0 AND {spelled[1]}))" if spelled else holds

    def col(self, column: str) -> str:
        """A text column compared or sorted byte by byte (SQLite's BINARY; PostgreSQL's "C")."""
        return f'{column} COLLATE "C"' if self.pg else column

    def order(self, order: str) -> str:
        if not self.pg:
            return order
        return ", ".join(self._order_term(c.strip()) for c in order.split(","))

    def _order_term(self, term: str) -> str:
        column = term.lstrip("+")
        if column == "r.id":
            return column
        if term.startswith("+"):  # SQLite's unary "+" (an order no index holds): here `|| ''` does the same
            return f'({column} || \'\') COLLATE "C"'
        return self.col(column)

    def json_text(self, column: str) -> str:
        return f"CAST({column} AS text)" if self.pg else column
