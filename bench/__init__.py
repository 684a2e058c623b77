"""Benchmarks (never part of CI's pass/fail): `python -m bench` runs every bench_*.py."""
