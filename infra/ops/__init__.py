"""Operator commands for the 2 a.m. on-call: `python -m infra.ops replay --queue-url …`."""
