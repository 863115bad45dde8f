"""Helpers for the tests and benchmarks: scoring readers against the corpus facts."""
