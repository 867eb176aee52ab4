"""Realisation of an SKP in a period (design section 9): the daily work linked to each RHK.

Only APPROVED activities of the period count. Each one adds to the RHK it names:
    count    = number of approved activities linked to the RHK
    volume   = Σ volume
    minutes  = Σ recognised minutes (the minutes the superior's approval and the daily cap left;
               a row without recognised minutes yet counts 0)
Approved work naming no RHK (or an RHK that is not one of the plan's) is "non-SKP" work,
summed apart the same way. Draft, submitted, returned and rejected work counts nowhere.

Plain Python: the rows come from app.services.realisation.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Iterable, Optional

from app.domain.money import round_pct

APPROVED = "APPROVED"


@dataclass(frozen=True)
class WorkRow:
    """One activity as the sums need it."""

    rhk_id: Optional[int]
    status: str
    day: date
    volume: Decimal = Decimal("1")
    recognised_minutes: Optional[int] = None


@dataclass
class WorkSum:
    count: int = 0
    volume: Decimal = Decimal("0")
    minutes: int = 0

    def add(self, row: WorkRow) -> None:
        self.count += 1
        self.volume += Decimal(row.volume if row.volume is not None else 0)
        self.minutes += int(row.recognised_minutes or 0)


@dataclass
class PeriodWork:
    per_rhk: dict[int, WorkSum] = field(default_factory=dict)
    non_skp: WorkSum = field(default_factory=WorkSum)

    def of(self, rhk_id: int) -> WorkSum:
        return self.per_rhk.get(rhk_id) or WorkSum()

    @property
    def skp_total(self) -> WorkSum:
        total = WorkSum()
        for s in self.per_rhk.values():
            total.count += s.count
            total.volume += s.volume
            total.minutes += s.minutes
        return total


def sum_work(rows: Iterable[WorkRow], rhk_ids: Iterable[int], first: date, last: date) -> PeriodWork:
    """The approved work of the days first..last (inclusive) per RHK of the plan (`rhk_ids`,
    each present in the result even with no work) and the non-SKP work apart."""
    result = PeriodWork(per_rhk={rid: WorkSum() for rid in rhk_ids})
    for row in rows:
        if row.status != APPROVED or not (first <= row.day <= last):
            continue
        target = result.per_rhk.get(row.rhk_id) if row.rhk_id is not None else None
        (target if target is not None else result.non_skp).add(row)
    return result


def achievement_pct(value: Optional[Decimal], target: Optional[Decimal]) -> Optional[Decimal]:
    """Realisation against the target of an indicator, percent with 2 decimals (half up);
    None without a value or with a zero target."""
    if value is None or target is None or Decimal(target) == 0:
        return None
    return round_pct(Decimal(value) / Decimal(target) * 100)
