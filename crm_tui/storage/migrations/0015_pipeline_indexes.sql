-- The opportunities board (storage/pipeline.py) reads a window of cards per stage and the
-- per-stage totals; the expenses screen reads totals by status. These keep both off a full
-- table scan on a large book: the window walks (stage, date, id), the totals read only the
-- covering index.
CREATE INDEX ix_opportunity_stage_close ON opportunity(stage, expected_close, id) WHERE deleted = 0;
CREATE INDEX ix_opportunity_stage_closed ON opportunity(stage, closed_on, id) WHERE deleted = 0;
CREATE INDEX ix_opportunity_stage_totals
    ON opportunity(stage, currency, amount, probability) WHERE deleted = 0;
CREATE INDEX ix_expense_status_totals ON expense(status, currency, amount) WHERE deleted = 0;
