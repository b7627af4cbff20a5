"""The relay's dispatch: turn an outbox event into the Celery tasks that act on it.

Each task gets the event id (`event_id=`) and its place in the plan (`outbox_part=`), and its
message id is derived from them and the hand-out number. A hand-out after the first publishes
only the tasks still owed. An event whose kind is unknown or whose payload
cannot be read raises `Undeliverable`: the relay records it as dead instead of retrying.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from celery import Celery
from sqlmodel import Session

from webapp.models import OutboxEvent
from webapp.services.outbox import outbox
from webapp.services.outbox.relay import Undeliverable, relay_pending
from workers.base import OUTBOX_PART

# Publishing gives up quickly when Redis is away: the event stays pending for the next pass.
PUBLISH_RETRY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}

Plan = list[tuple[str, dict[str, Any]]]  # (task name, kwargs)


def _int(payload: dict[str, Any], key: str) -> int:
    value = payload.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise Undeliverable(f"payload field {key!r} is {value!r}; expected an integer id")
    return value


def _plan(event: OutboxEvent) -> Plan:
    payload = event.payload if isinstance(event.payload, dict) else {}
    kind = event.kind
    if kind == outbox.VENTURE_CHANGED:
        return [
            ("workers.tasks.scoring.refresh_venture", {"venture_id": _int(payload, "venture_id")})
        ]
    if kind == outbox.VENTURE_DELETED:
        _int(payload, "venture_id")
        return [("workers.tasks.scoring.repair_lists", {})]
    if kind == outbox.INVESTOR_CHANGED:
        return [
            (
                "workers.tasks.scoring.refresh_investor",
                {"investor_id": _int(payload, "investor_id")},
            )
        ]
    if kind == outbox.FEEDBACK_GIVEN:
        venture_id, investor_id = _int(payload, "venture_id"), _int(payload, "investor_id")
        plan: Plan = [
            (
                "workers.tasks.scoring.refresh_venture",
                {"venture_id": venture_id, "announce": False},
            ),
            ("workers.tasks.maintenance.retrain_if_due", {}),
        ]
        if payload.get("action") == "shortlist":
            plan.append(("workers.tasks.notifications.announce_shortlist",
                         {"venture_id": venture_id, "investor_id": investor_id}))  # fmt: skip
        return plan
    if kind in (outbox.INTRODUCTION_REQUESTED, outbox.INTRODUCTION_ANSWERED):
        intro = _int(payload, "introduction_id")
        # The announcement names the event, never the introduction's status at delivery: a
        # request delivered after the answer is still the request (its own dedupe key).
        status = "requested" if kind == outbox.INTRODUCTION_REQUESTED else payload.get("status")
        if not isinstance(status, str) or not status:
            raise Undeliverable(f"payload field 'status' is {status!r}; expected the answer")
        return [("workers.tasks.notifications.announce_introduction",
                 {"introduction_id": intro, "status": status})]  # fmt: skip
    if kind == outbox.DEAL_CHANGED:
        deal_id = _int(payload, "deal_id")
        if payload.get("stage") == "invested":  # the track record changed: rescore everything
            return [("workers.tasks.maintenance.history_changed", {"deal_id": deal_id}),
                    ("workers.tasks.maintenance.retrain_if_due", {})]  # fmt: skip
        return []
    if kind in (outbox.FULL_REFRESH_REQUESTED, outbox.RETRAIN_REQUESTED):
        if "job_id" not in payload:  # written without a job (e.g. by the demo loader): open one
            reason = str(payload.get("reason", "requested"))[:200]
            return [("workers.tasks.maintenance.open_job", {"kind": kind, "reason": reason})]
        task = "full_refresh_start" if kind == outbox.FULL_REFRESH_REQUESTED else "retrain"
        return [(f"workers.tasks.maintenance.{task}", {"job_id": _int(payload, "job_id")})]
    if kind == outbox.EMAIL_QUEUED:
        return [("workers.tasks.notifications.send_email", {"email_id": _int(payload, "email_id")})]
    raise Undeliverable(f"unknown event kind {kind!r}")


def make_dispatch(app: Celery) -> Callable[[OutboxEvent], int]:
    """The callable `relay_pending` hands each claimed event to."""

    def dispatch(event: OutboxEvent) -> int:
        plan = _plan(event)
        for number, (name, kwargs) in enumerate(plan):
            if event.handouts and not event.owed_parts & (1 << number):
                continue  # this task finished on an earlier hand-out
            app.send_task(
                name,
                kwargs={**kwargs, "event_id": event.id, OUTBOX_PART: number},
                task_id=f"outbox-{event.id}-{number}-{event.handouts}",
                retry=True,
                retry_policy=PUBLISH_RETRY,
            )
        return len(plan)

    return dispatch


def relay_due(app: Celery, session: Session, batch: int = 200) -> int:
    """Hand out every due event, in batches, with this deployment's lease and hand-out cap."""
    tuning = app.conf["venturematch_tuning"]
    dispatch = make_dispatch(app)
    total = 0
    while True:
        claimed = relay_pending(
            session=session,
            dispatch=dispatch,
            batch=batch,
            lease_s=tuning.outbox_lease_s,
            max_handouts=tuning.outbox_max_handouts,
        ).claimed
        total += claimed
        if claimed < batch:
            return total
