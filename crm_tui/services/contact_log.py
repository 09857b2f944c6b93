"""Provides the contact log (联系记录, issue 17) for screens and the CLI: log a call, visit,
e-mail, SMS, WeChat message or meeting with a customer; a done follow-up's entry; compose
an e-mail in the system mail client (a `mailto:` address) and log it; the statistics (by
channel, rep and month) and the customers not contacted for their grade's days.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from crm_tui.domain import contact_log_specs as rules
from crm_tui.domain import work_report_specs as office
from crm_tui.domain.fields import FieldError, ValidationErrors
from crm_tui.reports.export import render as render
from crm_tui.storage.engine import connect
from crm_tui.storage.office_queries import ContactStats, QuietCustomer, contact_stats
from crm_tui.storage.office_queries import quiet_customers as _quiet

if TYPE_CHECKING:
    from crm_tui.domain.models import Activity, Contact, ContactLog
    from crm_tui.services.book import Book

__all__ = [
    "ContactStats",
    "QuietCustomer",
    "compose_mail",
    "from_followup",
    "log",
    "of_customer",
    "quiet_customers",
    "render",
    "report",
    "stats",
]


def _error(field_name: str, message: str) -> ValidationErrors:
    return ValidationErrors([FieldError(field_name, message)])


def log(
    book: Book,
    customer_ref: str,
    *,
    channel: str,
    summary: str | None = None,
    minutes: int | str | None = None,
    contact_ref: str | None = None,
    direction: str = "out",
    at: str | datetime | None = None,
    activity_id: str | None = None,
) -> ContactLog:
    """Log one contact with a customer (id, id prefix, name or part of it — the resolver
    every `--customer` uses, which lists the candidates when several match)."""
    from crm_tui.services.records import resolve_link

    repos = book.db.repos
    customer = repos.customers.require(resolve_link(book, "customer", customer_ref))
    values: dict[str, Any] = {
        "customer_id": customer.id,
        # '微信' / 'phone' as the quick log reads them; an unknown word fails the field.
        "channel": rules.CHANNEL_WORDS.get(channel.strip().lower(), channel),
        "direction": direction,
        "at": at if at is not None else book.clock.now(),
        "summary": summary,
        "minutes": minutes,
        "activity_id": activity_id,
    }
    _not_future(book, values["at"])
    if contact_ref:
        contact = repos.contacts.resolve(contact_ref)
        if contact.customer_id != customer.id:
            raise _error("contact_id", f"{contact.name} is not a contact of {customer.name}")
        values["contact_id"] = contact.id
    return repos.office.contact_logs.create({k: v for k, v in values.items() if v is not None})


def from_followup(book: Book, activity: Activity) -> ContactLog | None:
    """The contact-log entry of a follow-up just done (a task is none); called inside the
    transaction that closes it, so both are written or neither."""
    channel = office.CHANNEL_OF_ACTIVITY.get(activity.kind)
    if channel is None or book.db.repos.office.contact_logs.of_activity(activity.id):
        return None
    summary = (
        activity.subject if not activity.outcome else f"{activity.subject}: {activity.outcome}"
    )
    return book.db.repos.office.contact_logs.create(
        {
            "customer_id": activity.customer_id,
            "contact_id": activity.contact_id,
            "channel": channel,
            "direction": "out",
            "at": activity.done_at or book.clock.now(),
            "summary": summary[:5_000],
            "activity_id": activity.id,
        },
        # No undo entry of its own: `u` after a done follow-up still undoes the done.
        record_undo=False,
    )


def get(book: Book, row_id: str) -> ContactLog | None:
    return book.db.repos.office.contact_logs.get(row_id)


def update(book: Book, row_id: str, changes: dict[str, Any]) -> ContactLog:
    if "at" in changes:
        _not_future(book, changes["at"])
    return book.db.repos.office.contact_logs.update(row_id, changes)


def _not_future(book: Book, at: Any) -> None:
    """Refuse an entry's time in the future (by this laptop's clock); the registry's
    check_record owns the other rules (minutes), on the laptop and the server alike."""
    from crm_tui.domain.fields import parse_values

    if isinstance(at, str):
        if not at.strip():
            return  # required-field check says it
        at = parse_values("contact_log", {"at": at}, book.input_context)["at"]
    problems = rules.contact_log_errors({"at": at}, book.clock.now())
    if problems:
        raise ValidationErrors([FieldError(f, m) for f, m in problems])


def of_customer(book: Book, customer_id: str, limit: int = 200) -> list[ContactLog]:
    """A customer's contact history, newest first."""
    return book.db.repos.office.contact_logs.of_customer(customer_id, limit)


