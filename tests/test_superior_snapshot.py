"""The submission's superior lookup (services.activities.superior_on) reads a small snapshot of
the organisation: the position chain in one recursive query, grown for the superior instead of
read again. It must agree with the resolution over the whole organisation (the domain rule the
nightly recompute applies), with overrides (Plt) and vacant posts, and end on a cyclic tree."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tests.test_request_cost import counted

ON = date(2026, 11, 16)


def _whole_org():
    from app.extensions import db
    from app.services.organisation import load_org_snapshot
    from app.domain.hierarchy import resolve_all

    return resolve_all(ON, load_org_snapshot(db.session))


def _agrees():
    from app.extensions import db
    from app.models import Employee
    from app.services.activities import superior_on

    expected = _whole_org()
    ids = db.session.scalars(select(Employee.id).where(Employee.active.is_(True))).all()
    assert ids
    for emp_id in ids:
        superior, escalation = superior_on(emp_id, ON)
        assert superior == expected.get(emp_id), emp_id
        assert escalation == (expected.get(superior) if superior is not None else None), emp_id
        # the same with the employee's row given (a submission holds it: its position is not read)
        assert superior_on(emp_id, ON, employee=db.session.get(Employee, emp_id)) == (superior, escalation), emp_id
    return len(ids)


def test_agrees_with_the_whole_organisation(world):
    assert _agrees() > 5


def test_agrees_with_an_override_and_a_vacant_post(world):
    from app.extensions import db
    from app.models import SuperiorOverride

    staff, other_boss = world.employee("staff_a"), world.employee("staff_b")
    db.session.add(SuperiorOverride(employee_id=staff.id, superior_id=other_boss.id, valid_from=date(2026, 11, 1),
                                    valid_to=None, reason="Plt"))
    # the new superior's own superior comes from an override too (the escalation)
    db.session.add(SuperiorOverride(employee_id=other_boss.id, superior_id=world.employee("op_a").id,
                                    valid_from=date(2026, 11, 1), valid_to=None, reason="Plt"))
    kabid = world.employee("kabid_a")
    kabid.position_id = None  # the post above the staff is vacant now
    db.session.commit()
    _agrees()
    from app.services.activities import superior_on

    assert superior_on(staff.id, ON) == (other_boss.id, world.employee("op_a").id)


def test_few_statements_and_a_cycle_ends(world):
    from app.extensions import db
    from app.models import Position
    from app.services.activities import superior_on

    staff = world.employee("staff_a")
    with counted() as seen:
        superior_on(staff.id, ON)
    assert len([s for s in seen if "position" in s.lower()]) <= 3, seen  # chain once, holders, employee
    assert len(seen) <= 6, seen
    # a corrupted tree: the top position made a child of the staff's own position
    top = db.session.scalar(select(Position).where(Position.parent_id.is_(None)))
    top.parent_id = staff.position_id
    db.session.flush()
    superior_on(staff.id, ON)  # ends (UNION stops on repeated rows)
    db.session.rollback()
