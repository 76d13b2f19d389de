"""The `imports` table: one row per `referwell import`, whose clients carry its id while it runs.

An import writes its clients in bounded batches, each tagged with the import's id
(`clients.import_id`); nobody sees a tagged client (the readers leave them out). The
last transaction clears the tags, so every client of an import appears at once; a
failed import's clients are removed, so an import is all or nothing. `db.imports` does
the work; this module only declares the table.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from referwell.db.base import Base, one_of, utcnow

IMPORT_STATUSES = ("running", "done", "failed")


class ImportRun(Base):
    """One import: who ran it, where (host and process, to tell one still running from
    one killed), when it began, ended and last wrote, how it ended and how many clients
    it wrote. `failed`: its clients are removed (or left for the next clean-up to remove)."""

    __tablename__ = "imports"
    __table_args__ = (
        CheckConstraint(one_of("status", IMPORT_STATUSES), name="status"),
        Index(None, "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="running")
    started_by: Mapped[str] = mapped_column(String(100))  # the OS login that ran it
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When it last committed a batch: a run on another host that stopped beating is gone.
    heartbeat_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    clients: Mapped[int] = mapped_column(Integer, default=0)
