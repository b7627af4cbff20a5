"""The Redis transport the workers use: kombu's, except that a closing channel never pushes
its unacknowledged messages back itself.

Why: kombu's Redis channel restores the messages it still holds when it closes (a lost
connection, a shutdown). After a lost connection Celery first `collect()`s the broken
connection, which detaches the transport (`transport.client = None`); a restore that runs
after that has to open a new connection pool, and building its parameters reads
`transport.client.hostname`. Seen under `make run` with Redis stopped while messages were in
flight: "Restoring 2 unacknowledged message(s)", then the worker died with `Unrecoverable
error: AttributeError("'NoneType' object has no attribute 'hostname'")` (the same failure as
celery/kombu#582 and #970, in kombu's `_connparams`; still there in kombu 5.7).

Switching the restore-on-close off (`do_restore`, an attribute kombu's virtual channels
define for exactly this choice) removes that path. Nothing is lost by it: the messages stay
in Redis's `unacked` set and any live worker's periodic `restore_visible` puts them back
after the visibility timeout, which `workers.tuning` keeps short; and work that came from the
outbox is handed out again by the relay even sooner (`webapp.services.relay`).
"""

from __future__ import annotations

from kombu.transport import redis


class Channel(redis.Channel):
    """A Redis channel that leaves unacknowledged messages to the visibility timeout."""

    do_restore = False


class Transport(redis.Transport):
    """kombu's Redis transport with `Channel` above (`broker_transport` in the Celery config)."""

    Channel = Channel
