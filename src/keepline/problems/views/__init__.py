"""Problem pages, by sub-domain (the same names as the services' modules)."""
