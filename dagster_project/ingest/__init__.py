"""Reading and checking submissions: pure functions plus the thin ingest assets."""
