"""The work-order lifecycle after dispatch: staff and customer actions, the service clocks
they start and stop, the sla_watchdog's three-level escalation and the callback auto-close."""
