"""People's accounts: sign-up and sign-in, passwords, browser sessions, API and link tokens,
attempt limits, staff accounts and platform-wide access.
"""
