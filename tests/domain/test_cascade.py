"""Matriks peran hasil: tree and gaps over hand-made records (app.domain.cascade)."""
from app.domain import cascade as C

# head(1) -> kabid(2) -> kasi(3) -> staff(4); kabid has a second subordinate staff2(5) without SKP.
PEOPLE = [
    C.Person(1, "Kepala", "1", "Kepala Dinas", None, is_head=True),
    C.Person(2, "Kabid", "2", "Kepala Bidang", 1),
    C.Person(3, "Kasi", "3", "Kepala Seksi", 2),
    C.Person(4, "Staf", "4", "Pelaksana", 3),
    C.Person(5, "Staf Dua", "5", "Pelaksana", 2),
]
GOALS = [C.Goal(100, "K1", "Kota sehat", None, city=True), C.Goal(10, "T1", "Layanan kesehatan prima", 100),
         C.Goal(11, "T2", "Tata kelola", 100)]


def skp(pid, status="APPROVED", rev=1):
    return C.SkpRec(pid, pid, status, rev if status == "APPROVED" else None, None)


def test_complete_cascade_without_gaps_except_missing_skp():
    skps = [skp(1), skp(2), skp(3), skp(4)]
    rhks = [C.RhkRec(11, 1, "RHK kepala", goal_id=10, approved_revision=1, indicators=2),
            C.RhkRec(21, 2, "RHK kabid", parent_id=11, approved_revision=1, indicators=1),
            C.RhkRec(31, 3, "RHK kasi", parent_id=21, approved_revision=1),
            C.RhkRec(41, 4, "RHK staf", parent_id=31, approved_revision=1)]
    c = C.build(PEOPLE, skps, rhks, GOALS)
    city = c.roots[0]
    assert city.kind == C.CITY_GOAL and [g.code for g in city.children] == ["T1", "T2"]
    chain = [n.rhk.id for _, n in city.children[0].walk() if n.rhk]
    assert chain == [11, 21, 31, 41]
    assert city.children[0].children[0].rhk.indicators == 2
    assert c.counts == {C.NOT_INTERVENED: 0, C.NOT_INTERVENING: 0, C.NO_GOAL: 0, C.NO_SKP: 1}
    assert [p.id for p in c.no_skp] == [5]


def test_gaps_of_each_kind():
    skps = [skp(1), skp(2), skp(3), skp(4, "DRAFT")]
    rhks = [C.RhkRec(11, 1, "RHK kepala 1", goal_id=10, approved_revision=1),
            C.RhkRec(12, 1, "RHK kepala 2", goal_id=None, approved_revision=1),  # no goal
            C.RhkRec(21, 2, "RHK kabid", parent_id=11, approved_revision=1),
            C.RhkRec(22, 2, "RHK kabid mengambang", parent_id=None, approved_revision=1),  # intervenes nothing
            C.RhkRec(31, 3, "RHK kasi", parent_id=11, approved_revision=1),  # parent not in the superior's plan
            C.RhkRec(41, 4, "RHK staf draf", parent_id=31)]  # draft: shown, does not count for kasi
    c = C.build(PEOPLE, skps, rhks, GOALS)
    nodes = {n.rhk.id: n for n in c.nodes() if n.rhk}
    assert nodes[12].gaps == [C.NOT_INTERVENED, C.NO_GOAL]
    assert nodes[11].gaps == []  # kabid's 21 names it
    assert nodes[21].gaps == [C.NOT_INTERVENED]  # the kasi's RHK names the head's, not 21
    assert nodes[22].gaps == [C.NOT_INTERVENED, C.NOT_INTERVENING]
    assert nodes[31].gaps == [C.NOT_INTERVENED, C.NOT_INTERVENING]
    assert nodes[31].pending_children == 1 and not nodes[41].in_force
    assert nodes[41].gaps == []  # the staff (no subordinates) names the kasi's RHK
    assert nodes[41] in nodes[31].children
    assert c.counts[C.NOT_INTERVENED] == 4 and c.counts[C.NOT_INTERVENING] == 2 and c.counts[C.NO_GOAL] == 1
    groups = [r for r in c.roots if r.kind == C.GROUP]
    assert [g.key for g in groups] == ["group-no-goal", "group-unlinked"]
    assert [n.rhk.id for n in groups[1].children] == [22, 31]
    gaps = C.gaps_only(c)
    shown = {n.rhk.id for n in gaps.nodes() if n.rhk}
    assert shown == {11, 12, 21, 22, 31}  # 11 kept as the parent of 21; 41 has no gap
    assert gaps.counts == c.counts


