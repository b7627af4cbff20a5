"""Work handed on after a commit: the transactional outbox and its relay, email, in-app
notifications and links in them, and the progress of long jobs.
"""
