"""Password policy for a new password (plain Python, no Flask).

Applies when a password is SET (own change, admin reset, new user), never at login:
- at least `min_length` characters;
- not the user name or the NIP, and not containing either (case-insensitive);
- not a common password. The list is the 30,000 most common passwords shipped by the
  `zxcvbn` package (`zxcvbn.frequency_lists`, from leaked-password corpora), plus a few
  local ones (city, institution, Indonesian favourites). A password is also common when it is
  a listed one followed by digits or punctuation ("password2026!") or written in capitals.
"""
from __future__ import annotations

import re
from functools import lru_cache

# Local additions: words a Malang civil servant is likely to pick.
LOCAL_COMMON = (
    "malang", "kotamalang", "malangkota", "ekinerja", "kinerja", "pemkot", "pemkotmalang", "bkpsdm",
    "indonesia", "bismillah", "sayang", "sayangkamu", "rahasia", "katasandi", "pegawai", "merdeka",
    "arema", "aremania", "garuda", "jakarta", "surabaya", "admin", "administrator", "qwertyuiop",
    "asdfghjkl", "1234567890", "0987654321",
)
_TAIL = re.compile(r"[\d\W_]+$")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(p.lower() for p in FREQUENCY_LISTS["passwords"]) | frozenset(LOCAL_COMMON)


def is_common(password: str) -> bool:
    low = password.lower()
    common = common_passwords()
    if low in common:
        return True
    stem = _TAIL.sub("", low)
    return len(stem) >= 3 and stem in common


def password_problems(password: str, names: tuple[str, ...] | list[str] = (), min_length: int = 10) -> list[str]:
    """Reasons (Bahasa Indonesia) why `password` may not be used; empty when it is fine.

    `names` are the user name, the NIP and similar identifiers of the account."""
    problems = []
    password = password or ""
    if len(password) < min_length:
        problems.append(f"Kata sandi minimal {min_length} karakter.")
    low = password.lower()
    for name in names:
        name = (name or "").strip().lower()
        if len(name) >= 3 and name in low:
            problems.append("Kata sandi tidak boleh sama dengan atau memuat nama pengguna atau NIP.")
            break
    if password and is_common(password):
        problems.append("Kata sandi ini terlalu umum dan mudah ditebak. Pilih kata sandi lain.")
    return problems
