"""Matriks peran hasil: the cascade of an OPD as a tree, and its gaps (design section 9).

Plain Python over simple records (no Flask, no models): app.services.cascade loads the OPD's
goals, SKP, RHK and employees in bulk and hands them here.

The tree: city goal -> OPD goal -> the head's RHK (goal_id) -> each subordinate RHK that
intervenes in it (parent_id) -> ... Only an APPROVED plan is the cascade in force: an RHK is in
force when it belongs to the last approved revision of its SKP; others are shown marked with
the status of their SKP.

Gaps:
- NOT_INTERVENED: an RHK of someone who has subordinates that no subordinate RHK in force names;
- NOT_INTERVENING: an RHK below the head with no parent, or whose parent is not an RHK in force
  of the superior's plan;
- NO_GOAL: an RHK of the OPD head that names no goal of the OPD;
- NO_SKP: an employee of the OPD without an SKP for the year.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Optional

NOT_INTERVENED = "NOT_INTERVENED"
NOT_INTERVENING = "NOT_INTERVENING"
NO_GOAL = "NO_GOAL"
NO_SKP = "NO_SKP"
GAP_KINDS = (NOT_INTERVENED, NOT_INTERVENING, NO_GOAL, NO_SKP)
GAP_LABELS = {
    NOT_INTERVENED: "RHK ini belum diintervensi oleh bawahan",
    NOT_INTERVENING: "RHK tidak mengintervensi RHK atasan",
    NO_GOAL: "RHK belum mengacu pada tujuan OPD",
    NO_SKP: "Belum menyusun SKP",
}

STATUS_LABELS = {"DRAFT": "Draf", "SUBMITTED": "Diajukan", "APPROVED": "Disetujui", "RETURNED": "Dikembalikan"}

# Node kinds
CITY_GOAL = "CITY_GOAL"
OPD_GOAL = "OPD_GOAL"
RHK = "RHK"
OUTSIDE_RHK = "OUTSIDE_RHK"  # an RHK of a superior outside the OPD that RHK of the OPD intervene in
GROUP = "GROUP"  # a heading of RHK that hang nowhere in the cascade


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    nip: str = ""
    position: str = ""
    superior_id: Optional[int] = None  # the superior today (Employee.superior_id)
    is_head: bool = False  # holds the OPD's top post
    in_opd: bool = True  # False: a superior outside the OPD (only their RHK are shown as context)


@dataclass(frozen=True)
class SkpRec:
    id: int
    employee_id: int
    status: str
    approved_revision: Optional[int] = None
    superior_id: Optional[int] = None  # the pejabat penilai snapshot at submission


@dataclass(frozen=True)
class RhkRec:
    id: int
    skp_id: int
    name: str
    kind: str = "UTAMA"
    number: int = 1
    parent_id: Optional[int] = None
    goal_id: Optional[int] = None
    approved_revision: Optional[int] = None
    active: bool = True
    indicators: int = 0


@dataclass(frozen=True)
class Goal:
    id: int
    code: str
    name: str
    parent_id: Optional[int] = None  # an OPD goal names its city goal
    city: bool = False  # the Wali Kota's goal (unit NULL)


@dataclass
class Node:
    kind: str
    key: str
    label: str
    code: str = ""
    rhk: Optional[RhkRec] = None
    person: Optional[Person] = None
    skp: Optional[SkpRec] = None
    in_force: bool = False
    gaps: list = field(default_factory=list)
    pending_children: int = 0  # subordinate RHK naming this one that are not in force yet
    context: bool = False  # shown only to place a visible node (an employee's own branch)
    children: list = field(default_factory=list)

    @property
    def status_label(self) -> str:
        if self.skp is None:
            return ""
        label = STATUS_LABELS.get(self.skp.status, self.skp.status)
        if self.skp.status != "APPROVED" and self.skp.approved_revision is not None:
            label += " (revisi)"
        return label

    @property
    def gap_labels(self) -> list[str]:
        return [GAP_LABELS[g] for g in self.gaps]

    def walk(self, depth: int = 0):
        """(depth, node) of this node and everything below, depth first."""
        yield depth, self
        for child in self.children:
            yield from child.walk(depth + 1)


@dataclass
class Cascade:
    roots: list  # Nodes: city goals (or OPD goals without one), outside RHK, groups
    no_skp: list  # Persons of the OPD without an SKP for the year
    counts: dict  # gap kind -> number

    def nodes(self):
        """Every node of the tree, depth first."""
        for root in self.roots:
            for _, node in root.walk():
                yield node

    @property
    def total_gaps(self) -> int:
        return sum(self.counts.values())


def in_force(rhk: RhkRec, skp: SkpRec) -> bool:
    """Part of the approved plan in force (same rule as app.domain.skp.in_force)."""
    return rhk.active and skp.approved_revision is not None and rhk.approved_revision == skp.approved_revision


def cascade_superior(person: Person, skp: Optional[SkpRec]) -> Optional[int]:
    """The superior whose plan an SKP cascades from: the snapshot once submitted or approved,
    else the superior today."""
    if skp is not None and skp.status in ("SUBMITTED", "APPROVED") and skp.superior_id is not None:
        return skp.superior_id
    return person.superior_id


def _sort_key(node: Node):
    r = node.rhk
    return (0 if r.kind == "UTAMA" else 1, node.person.name if node.person else "", r.number, r.id) if r else (
        node.code, node.label)


def build(people: Iterable[Person], skps: Iterable[SkpRec], rhks: Iterable[RhkRec], goals: Iterable[Goal],
          visible: Optional[set] = None) -> Cascade:
    """The tree and its gaps.

    `people`: the OPD's employees (in_opd) and superiors outside it whose RHK are named;
    `skps`/`rhks`: their SKP of the year and its active and inactive RHK; `goals`: the OPD's goals
    and the city goals they name. `visible`: ids of the persons whose nodes are shown (an
    employee's own branch); None for the whole OPD. Nodes above a visible one are kept as
    context; gaps are counted over visible nodes only."""
    people = {p.id: p for p in people}
    skps = {s.id: s for s in skps}
    skp_of = {s.employee_id: s for s in skps.values()}
    rhks = [r for r in rhks if r.active and r.skp_id in skps]
    rhk_by_id = {r.id: r for r in rhks}
    goals = {g.id: g for g in goals}

    subordinates: dict[int, set] = {}
    for p in people.values():
        if not p.in_opd:
            continue
        sup = cascade_superior(p, skp_of.get(p.id))
        if sup is not None:
            subordinates.setdefault(sup, set()).add(p.id)

    nodes: dict[int, Node] = {}
    for r in rhks:
        skp = skps[r.skp_id]
        person = people.get(skp.employee_id)
        if person is None:
            continue
        nodes[r.id] = Node(kind=RHK if person.in_opd else OUTSIDE_RHK, key=f"rhk-{r.id}", label=r.name, rhk=r,
                           person=person, skp=skp, in_force=in_force(r, skp))

    # Links and the gaps of each RHK of the OPD.
    parent_of: dict[int, int] = {}  # rhk id -> parent rhk id (a valid link in the tree)
    goal_of: dict[int, int] = {}  # head's rhk id -> OPD goal id
    unlinked: list[Node] = []
    no_goal: list[Node] = []
    for rid, node in nodes.items():
        if node.kind != RHK:
            continue
        r, person = node.rhk, node.person
        if person.is_head:
            goal = goals.get(r.goal_id) if r.goal_id is not None else None
            if goal is None or goal.city:
                node.gaps.append(NO_GOAL)
                no_goal.append(node)
            else:
                goal_of[rid] = goal.id
            continue
        parent = nodes.get(r.parent_id) if r.parent_id is not None else None
        sup = cascade_superior(person, node.skp)
        if parent is None or parent.person.id != sup or not parent.in_force:
            node.gaps.append(NOT_INTERVENING)
            unlinked.append(node)
        else:
            parent_of[rid] = parent.rhk.id

    for rid, pid in parent_of.items():
        parent, child = nodes[pid], nodes[rid]
        parent.children.append(child)
    for rid, node in nodes.items():
        if node.kind != RHK or not subordinates.get(node.person.id):
            continue
        named = [c for c in node.children if c.in_force]
        node.pending_children = len(node.children) - len(named)
        if not named:
            # A subordinate RHK that names this one outside the valid cascade does not count either.
            node.pending_children += sum(1 for u in unlinked if u.rhk.parent_id == rid)
            node.gaps.insert(0, NOT_INTERVENED)

    # Visibility: the visible persons' nodes, and everything above them as context.
    if visible is not None:
        shown: set[int] = set()
        for rid, node in nodes.items():
            if node.person.id in visible:
                shown.add(rid)
                up = parent_of.get(rid)
                while up is not None and up not in shown:
                    shown.add(up)
                    nodes[up].context = nodes[up].person.id not in visible
                    up = parent_of.get(up)
        for node in nodes.values():
            node.children = [c for c in node.children if c.rhk.id in shown]
    else:
        shown = set(nodes)

    # Roots: goals with the head's RHK, outside superiors' RHK, then the RHK hanging nowhere.
    goal_nodes: dict[int, Node] = {}

    def goal_node(gid: int) -> Node:
        if gid not in goal_nodes:
            g = goals[gid]
            goal_nodes[gid] = Node(kind=CITY_GOAL if g.city else OPD_GOAL, key=f"goal-{gid}", label=g.name,
                                   code=g.code)
        return goal_nodes[gid]

    for rid, gid in goal_of.items():
        if rid in shown:
            goal_node(gid).children.append(nodes[rid])
    if visible is None:  # the whole OPD: every goal of the OPD, even one no RHK names yet
        for g in goals.values():
            if not g.city:
                goal_node(g.id)
    roots: list[Node] = []
    city_nodes: dict[int, Node] = {}
    for gid, gnode in list(goal_nodes.items()):
        g = goals[gid]
        if g.city:
            continue
        if g.parent_id is not None and g.parent_id in goals and goals[g.parent_id].city:
            if g.parent_id not in city_nodes:
                city_nodes[g.parent_id] = goal_node(g.parent_id)
                roots.append(city_nodes[g.parent_id])
            city_nodes[g.parent_id].children.append(gnode)
        else:
            roots.append(gnode)

    # A valid link to a superior outside the OPD: the outside RHK heads its own root.
    for node in nodes.values():
        if node.kind == OUTSIDE_RHK and node.children:
            node.context = True
            roots.append(node)
    loose = [n for n in unlinked if n.rhk.id in shown]
    if loose:
        roots.append(Node(kind=GROUP, key="group-unlinked", label="RHK yang belum terhubung ke RHK atasan",
                          children=loose))
    nogoal = [n for n in no_goal if n.rhk.id in shown]
    if nogoal:
        roots.append(Node(kind=GROUP, key="group-no-goal", label="RHK kepala OPD tanpa tujuan OPD", children=nogoal))

    def order(node: Node) -> None:
        node.children.sort(key=_sort_key)
        for c in node.children:
            order(c)

    roots.sort(key=lambda n: (n.kind in (GROUP, OUTSIDE_RHK), n.kind == GROUP, n.code, n.label))
    for root in roots:
        order(root)

    no_skp = sorted((p for p in people.values() if p.in_opd and p.id not in skp_of
                     and (visible is None or p.id in visible)), key=lambda p: (not p.is_head, p.name, p.id))
    counts = dict.fromkeys(GAP_KINDS, 0)
    for rid in shown:
        node = nodes[rid]
        if node.kind == RHK and not node.context:
            for g in node.gaps:
                counts[g] += 1
    counts[NO_SKP] = len(no_skp)
    for node in nodes.values():
        if node.context:
            node.gaps = []  # a context node's gaps belong to someone else's view
    return Cascade(roots=roots, no_skp=no_skp, counts=counts)


def gaps_only(cascade: Cascade) -> Cascade:
    """The same tree cut down to the nodes with a gap and the nodes above them."""

    def prune(node: Node) -> Optional[Node]:
        kept = [c for c in (prune(c) for c in node.children) if c is not None]
        if node.gaps or kept:
            copy = Node(**{**node.__dict__, "children": kept})
            return copy
        return None

    roots = [r for r in (prune(r) for r in cascade.roots) if r is not None]
    return Cascade(roots=roots, no_skp=cascade.no_skp, counts=cascade.counts)


def descendants(person_id: int, superior_of: dict) -> set:
    """`person_id` and everybody below them (`superior_of`: person id -> superior id)."""
    below: dict[int, list] = {}
    for pid, sup in superior_of.items():
        if sup is not None:
            below.setdefault(sup, []).append(pid)
    seen = {person_id}
    stack = [person_id]
    while stack:
        for child in below.get(stack.pop(), ()):
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return seen
