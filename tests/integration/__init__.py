"""Rule, projection and store tests on a real store in-process, each on SQLite and PostgreSQL."""
