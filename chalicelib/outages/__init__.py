"""Outages: clustering fault reports into one outage per 台区, its dispatch, the customers
told, staff actions and published notices. Rules live in domain/outages.py, storage in
store/outages.py; this package orchestrates."""
