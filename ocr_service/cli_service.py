"""Service commands: `serve`, `worker` and `keys`. The lead's `cli.py` calls `register(app)`."""
from __future__ import annotations

import datetime as dt
import os
import socket
from typing import Annotated, Optional

import typer

from ocr_service.storage.context import Services, ServiceSettings, service_settings


def _services() -> Services:
    from ocr_service.logging import configure

    settings = service_settings()
    configure(settings.log_level)
    services = Services(settings)
    services.db.migrate()
    return services


def serve(host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
          workers: Annotated[Optional[int], typer.Option(
              "--workers", "-w", min=0, help="Local worker processes in the embedded mode "
              "(default CLEARDOCKET_WORKERS; 0: one per core).")] = None,
          api_workers: Annotated[Optional[int], typer.Option(
              "--api-workers", min=1, help="API processes (uvicorn's own workers, sharing the port; default "
              "CLEARDOCKET_API_WORKERS, 1). More than one needs PostgreSQL to be worth it.")] = None) -> None:
    """Run the API and, in the embedded default, the local workers (SQLite and files under CLEARDOCKET_DATA_DIR)."""
    import uvicorn

    from ocr_service.api.app import create_app
    from ocr_service.logging import event
    from ocr_service.workers.local import LocalPool

    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    services = _services()
    settings = services.settings
    if workers is None:
        workers = settings.workers
    pool = None
    if not settings.distributed:
        pool = LocalPool(settings, workers or os.cpu_count() or 1)
        pool.start()
    import logging

    api_workers = api_workers or settings.api_workers
    event(logging.getLogger("cleardocket.api"), "service.starting", host=host, port=port,
          mode="distributed" if settings.distributed else "embedded", workers=pool.n if pool else 0,
          api_workers=api_workers)
    # one API process runs the app made here; several are started by uvicorn (a supervisor that
    # restarts a dead one), each making its app from the same environment
    app = create_app(settings) if api_workers == 1 else "ocr_service.api.app:app_from_environment"
    try:
        uvicorn.run(app, factory=api_workers > 1, workers=api_workers, host=host, port=port, log_config=None,
                    access_log=False, timeout_graceful_shutdown=10)
    finally:
        if pool is not None:
            pool.stop()


def worker(concurrency: Annotated[int, typer.Option("--concurrency", "-c", min=1,
                                                    help="Documents at once in this worker (processes).")] = 1
           ) -> None:
    """Run a Celery worker for the distributed mode (needs CLEARDOCKET_DATABASE_URL and CLEARDOCKET_BROKER_URL)."""
    settings = service_settings()
    if not settings.distributed or not settings.database_url:
        typer.echo("cleardocket worker needs CLEARDOCKET_BROKER_URL (Redis) and CLEARDOCKET_DATABASE_URL "
                   "(PostgreSQL); the embedded mode runs its workers inside `cleardocket serve`.", err=True)
        raise typer.Exit(2)
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    _services()
    from ocr_service.workers.celery_app import QUEUE, app

    app.worker_main(["worker", "-Q", QUEUE, "--concurrency", str(concurrency),
                     "--pool", "solo" if concurrency == 1 else "prefork",
                     "--loglevel", settings.log_level, "-n", f"cleardocket-{os.getpid()}@{socket.gethostname()}",
                     "--without-gossip", "--without-mingle", "--without-heartbeat"])


keys = typer.Typer(help="API keys: create (shown once), list, revoke.", no_args_is_help=True)


@keys.command("create")
def keys_create(role: Annotated[str, typer.Option(help="uploader, reviewer, reader or admin.")],
                name: Annotated[str, typer.Option(help="Who or what holds the key.")]) -> None:
    """Create a key and print it once, alone on the last line."""
    from ocr_service import audit
    from ocr_service.auth import ROLES, create_key
    from ocr_service.storage import repo

    if role not in ROLES:
        raise typer.BadParameter(f"role must be one of {', '.join(ROLES)}", param_hint="--role")
    if not name.strip():
        raise typer.BadParameter("a key needs a name", param_hint="--name")
    services = _services()
    with services.db.write() as s:
        new = create_key(s, role=role, name=name)
        k = repo.get_key(s, key_id=new.principal.key_id)
        audit.record(s, who=None, action=audit.KEY_CREATE, target=k.id, after=audit.key_snapshot(k))
    typer.echo(f"# key {k.id} for {k.name} ({k.role}); it is shown only now:")
    typer.echo(new.token)


@keys.command("list")
def keys_list() -> None:
    """List keys: id, role, name, created, revoked."""
    from ocr_service.storage import repo

    with _services().db.read() as s:
        rows = repo.list_keys(s)
    for k in rows:
        revoked = k.revoked_at.isoformat(timespec="seconds") if k.revoked_at else "-"
        typer.echo(f"{k.id}\t{k.role}\t{k.name}\t{k.created_at.isoformat(timespec='seconds')}\trevoked:{revoked}")


@keys.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(help="The key id (from `keys list`).")]) -> None:
    """Revoke a key; running API processes refuse it within CLEARDOCKET_KEY_CACHE_SECONDS (30 s)."""
    from ocr_service import audit
    from ocr_service.storage import repo

    services = _services()
    with services.db.write() as s:
        before = repo.get_key(s, key_id=key_id)
        if before is None:
            typer.echo(f"no key {key_id}", err=True)
            raise typer.Exit(1)
        k = repo.revoke_key(s, key_id=key_id, now=dt.datetime.now(dt.timezone.utc))
        audit.record(s, who=None, action=audit.KEY_REVOKE, target=key_id, before=audit.key_snapshot(before),
                     after=audit.key_snapshot(k))
    typer.echo(f"revoked {key_id}")


def register(app: typer.Typer) -> None:
    """Add `serve`, `worker` and `keys` to the product's command line."""
    app.command()(serve)
    app.command()(worker)
    app.add_typer(keys, name="keys")


def main() -> None:
    """Stand-alone entry (`python -m ocr_service.cli_service`) until the lead's cli.py registers these."""
    app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
    register(app)
    app()


if __name__ == "__main__":
    main()

__all__ = ["register", "ServiceSettings"]
