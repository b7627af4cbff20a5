"""Helpers every area shares: domain errors, ids, pages, write locks, text and JSON filters, CSV
output, the taxonomy's code checks, the audit trail and health checks.
"""
