"""Deployment pieces and the local stack (never shipped to Lambda)."""
