"""crm_tui: a keyboard-driven, offline-first CRM for sales reps."""
