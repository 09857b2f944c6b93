"""Provides the CRM's records and the pure rules over them (no I/O, no Textual)."""
