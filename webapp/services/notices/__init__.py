"""What people are told after events: news of matches and stalled deals, the weekly digest, and the
notification centre they read it in.
"""
