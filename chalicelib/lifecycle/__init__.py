"""The work-order lifecycle after dispatch: staff and customer actions, the service clocks
they start and stop, the sla_watchdog's three-level escalation and the callback auto-close."""

from chalicelib.lifecycle.steps import ActionRequest, apply_action
from chalicelib.lifecycle.timing import CALLBACK, restamp
from chalicelib.lifecycle.watchdog import TickReport, run_watchdog

__all__ = ["CALLBACK", "ActionRequest", "TickReport", "apply_action", "restamp", "run_watchdog"]
