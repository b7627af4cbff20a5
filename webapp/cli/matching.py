"""`flask --app webapp matching train|refresh|status`: the ranker from the command line."""

from __future__ import annotations

import time

import click
import redis
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select
from tqdm import tqdm

from webapp.config import Settings
from webapp.models import EmailDelivery, JobRun, ModelVersion, utcnow
from webapp.models.enums import JobKind, JobStatus
from webapp.services.common.health import WORKER_HEARTBEAT_PREFIX, broker_client
from webapp.services.outbox import jobs
from webapp.services.outbox.relay import pending_count
from webapp.services.ranking import model_registry, refresh, scoring_full

group = click.Group("matching", help="Train the ranker, refresh every match list, show status.")

TRAIN_STEPS = ("reading", "training", "saving", "model")


def _engine() -> Engine:
    engine: Engine = current_app.extensions["venturematch.engine"]
    return engine


def _settings() -> Settings:
    settings: Settings = current_app.extensions["venturematch.settings"]
    return settings


@group.command("train")
@click.option("--no-refresh", is_flag=True, help="Do not queue a full refresh after promotion.")
@with_appcontext
def train(no_refresh: bool) -> None:
    """Train a model on the platform's outcomes; promote it if it is no worse."""
    with (
        Session(_engine(), expire_on_commit=False) as session,
        tqdm(total=len(TRAIN_STEPS), desc="train", unit="step") as bar,
    ):

        def progress(message: str) -> None:
            bar.set_postfix_str(message[:60])
            bar.update(1)

        outcome = model_registry.train_and_promote(
            session=session, settings=_settings(), progress=progress
        )
        if outcome.version is None:
            raise click.ClickException(outcome.reason)
        queued = ""
        if outcome.promoted and not no_refresh:
            job = refresh.request_full_refresh(session=session, reason=f"model {outcome.version}")
            queued = f"; full refresh queued as job {job.id}"
    figures = ", ".join(
        f"{name}={outcome.metrics[name]:.3f}"
        for name in model_registry.PROMOTION_METRICS
        if name in outcome.metrics
    )
    if figures:
        figures = f"; {figures} (held-back outcomes, on sampled negatives)"
    state = "promoted" if outcome.promoted else "not promoted"
    click.echo(f"model {outcome.version}: {state} ({outcome.reason}){figures}{queued}")


@group.command("refresh")
@click.option(
    "--via-workers", is_flag=True, help="Queue it for the workers and follow its progress."
)
@with_appcontext
def refresh_all(via_workers: bool) -> None:
    """Rescore every published venture against every active investor and store the lists."""
    settings = _settings()
    with Session(_engine(), expire_on_commit=False) as session:
        if via_workers:
            job = refresh.request_full_refresh(session=session, reason="command line")
            _follow(session, job)
            return
        job = jobs.create(session=session, kind=JobKind.FULL_REFRESH, params={"reason": "cli"})
        assert job.id is not None
        snapshot = utcnow()
        chunks = scoring_full.plan_chunks(session=session)
        total = sum(len(c) for c in chunks)
        jobs.start(session=session, job_id=job.id, total=total, message="scoring (command line)")
        parts = []
        try:
            with tqdm(total=total, desc="score", unit="venture") as bar:
                for index, ids in enumerate(chunks):
                    parts.append(
                        scoring_full.compute_chunk(
                            session=session, settings=settings, venture_ids=ids,
                            index=index, progress=bar.update,
                        )
                    )  # fmt: skip
                    jobs.advance(session=session, job_id=job.id, by=len(ids))
            click.echo("saving the lists…")
            stats = scoring_full.write_full_refresh(
                session=session, settings=settings, parts=parts, snapshot_at=snapshot
            )
        except Exception as exc:
            session.rollback()
            jobs.fail(session=session, job_id=job.id, error=f"{type(exc).__name__}: {exc}")
            raise
        jobs.finish(
            session=session,
            job_id=job.id,
            result={"ventures": stats.ventures, "rows": stats.rows},
            message=f"{stats.rows} list entries saved",
        )
    click.echo(
        f"refreshed {stats.ventures} ventures × {stats.investors} investors: {stats.rows} "
        f"list entries (model {stats.model_version})"
    )


def _follow(session: Session, job: JobRun) -> None:
    """Show a queued job's progress until it ends."""
    assert job.id is not None
    with tqdm(desc=f"job {job.id}", unit="venture") as bar:
        while True:
            current = jobs.get(session=session, job_id=job.id)
            session.rollback()
            if current is None:
                raise click.ClickException(f"job {job.id} disappeared")
            bar.total = current.total or None
            bar.n = current.done
            bar.set_postfix_str((current.message or current.status)[:60])
            bar.refresh()
            if current.status == JobStatus.FAILED.value:
                raise click.ClickException(f"job {job.id} failed: {current.error}")
            if current.status == JobStatus.SUCCEEDED.value:
                break
            time.sleep(0.5)
    click.echo(f"job {job.id} finished: {current.message}")


@group.command("status")
@with_appcontext
def status() -> None:
    """Active model, last jobs, outbox backlog, email deliveries and live workers."""
    with Session(_engine()) as session:
        active = session.exec(
            select(ModelVersion).where(col(ModelVersion.active) == True)  # noqa: E712
        ).first()
        if active is None:
            click.echo("model: none promoted (the prior weights are scoring)")
        else:
            figures = ", ".join(f"{k}={v:.3f}" for k, v in sorted(active.metrics.items()))
            click.echo(
                f"model: {active.version} trained {active.trained_at:%Y-%m-%d %H:%M} ({figures})"
            )
        for kind in (JobKind.FULL_REFRESH, JobKind.RETRAIN):
            job = jobs.latest(session=session, kind=kind)
            if job is None:
                click.echo(f"{kind.value}: never run")
            else:
                click.echo(
                    f"{kind.value}: job {job.id} {job.status}, {job.done}/{job.total} "
                    f"({jobs.progress(job):.0%}) {job.message or ''}".rstrip()
                )
        click.echo(f"outbox: {pending_count(session=session)} events waiting")
        by_status = session.exec(
            select(EmailDelivery.status, func.count()).group_by(col(EmailDelivery.status))
        ).all()
        click.echo("emails: " + (", ".join(f"{n} {s}" for s, n in by_status) or "none"))
    click.echo(f"workers: {_live_workers(_settings())}")


def _live_workers(settings: Settings) -> str:
    client = broker_client(settings.redis_url)
    if client is None:
        return "unknown (REDIS_URL not set)"
    try:
        return str(sum(1 for _ in client.scan_iter(match=f"{WORKER_HEARTBEAT_PREFIX}*")))
    except redis.RedisError as exc:
        return f"unknown (broker unreachable: {exc})"
    finally:
        client.close()
