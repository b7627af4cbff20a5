"""Founders' ventures, the programmes that hold them and their enrolment, and finding a venture or
an investor by name.
"""
