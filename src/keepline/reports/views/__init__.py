"""Pages of daily reports, by sub-domain: the reports and their form, missing reports and
chasing, deadlines, resumption targets and the figures (the import is the shared import page,
`reports/importers.py`)."""
