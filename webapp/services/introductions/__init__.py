"""Double opt-in introductions between a venture and an investor, and investors' verdicts on the
ventures in their lists.
"""
