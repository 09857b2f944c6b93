"""Provides import and export: CSV, vCard, hledger journals, iCalendar and JSON backups.

Nothing here imports Textual; the CLI (`crm import`, `crm export`, `crm backup`) and the
TUI's import preview both call these modules.
"""
