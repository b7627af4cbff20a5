"""The stored rankings: scoring (incremental and full), the active model and its card, training
labels, reading the lists people browse, and advice from the model.
"""
