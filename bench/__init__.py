"""Benchmarks of the insights dashboard and releases, and their data generator (not run in CI)."""
