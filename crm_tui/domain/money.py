"""Provides money as integer minor units: parsing what a rep types and formatting it back."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

DEFAULT_CURRENCY = "CNY"

# ISO 4217 currencies whose minor unit is not 1/100.
_EXPONENTS = {
    "JPY": 0,
    "KRW": 0,
    "VND": 0,
    "CLP": 0,
    "ISK": 0,
    "HUF": 2,
    "TWD": 2,
    "IDR": 2,
    "BHD": 3,
    "KWD": 3,
    "OMR": 3,
    "JOD": 3,
    "TND": 3,
}
_SYMBOLS = {"CNY": "¥", "JPY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "HKD": "HK$", "KRW": "₩"}
_SYMBOL_TO_CODE = {"¥": "CNY", "￥": "CNY", "$": "USD", "€": "EUR", "£": "GBP", "₩": "KRW"}
_CURRENCY_RE = re.compile(r"^[A-Z]{3}$")


class MoneyError(ValueError):
    pass


def exponent(currency: str) -> int:
    return _EXPONENTS.get(currency.upper(), 2)


def check_currency(code: str) -> str:
    code = code.strip().upper()
    if not _CURRENCY_RE.match(code):
        raise MoneyError(f"'{code}' is not an ISO 4217 currency code such as CNY or USD")
    return code


def parse_money(text: str, currency: str = DEFAULT_CURRENCY) -> tuple[int, str]:
    """'¥12,345.50' -> (1234550, 'CNY'); '1.2万' -> 12000 yuan; negatives are refused.

    Returns (minor units, currency). A currency symbol or code in the text wins over the
    default.
    """
    raw = text.strip()
    if not raw:
        raise MoneyError("an amount is required")
    s = raw.replace(",", "").replace("，", "").replace(" ", "")
    code_match = re.search(r"[A-Za-z]{3}", s)
    if code_match:
        currency = code_match.group(0)
        s = s.replace(code_match.group(0), "")
    for symbol, code in _SYMBOL_TO_CODE.items():
        if symbol in s:
            currency = currency if code_match else code
            s = s.replace(symbol, "", 1)
            break
    currency = check_currency(currency)
    multiplier = Decimal(1)
    if s.endswith("万"):
        multiplier, s = Decimal(10_000), s[:-1]
    elif s.lower().endswith("k"):
        multiplier, s = Decimal(1_000), s[:-1]
    try:
        value = Decimal(s) * multiplier
    except InvalidOperation:
        raise MoneyError(f"'{raw}' is not an amount (try 1234.50)") from None
    if not value.is_finite():
        raise MoneyError(f"'{raw}' is not an amount (try 1234.50)")
    if value < 0:
        raise MoneyError(f"'{raw}' is negative; amounts must be zero or more")
    scaled = value * (10 ** exponent(currency))
    if scaled != scaled.to_integral_value():
        raise MoneyError(f"'{raw}' has more decimals than {currency} allows")
    minor = int(scaled)
    if minor > 10**15:
        raise MoneyError(f"'{raw}' is too large")
    return minor, currency


def format_money(minor: int | None, currency: str = DEFAULT_CURRENCY, symbol: bool = True) -> str:
    if minor is None:
        return ""
    exp = exponent(currency)
    sign = "-" if minor < 0 else ""
    whole, frac = divmod(abs(minor), 10**exp) if exp else (abs(minor), 0)
    body = f"{whole:,}" + (f".{frac:0{exp}d}" if exp else "")
    prefix = _SYMBOLS.get(currency, currency + " ") if symbol else ""
    return f"{sign}{prefix}{body}"


def to_major(minor: int, currency: str = DEFAULT_CURRENCY) -> str:
    """Plain decimal string for files (CSV, JSON exports): 1234550 -> '12345.50'."""
    return format_money(minor, currency, symbol=False).replace(",", "")
