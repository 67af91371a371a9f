"""Conflicts: a field two people edited without seeing each other's edit, derived from the change log."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from storage.core.models.columns import clock_field


class Conflict(SQLModel, table=True):
    """A field two people edited without seeing each other's edit (derived)."""

    __tablename__ = "conflict"
    __table_args__ = (Index("ix_conflict_record", "record_type", "record_id"),)

    id: str = Field(primary_key=True)  # record_type:record_id:field:loser event
    record_type: str
    record_id: str
    field: str
    winner_event: str
    winner_value: Any = Field(default=None, sa_column=Column(JSON))
    winner_author: str = ""
    winner_device: str = ""
    winner_hlc: int = clock_field(default=0)
    loser_event: str
    loser_value: Any = Field(default=None, sa_column=Column(JSON))
    loser_author: str = ""
    loser_device: str = ""
    loser_hlc: int = clock_field(default=0)
