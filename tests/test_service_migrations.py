"""The Alembic migrations make the tables the models describe (indexes included), on SQLite and PostgreSQL."""
from __future__ import annotations

from contextlib import nullcontext

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ocr_service.storage.db import Database, database_url
from ocr_service.storage.models import Base
from tests.test_service_support import fresh_pg_database



@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migrated_schema_matches_the_models(backend, tmp_path):
    with (fresh_pg_database() if backend == "postgresql" else nullcontext()) as pg_url:
        db = Database(database_url(data_dir=tmp_path, database_url=pg_url))
        try:
            db.migrate()
            with db.engine.connect() as conn:
                diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
                indexes = {ix["name"] for ix in __import__("sqlalchemy").inspect(conn).get_indexes("cases")}
        finally:
            db.dispose()
    # type-only differences (SQLite has no zone-aware timestamp) are not what this test is about
    assert [d for d in diff if d[0] in ("add_index", "remove_index", "add_table", "remove_table",
                                        "add_column", "remove_column")] == []
    assert {"ix_cases_created_at_id", "ix_cases_outcome_created_at_id", "ix_cases_review_created_at_id"} <= indexes
