"""Benchmarks of the insights dashboard and rollups, and their data generator (not run in CI)."""
