"""Workers: one job function (`jobs.run_document`), run by local processes or by Celery tasks."""
