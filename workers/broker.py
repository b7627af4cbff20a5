"""The Redis transport the workers use: kombu's, except that a channel whose connection is gone
says so with a connection error instead of crashing the worker.

Why: after a lost broker connection Celery `collect()`s and closes the broken connection,
which closes its channels and detaches the transport (`channel.connection = None`,
`transport.client = None`). A message taken on that connection can still be acknowledged
later: a task that finished while the consumer was reconnecting (Celery tries to terminate
such tasks, and loses the race when the task is quicker), or a restore of unacknowledged
messages that runs after the detach. kombu then builds a new connection pool for the dead
channel and reads `self.connection.client.hostname`: `AttributeError: 'NoneType' object has
no attribute 'client'` (or `… 'hostname'`, after "Restoring 2 unacknowledged message(s)").
Nobody expects an AttributeError there (`Message.ack_log_error` and the restore handlers catch
connection errors only), so it escaped to the worker's event loop as "Unrecoverable error" and
the worker exited: seen in 2 of 7 Redis restarts under `make run`, reproduced by
`tests/workers/test_lost_work.py`. The same dereference fails in celery/kombu#582 (closing a
Gossip channel) and #970 (restoring at shutdown); kombu 5.7 still has it (`_connparams`).

Raising kombu's own connection error instead turns it into what it is: this message cannot be
acknowledged on this connection. Celery logs it and carries on; the message stays in Redis's
`unacked` set and comes back after the visibility timeout, where a copy of finished work is
skipped (`workers.base`). This uses kombu's documented way to change a transport (a subclass
named by the `broker_transport` setting), not a patch of kombu itself.
"""

from __future__ import annotations

from typing import Any

from kombu.transport import redis
from redis.exceptions import ConnectionError as BrokerConnectionLost


class Channel(redis.Channel):
    """A Redis channel that refuses to reconnect once its connection has been closed."""

    def _connparams(self, asynchronous: bool = False) -> Any:
        transport = self.connection
        if transport is None or transport.client is None:
            raise BrokerConnectionLost(
                "this channel's broker connection was closed after a connection loss; "
                "its unacknowledged messages come back after the visibility timeout"
            )
        return super()._connparams(asynchronous=asynchronous)  # type: ignore[no-untyped-call]


class Transport(redis.Transport):
    """kombu's Redis transport with `Channel` above (`broker_transport` in the Celery config)."""

    Channel = Channel
