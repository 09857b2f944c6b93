"""Provides the words of the query language per record type: field names, aliases, pseudo-fields.

Shared by the compiler (to resolve a name) and the query bar (to complete one), so a field
is spelled the same in both.
"""

from __future__ import annotations

from dataclasses import dataclass

from crm_tui.domain import rules
from crm_tui.domain.fields import ENTITIES, EntitySpec, FieldSpec
from crm_tui.domain.insight import SEGMENTS

# Hand-written shortcuts; `customer` for `customer_id`, `due` for `due_at` etc. are derived.
_ALIASES: dict[str, dict[str, str]] = {
    "*": {"owner": "owner_id", "created": "created_at", "updated": "updated_at"},
    "activity": {"deal": "opportunity_id", "type": "kind", "reminder": "remind_at"},
    "opportunity": {
        "close": "expected_close",
        "closes": "expected_close",
        "prob": "probability",
        "closed": "closed_on",
        "value": "amount",
    },
    "expense": {"spent": "spent_on", "date": "spent_on", "deal": "opportunity_id"},
    "contact": {"company": "customer_id"},
    "customer": {"released": "pool_since"},  # the pool (issue 18): released:-30d..
    "opportunity_line": {"deal": "opportunity_id", "price": "unit_price"},
    "announcement": {"published": "published_at"},
    "service": {"planned": "planned_start", "deal": "opportunity_id", "type": "kind"},
    "service_plan": {"from": "starts_on", "to": "ends_on", "deal": "opportunity_id"},
    "campaign": {"start": "starts_on", "end": "ends_on", "type": "kind"},  # issue 16
}

# Pseudo-fields (no column of that name) and the values they take.
PSEUDO: dict[str, dict[str, tuple[str, ...]]] = {
    "*": {"id": (), "is": ()},
    "customer": {
        "has": ("overdue", "open-deal", "open-followup", "contact"),
        # Customer insight (issue 22, query/insight_terms.py): segment:重要价值, risk>0.6.
        "segment": tuple(s.key for s in SEGMENTS) + tuple(s.chinese for s in SEGMENTS),
        "risk": (),
    },
    "activity": {"status": ("open", "done", "overdue")},
    "opportunity": {"weighted": ()},
    # engineer:me, engineer:王; involves:me (made by or sent to) (query/pseudo.py)
    "service": {"engineer": ("me",), "involves": ("me",)},
}

# Extra values a real field accepts beyond its choices.
EXTRA_VALUES: dict[tuple[str, str], tuple[str, ...]] = {
    ("opportunity", "stage"): ("open", "closed"),
    ("activity", "due_at"): ("overdue", "none"),
    ("payment_plan", "due_on"): ("overdue", "none"),
}

# What `is:X` means on each record type: the term it stands for.
IS_SHORTHANDS: dict[str, dict[str, str]] = {
    "activity": {"open": "status:open", "done": "status:done", "overdue": "status:overdue"},
    "opportunity": {
        "open": "stage:open",
        "closed": "stage:closed",
        "won": "stage:won",
        "lost": "stage:lost",
    },
    "customer": {"overdue": "has:overdue"},
    "expense": {status.value: f"status:{status.value}" for status in rules.ExpenseStatus},
    "saved_query": {"pinned": "pinned:yes"},
    "service": {
        "mine": "involves:me",
        "open": "status:new,requested,approved,in_progress",
        "waiting": "status:requested",
        "dispatched": "status:approved",
        "done": "status:done,closed",
    },
}

# Relative dates offered by completion (any ±Nd/w/m/y and ISO date is accepted too).
DATE_WORDS = ("today", "tomorrow", "yesterday", "sow", "eow", "som", "eom", "+7d", "-30d")

SYSTEM_FIELDS: dict[str, FieldSpec] = {
    "owner_id": FieldSpec("owner_id", "ref", "Owner", ref="user"),
    "created_at": FieldSpec("created_at", "datetime", "Created"),
    "updated_at": FieldSpec("updated_at", "datetime", "Updated"),
}

WEIGHTED = FieldSpec("weighted", "money", "Weighted amount")
# A customer's last contact: the newest done follow-up, or when the customer was added.
CONTACTED = FieldSpec("contacted", "datetime", "Last contact")
# A customer's estimated lifetime value (stored, local: storage/insight_store.py).
CLV = FieldSpec("clv", "money", "Lifetime value")


@dataclass(frozen=True)
class Vocabulary:
    """The names one record type understands: field specs by name and every alias."""

    spec: EntitySpec
    fields: dict[str, FieldSpec]
    aliases: dict[str, str]
    pseudo: dict[str, tuple[str, ...]]

    def resolve(self, name: str) -> str | None:
        """The field or pseudo-field a typed name means, or None."""
        if name in self.fields or name in self.pseudo:
            return name
        return self.aliases.get(name)

    def names(self) -> list[str]:
        """Every name a rep may type, shortest spelling first for completion."""
        out = set(self.aliases) | set(self.pseudo) | set(self.fields)
        return sorted(out, key=lambda n: (n.endswith(("_id", "_at", "_on")), n))

    def values(self, name: str) -> tuple[str, ...]:
        """The fixed values a field takes (choices, pseudo-values), for completion."""
        resolved = self.resolve(name)
        if resolved is None:
            return ()
        if resolved in self.pseudo:
            if resolved == "is":
                return tuple(IS_SHORTHANDS.get(self.spec.name, {}))
            return self.pseudo[resolved]
        fspec = self.fields[resolved]
        extra = EXTRA_VALUES.get((self.spec.name, resolved), ())
        if fspec.kind == "bool":
            return ("yes", "no")
        if fspec.kind in ("date", "datetime"):
            return extra + DATE_WORDS
        if resolved == "owner_id":
            return ("me",)
        return fspec.choices + extra


_CACHE: dict[str, Vocabulary] = {}


def vocabulary(entity_name: str) -> Vocabulary:
    if entity_name in _CACHE:
        return _CACHE[entity_name]
    spec = ENTITIES[entity_name]
    fields = dict(SYSTEM_FIELDS) | dict(spec.by_name)
    aliases: dict[str, str] = {}
    for name in fields:
        for suffix in ("_id", "_at", "_on"):
            if name.endswith(suffix) and name[: -len(suffix)] not in fields:
                aliases[name[: -len(suffix)]] = name
    for scope in ("*", spec.name):
        aliases.update({k: v for k, v in _ALIASES.get(scope, {}).items() if v in fields})
    pseudo = dict(PSEUDO["*"]) | PSEUDO.get(spec.name, {})
    if spec.name == "opportunity":
        fields["weighted"] = WEIGHTED
        pseudo.pop("weighted")
    if spec.name == "customer":
        fields["contacted"] = CONTACTED
        fields["clv"] = CLV
    vocab = Vocabulary(spec, fields, aliases, pseudo)
    _CACHE[entity_name] = vocab
    return vocab
