"""Deals opened by accepted introductions: moving them on, closing them, and the notices and
wording about them.
"""
