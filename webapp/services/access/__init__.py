"""Who may read or change which object: one set of rules, so pages, the API and every service
agree.
"""
