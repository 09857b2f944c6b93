"""Provides the SQLModel tables; the schema itself is made by storage/migrations.

Each table mirrors its migration SQL column for column (a test checks it). Records carry
the sync columns of DESIGN.md: a UUIDv7 `id` made on this laptop, `owner_id`, UTC
timestamps, the `deleted` tombstone, per-field hybrid clocks and unknown fields in `extra`.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel


class SyncedRecord(SQLModel):
    id: str = Field(primary_key=True)
    owner_id: str | None = None
    created_at: datetime
    updated_at: datetime
    deleted: bool = False
    field_hlc: str = "{}"
    server_version: int = 0
    extra: str = "{}"


class User(SyncedRecord, table=True):
    __tablename__ = "user"
    name: str
    email: str | None = None
    role: str = "rep"


class Customer(SyncedRecord, table=True):
    __tablename__ = "customer"
    name: str
    kind: str = "company"
    status: str = "potential"
    grade: str | None = None
    industry: str | None = None
    source: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    city: str | None = None
    website: str | None = None
    tags: str | None = None
    notes: str | None = None
    birthday: date | None = None
    sort_key: str = ""
    urgency: float = 0.0  # derived, local (storage/urgency_store.py); 0022 migration
    # The pool (issue 18, 0110 migration): set by the server's release pass and commands.
    pool_since: datetime | None = None
    previous_owner_id: str | None = None
    locked: bool = False
    claimed_at: datetime | None = None
    coordinates: str | None = None  # 0111: "lat,lng"
    # derived, local (storage/insight_store.py, issue 22); 0120 migration
    segment: str | None = None
    risk: float = 0.0
    clv: int = 0
    value_at_risk: int = 0


class Contact(SyncedRecord, table=True):
    __tablename__ = "contact"
    customer_id: str = Field(foreign_key="customer.id")
    name: str
    title: str | None = None
    phone: str | None = None
    mobile: str | None = None
    email: str | None = None
    birthday: date | None = None
    notes: str | None = None
    sort_key: str = ""


class Competitor(SyncedRecord, table=True):
    __tablename__ = "competitor"
    name: str
    strengths: str | None = None
    weaknesses: str | None = None
    notes: str | None = None


class Opportunity(SyncedRecord, table=True):
    __tablename__ = "opportunity"
    customer_id: str = Field(foreign_key="customer.id")
    title: str
    stage: str = "lead"
    amount: int = 0
    currency: str = "CNY"
    probability: int = 10
    expected_close: date | None = None
    next_step: str | None = None
    closed_on: date | None = None
    lost_reason: str | None = None
    lost_note: str | None = None
    competitor_id: str | None = Field(default=None, foreign_key="competitor.id")
    stage_changed_at: datetime | None = None
    campaign_id: str | None = Field(default=None, foreign_key="campaign.id")  # 0090


class OpportunityLine(SyncedRecord, table=True):
    __tablename__ = "opportunity_line"
    opportunity_id: str = Field(foreign_key="opportunity.id")
    product: str
    model: str | None = None
    unit_price: int = 0
    currency: str = "CNY"
    quantity: int = 1


class Activity(SyncedRecord, table=True):
    """A follow-up: a call, visit, meeting, e-mail, SMS or task, due and later done."""

    __tablename__ = "activity"
    customer_id: str = Field(foreign_key="customer.id")
    contact_id: str | None = Field(default=None, foreign_key="contact.id")
    opportunity_id: str | None = Field(default=None, foreign_key="opportunity.id")
    kind: str = "call"
    subject: str
    notes: str | None = None
    due_at: datetime | None = None
    all_day: bool = False
    remind_at: datetime | None = None
    done_at: datetime | None = None
    outcome: str | None = None
    urgency: float = 0.0  # derived, local (storage/urgency_store.py); 0022 migration


class Expense(SyncedRecord, table=True):
    __tablename__ = "expense"
    spent_on: date
    category: str = "other"
    amount: int
    currency: str = "CNY"
    customer_id: str | None = Field(default=None, foreign_key="customer.id")
    opportunity_id: str | None = Field(default=None, foreign_key="opportunity.id")
    description: str | None = None
    receipt: str | None = None
    status: str = "draft"
    approver_id: str | None = None
    decision_note: str | None = None
    submitted_at: datetime | None = None
    decided_at: datetime | None = None
    campaign_id: str | None = Field(default=None, foreign_key="campaign.id")  # 0090


class Announcement(SyncedRecord, table=True):
    __tablename__ = "announcement"
    title: str
    body: str | None = None
    published_at: datetime | None = None


class SavedQuery(SyncedRecord, table=True):
    __tablename__ = "saved_query"
    name: str
    screen: str
    query: str | None = None
    pinned: bool = False
    key: str | None = None


class LostReason(SyncedRecord, table=True):
    __tablename__ = "lost_reason"
    name: str


# --- issue 19, quote to cash (helper H): money in minor units, rates in basis points ---
class Product(SyncedRecord, table=True):
    __tablename__ = "product"
    code: str | None = None
    name: str
    model: str | None = None
    unit: str | None = None
    list_price: int = 0
    currency: str = "CNY"
    active: bool = True


class Quote(SyncedRecord, table=True):
    __tablename__ = "quote"
    opportunity_id: str = Field(foreign_key="opportunity.id")
    title: str
    revision: int = 1
    status: str = "draft"
    valid_until: date | None = None
    tax_rate_bp: int = 0
    currency: str = "CNY"
    subtotal: int = 0
    tax: int = 0
    total: int = 0
    notes: str | None = None
    sent_at: datetime | None = None
    decided_on: date | None = None


class QuoteLine(SyncedRecord, table=True):
    __tablename__ = "quote_line"
    quote_id: str = Field(foreign_key="quote.id")
    product_id: str | None = Field(default=None, foreign_key="product.id")
    description: str
    model: str | None = None
    unit: str | None = None
    quantity: int = 1
    unit_price: int = 0
    discount_bp: int = 0
    position: int = 0


class Contract(SyncedRecord, table=True):
    __tablename__ = "contract"
    opportunity_id: str = Field(foreign_key="opportunity.id")
    quote_id: str | None = Field(default=None, foreign_key="quote.id")
    number: str | None = None
    title: str | None = None
    signed_on: date | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    amount: int
    currency: str = "CNY"
    terms: str | None = None
    attachment: str | None = None
    status: str = "draft"


class PaymentPlan(SyncedRecord, table=True):
    __tablename__ = "payment_plan"
    contract_id: str = Field(foreign_key="contract.id")
    instalment: int
    label: str | None = None
    due_on: date
    amount: int
    currency: str = "CNY"
    method: str | None = None
    paid: int = 0
    settled_on: date | None = None
    remind_days: int = 7


class Payment(SyncedRecord, table=True):
    __tablename__ = "payment"
    contract_id: str = Field(foreign_key="contract.id")
    plan_id: str | None = Field(default=None, foreign_key="payment_plan.id")
    received_on: date
    amount: int
    currency: str = "CNY"
    method: str | None = None
    reference: str | None = None
    status: str = "entered"
    confirmed_by: str | None = None
    confirmed_at: datetime | None = None
    notes: str | None = None


# --- issue 16, marketing (helper M): campaigns, their members, partners -----------------
class Campaign(SyncedRecord, table=True):
    __tablename__ = "campaign"
    name: str
    kind: str = "seminar"
    status: str = "planned"
    starts_on: date | None = None
    ends_on: date | None = None
    place: str | None = None
    budget: int = 0
    currency: str = "CNY"
    partner_ids: str | None = None
    notes: str | None = None


class CampaignMember(SyncedRecord, table=True):
    __tablename__ = "campaign_member"
    campaign_id: str = Field(foreign_key="campaign.id")
    contact_id: str | None = Field(default=None, foreign_key="contact.id")
    customer_id: str | None = Field(default=None, foreign_key="customer.id")
    name: str
    company: str | None = None
    phone: str | None = None
    email: str | None = None
    status: str = "invited"
    source: str = "invitation"
    invited_at: datetime | None = None
    registered_at: datetime | None = None
    attended_at: datetime | None = None
    attended_by: str | None = None
    declined_at: datetime | None = None
    status_by: str | None = None
    notes: str | None = None
    sort_key: str = ""


class Partner(SyncedRecord, table=True):
    __tablename__ = "partner"
    name: str
    kind: str | None = None
    contact_person: str | None = None
    phone: str | None = None
    email: str | None = None
    notes: str | None = None


# --- issue 18, pool rules, visit check-ins, monthly targets (helper P) ---
class PoolRule(SyncedRecord, table=True):
    __tablename__ = "pool_rule"
    grade: str
    followup_days: int | None = None
    deal_days: int | None = None
    exempt_won: bool | None = None
    exempt_open_deal: bool | None = None
    warn_days: int | None = None
    cap: int | None = None
    reclaim_days: int | None = None


class Checkin(SyncedRecord, table=True):
    __tablename__ = "checkin"
    activity_id: str = Field(foreign_key="activity.id")
    customer_id: str | None = Field(default=None, foreign_key="customer.id")
    checked_in_at: datetime
    checked_out_at: datetime | None = None
    place: str | None = None
    at: str | None = None
    distance_m: int | None = None
    flagged: bool = False
    notes: str | None = None


class Target(SyncedRecord, table=True):
    __tablename__ = "target"
    user_id: str | None = None
    month: str
    won: int | None = None
    new_customers: int | None = None
    visits: int | None = None
    payments: int | None = None


# --- issue 17, files (helper O2): content stored once by SHA-256, metadata synced ---
class Folder(SyncedRecord, table=True):
    __tablename__ = "folder"
    name: str
    parent_id: str | None = Field(default=None, foreign_key="folder.id")


class Attachment(SyncedRecord, table=True):
    __tablename__ = "attachment"
    name: str
    record_entity: str | None = None
    record_id: str | None = None
    folder_id: str | None = Field(default=None, foreign_key="folder.id")
    sha256: str
    size: int = 0
    mime: str | None = None
    note: str | None = None


# --- issue 15, after-sales service (helper S): money in minor units, time in minutes ---
class Service(SyncedRecord, table=True):
    """A service order (派遣单): requested, approved (dispatched), done by an engineer."""

    __tablename__ = "service"
    number: str | None = None
    customer_id: str = Field(foreign_key="customer.id")
    contact_id: str | None = Field(default=None, foreign_key="contact.id")
    opportunity_id: str | None = Field(default=None, foreign_key="opportunity.id")
    plan_id: str | None = Field(default=None, foreign_key="service_plan.id")
    kind: str = "repair"
    priority: str = "normal"
    subject: str
    description: str | None = None
    planned_start: datetime | None = None
    planned_end: datetime | None = None
    engineer_id: str | None = None
    status: str = "new"
    requested_at: datetime | None = None
    approver_id: str | None = None
    approved_at: datetime | None = None
    dispatched_to: str | None = None  # the engineer, set by the server on approval
    decision_note: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    closed_at: datetime | None = None
    minutes: int | None = None
    parts_cost: int = 0
    travel_cost: int = 0
    other_cost: int = 0
    currency: str = "CNY"
    rating: int | None = None
    feedback: str | None = None


class ServicePlan(SyncedRecord, table=True):
    """A recurring service schedule (服务计划) that creates the next order ahead of time."""

    __tablename__ = "service_plan"
    customer_id: str = Field(foreign_key="customer.id")
    opportunity_id: str | None = Field(default=None, foreign_key="opportunity.id")
    contact_id: str | None = Field(default=None, foreign_key="contact.id")
    kind: str = "maintenance"
    priority: str = "normal"
    subject: str
    every: str
    starts_on: date
    ends_on: date | None = None
    engineer_id: str | None = None
    lead_days: int = 14
    active: bool = True
    notes: str | None = None


# --- issue 17, office (helper O1): work reports, their comments and reads, contact log ---
class WorkReport(SyncedRecord, table=True):
    """A daily, weekly or monthly report (日报/周报/月报); figures frozen when submitted."""

    __tablename__ = "work_report"
    kind: str
    period: str
    period_start: date
    period_end: date
    done: str | None = None
    plan: str | None = None
    problems: str | None = None
    recipients: str | None = None
    figures: str | None = None
    status: str = "draft"
    submitted_at: datetime | None = None


class ReportComment(SyncedRecord, table=True):
    __tablename__ = "report_comment"
    report_id: str = Field(foreign_key="work_report.id")
    reply_to: str | None = Field(default=None, foreign_key="report_comment.id")
    body: str
    audience: str | None = None


class ReportRead(SyncedRecord, table=True):
    __tablename__ = "report_read"
    report_id: str = Field(foreign_key="work_report.id")
    read_at: datetime
    audience: str | None = None


class ReportRule(SyncedRecord, table=True):
    __tablename__ = "report_rule"
    kind: str
    weekdays: str
    due_by: str


class ContactLog(SyncedRecord, table=True):
    """One contact with a customer (联系记录): a call, visit, e-mail, SMS, WeChat, meeting."""

    __tablename__ = "contact_log"
    customer_id: str = Field(foreign_key="customer.id")
    contact_id: str | None = Field(default=None, foreign_key="contact.id")
    channel: str
    direction: str = "out"
    at: datetime
    minutes: int | None = None
    summary: str | None = None
    activity_id: str | None = Field(default=None, foreign_key="activity.id")


# --- issue 22, customer insight (helper R): the satisfaction record, scores 1..5 ---
class Survey(SyncedRecord, table=True):
    __tablename__ = "survey"
    customer_id: str = Field(foreign_key="customer.id")
    contact_id: str | None = Field(default=None, foreign_key="contact.id")
    score: int
    comment: str | None = None
    source: str = "call"
    taken_on: date | None = None
    activity_id: str | None = Field(default=None, foreign_key="activity.id")
    opportunity_id: str | None = Field(default=None, foreign_key="opportunity.id")
    service_id: str | None = None


# --- issue 17, knowledge Q&A (helper O2): team-wide articles, questions, answers, votes ---
class KbArticle(SyncedRecord, table=True):
    __tablename__ = "kb_article"
    title: str
    body: str | None = None
    category: str | None = None
    tags: str | None = None


class KbQuestion(SyncedRecord, table=True):
    __tablename__ = "kb_question"
    title: str
    body: str | None = None
    tags: str | None = None
    accepted_id: str | None = Field(default=None, foreign_key="kb_answer.id")


class KbAnswer(SyncedRecord, table=True):
    __tablename__ = "kb_answer"
    question_id: str = Field(foreign_key="kb_question.id")
    body: str


class KbVote(SyncedRecord, table=True):
    __tablename__ = "kb_vote"
    answer_id: str = Field(foreign_key="kb_answer.id")


MODELS: dict[str, type[SyncedRecord]] = {
    "user": User,
    "customer": Customer,
    "contact": Contact,
    "competitor": Competitor,
    "opportunity": Opportunity,
    "opportunity_line": OpportunityLine,
    "activity": Activity,
    "expense": Expense,
    "announcement": Announcement,
    "saved_query": SavedQuery,
    "lost_reason": LostReason,
    "product": Product,
    "quote": Quote,
    "quote_line": QuoteLine,
    "contract": Contract,
    "payment_plan": PaymentPlan,
    "payment": Payment,
    "campaign": Campaign,
    "campaign_member": CampaignMember,
    "partner": Partner,
    "folder": Folder,
    "attachment": Attachment,
    "pool_rule": PoolRule,
    "checkin": Checkin,
    "target": Target,
    "service": Service,
    "service_plan": ServicePlan,
    "work_report": WorkReport,
    "report_comment": ReportComment,
    "report_read": ReportRead,
    "report_rule": ReportRule,
    "contact_log": ContactLog,
    "survey": Survey,
    "kb_article": KbArticle,
    "kb_question": KbQuestion,
    "kb_answer": KbAnswer,
    "kb_vote": KbVote,
}
