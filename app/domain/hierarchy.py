"""Line of command: tree cycle checks and resolution of an employee's direct superior.

The default superior (atasan langsung) is the holder of the parent position. A superior
override (Plt, vacancy, teacher -> head of school) valid on the date wins. A vacant parent
post is skipped (go one level up). The top of the tree (Sekda) has no superior.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

# Marker for "the position walk hit a cycle" inside the memoised resolver.
_CYCLE = object()


def would_create_cycle(
    node_id: int | None,
    new_parent_id: int | None,
    parent_of: Mapping[int, int | None],
) -> bool:
    """True when making new_parent_id the parent of node_id makes node its own ancestor.

    A new row (node_id None) or a root (new_parent_id None) never creates a cycle. The walk
    terminates even when parent_of already contains a cycle elsewhere.
    """
    if node_id is None or new_parent_id is None:
        return False
    seen: set[int] = set()
    current: int | None = new_parent_id
    while current is not None:
        if current == node_id:
            return True
        if current in seen:  # pre-existing cycle not involving node_id
            return False
        seen.add(current)
        current = parent_of.get(current)
    return False


@dataclass(frozen=True)
class Override:
    """A superior override for one employee, valid from/to (inclusive; valid_to None = open)."""

    superior_id: int
    valid_from: date
    valid_to: date | None

    def is_valid_on(self, on: date) -> bool:
        """True when the override applies on the given date (boundaries inclusive)."""
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


@dataclass
class OrgSnapshot:
    """The organisation as needed to resolve superiors on one date."""

    employee_position: Mapping[int, int | None]  # active employee id -> position id
    position_parent: Mapping[int, int | None]  # position id -> parent position id
    position_holders: Mapping[int, Sequence[int]] = field(default_factory=dict)
    overrides: Mapping[int, Sequence[Override]] = field(default_factory=dict)


def _override_superior(employee_id: int, on: date, org: OrgSnapshot) -> int | None:
    """Superior from the applicable override, or None when no override applies."""
    best: Override | None = None
    for ov in org.overrides.get(employee_id, ()):
        if not ov.is_valid_on(on):
            continue
        if ov.superior_id == employee_id or ov.superior_id not in org.employee_position:
            continue
        if best is None or (ov.valid_from, ov.superior_id) > (best.valid_from, best.superior_id):
            best = ov
    return best.superior_id if best is not None else None


def _other_holders(position_id: int, employee_id: int, org: OrgSnapshot) -> list[int]:
    return [h for h in org.position_holders.get(position_id, ()) if h != employee_id]


def _walk_up(employee_id: int, position_id: int, org: OrgSnapshot) -> int | None:
    """Smallest holder (other than the employee) of the nearest staffed ancestor position."""
    visited: set[int] = {position_id}
    current = org.position_parent.get(position_id)
    while current is not None:
        if current in visited:  # corrupted tree: stop
            return None
        visited.add(current)
        holders = _other_holders(current, employee_id, org)
        if holders:
            return min(holders)
        current = org.position_parent.get(current)
    return None


def resolve_superior(employee_id: int, on: date, org: OrgSnapshot) -> int | None:
    """Direct superior (employee id) of an employee on a date, or None (top of the tree)."""
    superior = _override_superior(employee_id, on, org)
    if superior is not None:
        return superior
    position_id = org.employee_position.get(employee_id)
    if position_id is None:
        return None
    return _walk_up(employee_id, position_id, org)


def is_top_of_tree(employee_id: int, org: OrgSnapshot) -> bool:
    """True for the genuine top of the tree: an active employee whose position has no parent
    position (the Sekda; BKD decides there). An employee without a position, one whose
    superior posts are all vacant, or one in a corrupted tree is NOT the top: their superior
    is simply not set, which the operator must fix."""
    position_id = org.employee_position.get(employee_id)
    if position_id is None:
        return False
    return position_id in org.position_parent and org.position_parent[position_id] is None


def _nearest_staffed(
    position_id: int, org: OrgSnapshot, memo: dict[int, int | None]
) -> object:
    """Nearest ancestor position with any holder, memoised; _CYCLE if the walk loops.

    Memo entries are only written for walks that end without revisiting a node, so
    every entry equals what an uncached walk from that node returns (and is never the
    node itself).
    """
    if position_id in memo:
        result: object = memo[position_id]
    else:
        path: list[int] = [position_id]
        on_path: set[int] = {position_id}
        current = org.position_parent.get(position_id)
        while True:
            if current is None:
                result = None
                break
            if current in on_path:
                return _CYCLE
            if org.position_holders.get(current):
                result = current
                break
            if current in memo:
                result = memo[current]
                break
            path.append(current)
            on_path.add(current)
            current = org.position_parent.get(current)
        if result is not None and result in on_path:
            # The cached continuation leads back into this walk: a cycle.
            return _CYCLE
        for node in path:
            memo[node] = result  # type: ignore[assignment]
    return result


def resolve_all(on: date, org: OrgSnapshot) -> dict[int, int | None]:
    """Direct superior of every active employee on a date (memoised per position)."""
    memo: dict[int, int | None] = {}
    result: dict[int, int | None] = {}
    for employee_id, position_id in org.employee_position.items():
        superior = _override_superior(employee_id, on, org)
        if superior is not None:
            result[employee_id] = superior
            continue
        if position_id is None:
            result[employee_id] = None
            continue
        target = _nearest_staffed(position_id, org, memo)
        if target is _CYCLE:
            result[employee_id] = _walk_up(employee_id, position_id, org)
        elif target is None:
            result[employee_id] = None
        else:
            holders = _other_holders(target, employee_id, org)  # type: ignore[arg-type]
            result[employee_id] = (
                min(holders) if holders else _walk_up(employee_id, position_id, org)
            )
    return result


def subordinates_of(superiors: Mapping[int, int | None]) -> dict[int, list[int]]:
    """Invert a resolve_all result: superior id -> sorted subordinate ids."""
    out: dict[int, list[int]] = {}
    for employee_id, superior_id in superiors.items():
        if superior_id is not None:
            out.setdefault(superior_id, []).append(employee_id)
    for ids in out.values():
        ids.sort()
    return out


def ancestors(position_id: int, parent_of: Mapping[int, int | None]) -> Iterable[int]:
    """Yield the ancestors of a position, nearest first; stops on a cycle."""
    seen: set[int] = {position_id}
    current = parent_of.get(position_id)
    while current is not None and current not in seen:
        seen.add(current)
        yield current
        current = parent_of.get(current)
