-- crm show / crm why REF (issue 20): a record's exact title is looked up in every table
-- (storage/plain_records.py's find_any, as Repository.resolve does); without an index each
-- lookup read the whole table: 0.4-0.7 s at 1M follow-ups for one `crm show ID`.
-- report_read has no title lookup (storage/repos_office.py resolves it by id only).
CREATE INDEX IF NOT EXISTS ix_user_title ON "user"("name");
CREATE INDEX IF NOT EXISTS ix_customer_title ON "customer"("name");
CREATE INDEX IF NOT EXISTS ix_contact_title ON "contact"("name");
CREATE INDEX IF NOT EXISTS ix_activity_title ON "activity"("subject");
CREATE INDEX IF NOT EXISTS ix_opportunity_title ON "opportunity"("title");
CREATE INDEX IF NOT EXISTS ix_opportunity_line_title ON "opportunity_line"("product");
CREATE INDEX IF NOT EXISTS ix_expense_title ON "expense"("description");
CREATE INDEX IF NOT EXISTS ix_announcement_title ON "announcement"("title");
CREATE INDEX IF NOT EXISTS ix_competitor_title ON "competitor"("name");
CREATE INDEX IF NOT EXISTS ix_saved_query_title ON "saved_query"("name");
CREATE INDEX IF NOT EXISTS ix_lost_reason_title ON "lost_reason"("name");
CREATE INDEX IF NOT EXISTS ix_product_title ON "product"("name");
CREATE INDEX IF NOT EXISTS ix_quote_title ON "quote"("title");
CREATE INDEX IF NOT EXISTS ix_quote_line_title ON "quote_line"("description");
CREATE INDEX IF NOT EXISTS ix_contract_title ON "contract"("number");
CREATE INDEX IF NOT EXISTS ix_payment_plan_title ON "payment_plan"("label");
CREATE INDEX IF NOT EXISTS ix_payment_title ON "payment"("reference");
CREATE INDEX IF NOT EXISTS ix_campaign_title ON "campaign"("name");
CREATE INDEX IF NOT EXISTS ix_campaign_member_title ON "campaign_member"("name");
CREATE INDEX IF NOT EXISTS ix_partner_title ON "partner"("name");
CREATE INDEX IF NOT EXISTS ix_pool_rule_title ON "pool_rule"("grade");
CREATE INDEX IF NOT EXISTS ix_checkin_title ON "checkin"("place");
CREATE INDEX IF NOT EXISTS ix_target_title ON "target"("month");
CREATE INDEX IF NOT EXISTS ix_service_title ON "service"("subject");
CREATE INDEX IF NOT EXISTS ix_service_plan_title ON "service_plan"("subject");
CREATE INDEX IF NOT EXISTS ix_work_report_title ON "work_report"("period");
CREATE INDEX IF NOT EXISTS ix_report_comment_title ON "report_comment"("body");
CREATE INDEX IF NOT EXISTS ix_report_rule_title ON "report_rule"("kind");
CREATE INDEX IF NOT EXISTS ix_contact_log_title ON "contact_log"("summary");
CREATE INDEX IF NOT EXISTS ix_folder_title ON "folder"("name");
CREATE INDEX IF NOT EXISTS ix_attachment_title ON "attachment"("name");
CREATE INDEX IF NOT EXISTS ix_kb_article_title ON "kb_article"("title");
CREATE INDEX IF NOT EXISTS ix_kb_question_title ON "kb_question"("title");
CREATE INDEX IF NOT EXISTS ix_kb_answer_title ON "kb_answer"("body");
CREATE INDEX IF NOT EXISTS ix_kb_vote_title ON "kb_vote"("answer_id");
CREATE INDEX IF NOT EXISTS ix_survey_title ON "survey"("comment");
