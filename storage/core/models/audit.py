"""The audit log: local, never synced."""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from storage.core.models.columns import instant_field


class AuditEntry(SQLModel, table=True):
    """Who exported, merged, reported, backed up or restored what, and when."""

    __tablename__ = "audit_log"

    id: Optional[int] = Field(default=None, primary_key=True)
    at: dt.datetime = instant_field(nullable=False)
    actor: str = ""
    action: str
    file: str = ""
    counts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
