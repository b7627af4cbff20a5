"""A person's rights over their data: the export of everything we hold (access) and the erasure of
their account.
"""
