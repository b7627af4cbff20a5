"""Reference data (taxonomies) and the deterministic demo-data generator and loader."""
