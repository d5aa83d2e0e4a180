"""Writes of the power app, by sub-domain: imports, detection, alerts."""
