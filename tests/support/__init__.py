"""Helpers for the tests and benchmarks, never shipped in the package: scoring readers
against the corpus facts, an invented document library for batch runs."""
