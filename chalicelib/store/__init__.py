"""Data access: pynamodb models, DynamoDB stores and their in-memory fakes."""
