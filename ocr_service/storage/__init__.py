"""All SQL of the service: tables, migrations, engine and the queries (`repo`)."""
from ocr_service.storage import repo
from ocr_service.storage.db import Database, database_url

__all__ = ["Database", "database_url", "repo"]
