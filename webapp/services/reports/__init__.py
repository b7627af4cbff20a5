"""Read-only figures for staff and admins: the pipeline, gaps, retention, stalled deals, evidence
exports, timelines, the audit log and the regional views. Reports read domain tables and never
write them (only the audit trail records an export).
"""
