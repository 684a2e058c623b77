"""HTTP layer: Chalice blueprints. Handlers decode, call one service, encode."""
