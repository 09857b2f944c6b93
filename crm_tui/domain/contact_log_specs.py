"""Provides the contact log's pure rules (联系记录, issue 17): the channel words a rep types
(电话/拜访/微信/短信/邮件/会议 and English ones), the customer page's one-line quick log,
an entry's limits (minutes of one contact, never in the future) and the `mailto:` address
for composing an e-mail. `domain/fields.py`'s check_record runs the limits' clock-free part.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from crm_tui.domain.work_report_specs import Channel, OfficeError


def mailto(address: str, subject: str = "", body: str = "") -> str:
    """A `mailto:` address for the system mail client (subject and body percent-encoded)."""
    from urllib.parse import quote

    query = "&".join(
        f"{name}={quote(value)}" for name, value in (("subject", subject), ("body", body)) if value
    )
    return f"mailto:{quote(address, safe='@.+-_')}" + (f"?{query}" if query else "")


# One entry is one contact: a day at most (a typo like 100000000 skews every statistic).
MAX_CONTACT_MINUTES = 24 * 60
# How far ahead of the clock an entry's time may be (a watch a little fast), no more.
FUTURE_SLACK = timedelta(minutes=5)


def contact_log_errors(record: Any, now: datetime | None = None) -> list[tuple[str, str]]:
    """(field, message) for each rule a contact-log entry breaks: minutes from 0 to a day;
    with `now`, a time not in the future. The field registry's check_record (laptop and
    server) runs the minutes rule; the contact-log service adds the clock."""
    problems = []
    minutes = record.get("minutes")
    if minutes is not None and not (0 <= minutes <= MAX_CONTACT_MINUTES):
        problems.append(
            ("minutes", f"must be from 0 to {MAX_CONTACT_MINUTES} (24 h) for one contact")
        )
    at = record.get("at")
    if isinstance(at, datetime) and at.tzinfo is None:
        at = at.replace(tzinfo=UTC)  # stored UTC
    if now is not None and isinstance(at, datetime) and at > now + FUTURE_SLACK:
        problems.append(("at", "is in the future: log a contact once it happened"))
    return problems


# The words a rep types for a channel (Chinese and English) -> the stored channel.
CHANNEL_WORDS: dict[str, str] = {
    **{c.value: c.value for c in Channel},
    **dict.fromkeys(("电话", "通话", "phone", "tel"), "call"),
    **dict.fromkeys(("拜访", "上门", "面谈"), "visit"),
    **dict.fromkeys(("微信", "wx", "weixin"), "wechat"),
    **dict.fromkeys(("短信", "text"), "sms"),
    **dict.fromkeys(("邮件", "电邮", "mail", "e-mail"), "email"),
    **dict.fromkeys(("会议", "开会", "meet"), "meeting"),
}
# Ways of contact the log has no channel for: refused rather than saved as a call.
OTHER_CHANNELS = frozenset(
    ("fax", "传真", "qq", "钉钉", "dingtalk", "whatsapp", "telegram", "skype", "zoom", "letter")
)
_MINUTES = re.compile(r"(\d{1,4})\s*(m|min|mins|分钟)?")
CHANNEL_HINT = "call visit email sms wechat meeting · 电话 拜访 邮件 短信 微信 会议"


def channel_of(word: str) -> str:
    """The stored channel a typed word means ('微信' -> 'wechat'); `OfficeError` otherwise."""
    found = CHANNEL_WORDS.get(word.strip().lower())
    if found is None:
        raise OfficeError("channel", f"'{word.strip()}' is not a channel: {CHANNEL_HINT}")
    return found


def parse_quick_log(text: str) -> tuple[str, int | None, str]:
    """'call 12 asked for a quote' / '微信 5 客户问价格' -> (channel, minutes, summary): the
    quick-log line of the customer page. The channel word is optional (a call), then
    minutes ('12', '12m'). A first word followed by minutes, or a known way of contact the
    log has no channel for ('fax'), is a channel that must be known: refused, not a call."""
    words = text.strip().split(maxsplit=1)
    channel = Channel.CALL.value
    rest = words[1].split(maxsplit=1) if len(words) > 1 else []
    if words and (
        words[0].lower() in CHANNEL_WORDS
        or words[0].lower() in OTHER_CHANNELS
        or (
            rest
            and not _MINUTES.fullmatch(words[0].lower())
            and _MINUTES.fullmatch(rest[0].lower())
        )
    ):
        if words[0].lower() not in CHANNEL_WORDS:  # the way out when it was no channel
            raise OfficeError(
                "channel",
                f"'{words[0]}' is not a channel ({CHANNEL_HINT}); "
                f"a call about it: 电话 {text.strip()[:30]}",
            )
        channel = channel_of(words[0])
        words = rest
    minutes = None
    if words:
        found = _MINUTES.fullmatch(words[0].lower())
        if found:
            minutes = int(found[1])
            words = words[1:]
    summary = " ".join(words).strip()
    if not summary and minutes is None and not text.strip():
        raise OfficeError("summary", "type what happened: call 12 asked for a quote")
    return channel, minutes, summary
