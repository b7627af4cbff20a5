"""Reference data both the app and the demo generator read: the taxonomies (sectors, stages,
regions, instruments, institutions, investor types) and the regional spin-out statistics.

It imports nothing of ours, so `webapp` can load it and `seeds` can build demo data from it
without a cycle: seeds → webapp → reference.
"""
