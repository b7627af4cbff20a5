"""The deterministic demo-data generator and loader, and `python -m seeds check` for the
reference data (which lives in the `reference` package, so the app never imports seeds)."""
