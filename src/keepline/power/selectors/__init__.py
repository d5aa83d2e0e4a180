"""Reads of the power app, by sub-domain: detection, alerts, imports."""
