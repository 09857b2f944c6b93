-- crm agenda (issue 20): a day's birthdays, first names first, read from the index alone
-- (storage/quick_reads.py birthdays_of): a day of 300 contacts read 300 rows for ten.
CREATE INDEX IF NOT EXISTS ix_customer_birthday_name ON customer(birthday_md, name)
    WHERE birthday IS NOT NULL AND deleted = 0;
CREATE INDEX IF NOT EXISTS ix_contact_birthday_name ON contact(birthday_md, name)
    WHERE birthday IS NOT NULL AND deleted = 0;
