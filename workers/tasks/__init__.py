"""Celery tasks, one module per queue; each is a thin wrapper around one service call."""
