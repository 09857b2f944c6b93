-- Local only (never synced): which reminders this laptop has already shown, so a reminder
-- pops up once. The key names the record and the moment it was due ('followup:ID:remind_at'),
-- so a snoozed follow-up shows again at its new time.
CREATE TABLE reminder_shown (key TEXT PRIMARY KEY, shown_at TEXT NOT NULL);
