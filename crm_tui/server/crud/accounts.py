"""Provides team members, enrolment codes and device tokens."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, col, func, select

from crm_tui.domain.dates import utc
from crm_tui.domain.field_clocks import one_clock_json
from crm_tui.domain.permissions import partition_for
from crm_tui.domain.rules import Role
from crm_tui.server.core import security
from crm_tui.server.crud.records import ChangeSet, utcnow
from crm_tui.server.models import Account, Device, Enrolment, Record


class AccountError(ValueError):
    pass


def _new_id() -> str:
    import uuid_utils

    return str(uuid_utils.uuid7())


def _sync_user_record(session: Session, account: Account, changes: ChangeSet) -> None:
    """Keep the `user` row the laptops pull (names for owners and approvers) in step."""
    rec = session.get(Record, account.id)
    values = {"name": account.name, "email": account.email, "role": account.role}
    now = utcnow()
    stamp = f"{int(now.timestamp() * 1000):016d}-000000-server"
    if rec is None:
        rec = Record(
            id=account.id,
            entity="user",
            owner_id=account.id,
            partition=partition_for("user", account.id),
            created_at=now,
            updated_at=now,
        )
    rec.data = json.dumps(values, ensure_ascii=False)
    rec.field_hlc = one_clock_json(stamp)
    rec.deleted = account.revoked
    rec.updated_at = now
    session.add(rec)
    session.flush()
    changes.touch(rec, fields=dict.fromkeys(values))


def add_user(
    session: Session, *, name: str, role: str, email: str | None = None, days: int = 14
) -> tuple[Account, str]:
    """Create (or re-enrol) a team member; returns the account and a one-time code."""
    name = name.strip()
    if not name:
        raise AccountError("a team member needs a name")
    try:
        role = Role(role.lower()).value
    except ValueError:
        raise AccountError(f"role '{role}' is not one of rep, manager, admin") from None
    account = session.exec(select(Account).where(col(Account.name) == name)).first()
    if account is None:
        account = Account(id=_new_id(), name=name, role=role, email=email, created_at=utcnow())
    else:
        account.role = role
        account.email = email or account.email
        account.revoked = False
    session.add(account)
    changes = ChangeSet()
    _sync_user_record(session, account, changes)
    changes.commit(session)
    code = security.new_enrolment_code()
    now = utcnow()
    session.add(
        Enrolment(
            code_hash=security.hash_secret(security.normalise_code(code)),
            user_id=account.id,
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
    )
    return account, code


def list_users(session: Session) -> list[dict]:
    devices = dict(
        session.exec(
            select(Device.user_id, func.count())
            .where(col(Device.revoked).is_(False))
            .group_by(Device.user_id)
        ).all()
    )
    return [
        {
            "name": a.name,
            "role": a.role,
            "email": a.email,
            "devices": devices.get(a.id, 0),
            "revoked": a.revoked,
            "id": a.id,
        }
        for a in session.exec(select(Account).order_by(Account.name))
    ]


def revoke_user(session: Session, *, name: str) -> int:
    """Revoke every device of a member (they get 401 from now on); returns how many."""
    account = session.exec(select(Account).where(col(Account.name) == name)).first()
    if account is None:
        raise AccountError(f"no team member named '{name}'")
    account.revoked = True
    session.add(account)
    count = 0
    for device in session.exec(select(Device).where(col(Device.user_id) == account.id)):
        if not device.revoked:
            device.revoked = True
            session.add(device)
            count += 1
    for enrolment in session.exec(
        select(Enrolment).where(
            col(Enrolment.user_id) == account.id, col(Enrolment.used_at).is_(None)
        )
    ):
        enrolment.used_at = utcnow()
        session.add(enrolment)
    return count


@dataclass
class Enrolled:
    account: Account
    device: Device
    token: str


def enrol(
    session: Session, *, name: str, code: str, device_name: str, last_client_seq: int
) -> Enrolled:
    """Exchange a one-time code for a device token (only its hash is stored)."""
    account = session.exec(select(Account).where(col(Account.name) == name)).first()
    enrolment = session.get(Enrolment, security.hash_secret(security.normalise_code(code)))
    now = utcnow()
    if (
        account is None
        or account.revoked
        or enrolment is None
        or enrolment.user_id != account.id
        or enrolment.used_at is not None
        or utc(enrolment.expires_at) < now
    ):
        raise AccountError(
            "unknown user or enrolment code (codes work once; ask your admin for a new one)"
        )
    enrolment.used_at = now
    session.add(enrolment)
    token = security.new_token()
    device = Device(
        id=_new_id(),
        user_id=account.id,
        name=device_name,
        token_hash=security.hash_secret(token),
        last_client_seq=last_client_seq,
        created_at=now,
        last_seen_at=now,
    )
    session.add(device)
    return Enrolled(account, device, token)


def device_for_token(session: Session, token: str) -> tuple[Device, Account] | None:
    device = session.exec(
        select(Device).where(col(Device.token_hash) == security.hash_secret(token))
    ).first()
    if device is None:
        return None
    account = session.get(Account, device.user_id)
    if account is None:
        return None
    return device, account


def renew_device(
    session: Session, *, device: Device, account: Account, device_name: str | None
) -> Enrolled:
    """A restored laptop becomes a new device of the same account (no enrolment code): the
    new device starts its change numbers at 0, the old one is revoked (its token stops)."""
    old = session.get(Device, device.id, with_for_update=True)
    if old is None or old.revoked or account.revoked:
        raise AccountError("this device's access was revoked: ask your admin for a new code")
    old.revoked = True
    session.add(old)
    now = utcnow()
    token = security.new_token()
    new = Device(
        id=_new_id(),
        user_id=account.id,
        name=device_name or old.name,
        token_hash=security.hash_secret(token),
        last_client_seq=0,
        created_at=now,
        last_seen_at=now,
    )
    session.add(new)
    return Enrolled(account, new, token)
