"""Usage information (用电信息查询): feeds of daily readings and monthly bills loaded from S3,
the customer's usage query, meter-fast tickets' usage and balance reminders (issue 16)."""
