"""Benchmarks: each prints a ratio against a baseline run beside it."""
