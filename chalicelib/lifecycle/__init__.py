"""The work-order lifecycle's orchestration: the sla_watchdog that acts on due clocks and the
calendar-coverage watch. The rules it applies live in the domain (transitions, escalation,
clocks)."""
