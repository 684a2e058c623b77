"""Automatic dispatch and SMS notification from the tickets stream (DESIGN.md, Events)."""
