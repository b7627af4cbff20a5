"""Alembic migrations for the venturematch schema."""
