"""Application services: each use case orchestrates stores and pure domain logic."""
