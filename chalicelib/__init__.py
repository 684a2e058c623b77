"""Yunge (云格): serverless backend for grid-based power-supply customer service."""