def test_parent_in_unapproved_superior_plan_is_a_gap():
    skps = [skp(1, "SUBMITTED"), skp(2)]
    rhks = [C.RhkRec(11, 1, "RHK kepala", goal_id=10), C.RhkRec(21, 2, "RHK kabid", parent_id=11, approved_revision=1)]
    c = C.build(PEOPLE[:2], skps, rhks, GOALS)
    nodes = {n.rhk.id: n for n in c.nodes() if n.rhk}
    assert C.NOT_INTERVENING in nodes[21].gaps
    assert nodes[11].status_label == "Diajukan" and not nodes[11].in_force


def test_inactive_rhk_is_left_out_and_revision_is_marked():
    skps = [C.SkpRec(1, 1, "DRAFT", 1, None)]
    rhks = [C.RhkRec(11, 1, "lama", goal_id=10, approved_revision=1, active=False),
            C.RhkRec(12, 1, "baru", goal_id=10, approved_revision=None)]
    c = C.build(PEOPLE[:1], skps, rhks, GOALS)
    nodes = [n for n in c.nodes() if n.rhk]
    assert [n.rhk.id for n in nodes] == [12]
    assert nodes[0].status_label == "Draf (revisi)"


def test_branch_of_an_employee_shows_the_chain_above_as_context():
    skps = [skp(1), skp(2), skp(3), skp(4)]
    rhks = [C.RhkRec(11, 1, "RHK kepala", goal_id=10, approved_revision=1),
            C.RhkRec(12, 1, "RHK kepala lain", goal_id=11, approved_revision=1),
            C.RhkRec(21, 2, "RHK kabid", parent_id=11, approved_revision=1),
            C.RhkRec(31, 3, "RHK kasi", parent_id=21, approved_revision=1),
            C.RhkRec(41, 4, "RHK staf", parent_id=31, approved_revision=1)]
    superior_of = {p.id: p.superior_id for p in PEOPLE}
    kasi = C.descendants(3, superior_of)
    assert kasi == {3, 4}
    c = C.build(PEOPLE, skps, rhks, GOALS, visible=kasi)
    shown = {n.rhk.id: n for n in c.nodes() if n.rhk}
    assert set(shown) == {11, 21, 31, 41}
    assert shown[11].context and shown[21].context and not shown[31].context
    assert shown[11].gaps == [] and shown[21].gaps == []
    assert [g.code for g in c.roots[0].children] == ["T1"]  # the other goal is not in the branch
    assert c.counts[C.NO_SKP] == 0  # staff2 is not below the kasi
    staff = C.build(PEOPLE, skps, rhks, GOALS, visible={4})
    assert {n.rhk.id for n in staff.nodes() if n.rhk} == {11, 21, 31, 41}
    assert sum(staff.counts.values()) == 0


def test_superior_outside_the_opd_heads_its_own_root():
    people = [C.Person(9, "Plt", "9", "Kepala Dinas Lain", None, in_opd=False),
              C.Person(2, "Kabid", "2", "Kepala Bidang", 9)]
    skps = [skp(9), skp(2)]
    rhks = [C.RhkRec(91, 9, "RHK Plt", approved_revision=1), C.RhkRec(21, 2, "RHK kabid", parent_id=91,
                                                                        approved_revision=1)]
    c = C.build(people, skps, rhks, GOALS)
    outside = [r for r in c.roots if r.kind == C.OUTSIDE_RHK]
    assert len(outside) == 1 and outside[0].children[0].rhk.id == 21
    assert outside[0].children[0].gaps == [] and c.counts[C.NOT_INTERVENING] == 0
