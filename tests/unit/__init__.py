"""Unit tests: the domain in-process, no database, no network."""
