"""Helpers the tests share (API clients, the scenario world, assertions, PostgreSQL server discovery); no tests."""
