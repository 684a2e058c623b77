"""Outbound SMS: the SmsSender port, its adapters and the zh-CN templates."""
