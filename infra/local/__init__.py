"""The local stack: moto on loopback, a seeded demo district, the Chalice app served over
HTTP, and a pump that feeds DynamoDB stream records and schedules to the same handlers
Lambda would call. Run it with `python -m infra.local` (or `make run`). Never shipped.
"""
