"""Provides the reports: periods, report documents built from SQL figures, and their files."""