def compose_mail(
    book: Book,
    contact_ref: str,
    subject: str = "",
    *,
    opener: Callable[[str], None],
    summary: str | None = None,
) -> tuple[str, ContactLog]:
    """Open the system mail client on the contact's address (via `opener`, given the
    `mailto:` address) and log an outgoing e-mail to the contact's customer."""
    repos = book.db.repos
    try:
        contact: Contact | Any = repos.contacts.resolve(contact_ref)
        customer_id, address = contact.customer_id, contact.email
        contact_id: str | None = contact.id
    except LookupError:
        customer = repos.customers.resolve(contact_ref)  # a customer's own address will do
        customer_id, address, contact_id = customer.id, customer.email, None
    if not address:
        raise _error("email", f"'{contact_ref}' has no e-mail address")
    url = rules.mailto(address, subject)
    opener(url)
    entry = log(
        book,
        customer_id,
        channel="email",
        summary=summary or subject or f"e-mail to {address}",
        contact_ref=contact_id,
    )
    return url, entry


def open_url(url: str, *, wait: bool = True) -> None:
    """Hand `url` (a mailto: address) to the system's opener: xdg-open, open on macOS.
    ValueError when there is none; `wait=False` does not wait for it (the app)."""
    import shutil
    import subprocess
    import sys

    opener = "open" if sys.platform == "darwin" else "xdg-open"
    path = shutil.which(opener)
    if path is None:
        raise ValueError(f"cannot open the mail client: '{opener}' is not installed")
    if wait:
        subprocess.run([path, url], check=False)
    else:
        quiet = subprocess.DEVNULL
        subprocess.Popen([path, url], stdout=quiet, stderr=quiet, start_new_session=True)


def stats(book: Book, start: date, end: date, *, team: bool = False) -> ContactStats:
    """Contacts logged in the local days [start, end): mine, or the team's (managers)."""
    if team and not book.actor.manager:
        raise PermissionError("only a manager sees the team's contacts")
    conn = connect(book.path, readonly=True)
    try:
        return contact_stats(
            conn, start=start, end=end, clock=book.clock, owner_id=book.user_id, team=team
        )
    finally:
        conn.close()


def quiet_customers(
    book: Book, days: dict[str, int] | None = None, *, team: bool = False, limit: int = 50
) -> tuple[int, list[QuietCustomer]]:
    """Customers not contacted for their grade's days (A 14, B 30, C 90 unless given)."""
    conn = connect(book.path, readonly=True)
    try:
        return _quiet(
            conn,
            clock=book.clock,
            days_by_grade=days or dict(office.QUIET_DAYS),
            owner_id=book.user_id,
            team=team,
            limit=limit,
        )
    finally:
        conn.close()


# --- for the screens ---------------------------------------------------------------------
def local_text(book: Book, value: Any) -> str:
    """A stored time (a datetime or its naive-UTC text) as the rep's local 'MM-DD HH:MM'."""
    if value in (None, ""):
        return ""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = book.clock.to_local(moment)
    same_year = local.year == book.clock.today().year
    return local.strftime("%m-%d %H:%M" if same_year else "%Y-%m-%d %H:%M")


def refusal(exc: Exception) -> str:
    """The sentence a refusal carries (ValidationErrors, NotFound, ValueError)."""
    errors = getattr(exc, "errors", None)
    if errors:
        return "; ".join(e.message for e in errors)
    return str(exc)


def customer_names(book: Book) -> dict[str, str]:
    """id -> name of every customer that has a contact logged (one query)."""
    conn = connect(book.path, readonly=True)
    try:
        rows = conn.execute(
            "SELECT c.id, c.name FROM customer c WHERE c.id IN "
            "(SELECT customer_id FROM contact_log WHERE deleted = 0)"
        )
        return dict(rows.fetchall())
    finally:
        conn.close()


def history_source(book: Book, customer_id: str) -> Any:
    """The customer's contact log, a page at a time, newest first (the customer page)."""
    from crm_tui.domain.filter import Compare, Filter
    from crm_tui.services import lists

    mine = Filter("contact_log", (Compare("customer_id", "=", customer_id),))
    return lists.source(book, "contact_log", mine, order=("at", "id"), descending=True)


def report(
    book: Book, period: Any, *, team: bool = False, days: dict[str, int] | None = None
) -> Any:
    """The contact report (reports/contact_log.py) for a `reports.period.Period`: by
    channel, rep and month, and the quiet customers. PermissionError for a rep's --team."""
    from crm_tui.reports.contact_log import build

    rule = days or dict(office.QUIET_DAYS)
    got = stats(book, period.start, period.end, team=team)
    quiet_total, quiet = quiet_customers(book, rule, team=team, limit=30)
    names = {v: k for k, v in book.db.repos.users.members().items()}
    return build(
        period=period,
        team=team,
        currency=book.input_context.currency,
        generated_at=book.clock.now(),
        total=got.total,
        minutes=got.minutes,
        by_channel=got.by_channel,
        by_rep=[(names.get(o or "", o or "—"), n, m) for o, n, m in got.by_rep],
        by_month=got.by_month,
        quiet_total=quiet_total,
        quiet=[
            (q.id, q.name, q.grade, q.last_at.date() if q.last_at else None, q.days) for q in quiet
        ],
        quiet_rule=rule,
    )
