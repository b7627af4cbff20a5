"""Where full-refresh chunks leave their results until the merge: Redis, for six hours.

A set of finished chunk numbers makes completion idempotent: a chunk that runs twice (it was
redelivered) adds nothing new, and the merge is started once every chunk is in.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import redis

from webapp.models import JobRun, utcnow
from webapp.services.ranking.scoring_full import ChunkResult

TTL_S = 6 * 3600


def _key(job_id: int, what: str) -> str:
    return f"venturematch:full-refresh:{job_id}:{what}"


def store(client: redis.Redis, job_id: int, part: ChunkResult, chunks: int) -> bool:
    """Save a chunk's result; True when it was the last one missing."""
    with client.pipeline(transaction=True) as pipe:
        pipe.set(_key(job_id, f"part:{part.index}"), part.to_bytes(), ex=TTL_S)
        pipe.sadd(_key(job_id, "done"), part.index)
        pipe.expire(_key(job_id, "done"), TTL_S)
        pipe.scard(_key(job_id, "done"))
        done = int(pipe.execute()[-1])
    return done >= chunks


def load(client: redis.Redis, job_id: int, chunks: int) -> Iterator[ChunkResult]:
    """The chunk results that are still there, read one at a time (the merge folds each)."""
    for index in range(chunks):
        data = client.get(_key(job_id, f"part:{index}"))
        if data is not None:
            yield ChunkResult.from_bytes(bytes(data))  # type: ignore[arg-type]


def clear(client: redis.Redis, job_id: int, chunks: int) -> None:
    """Drop a finished job's chunk results."""
    client.delete(_key(job_id, "done"), *(_key(job_id, f"part:{i}") for i in range(chunks)))


def record_plan(job: JobRun, plan: list[list[int]], snapshot: datetime) -> None:
    """Keep the refresh's chunks (venture ids each) and when it read its inputs on the job."""
    job.params = {**job.params, "chunks": len(plan), "plan": plan,
                  "snapshot_at": snapshot.isoformat()}  # fmt: skip


def chunk_count(job: JobRun) -> int:
    """How many chunks the job's refresh was split into (see `record_plan`)."""
    return int(job.params.get("chunks", 0))


def plan_of(job: JobRun) -> list[list[int]]:
    """The venture ids of each chunk (see `record_plan`)."""
    return list(job.params.get("plan", []))


def snapshot_of(job: JobRun) -> datetime:
    """When the job read its inputs (changes after it are refreshed again afterwards)."""
    raw = job.params.get("snapshot_at")
    return datetime.fromisoformat(raw) if isinstance(raw, str) else (job.started_at or utcnow())
