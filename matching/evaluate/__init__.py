"""Offline evaluation on historical deals (`python -m matching.evaluate --help`)."""
