"""REST API of the follow-up (tindak lanjut): rules, candidate lists, decisions and the talent box.

Same use cases and scope as the pages (app.services.followup): reads for Admin/BKD/Auditor (city)
and an Operator OPD (own OPD); rules written by BKD/Admin; decisions by BKD only. Refusals are
status codes with an Indonesian message (403/404 logged), invalid input 422. JWT only.
"""
from __future__ import annotations

from flask import request
from flask_appbuilder.api import BaseApi, expose
from flask_appbuilder.security.decorators import permission_name, protect

from app.domain import followup as FU
from app.extensions import db
from app.security import log_refusal
from app.services import ServiceError, ValidationFailed
from app.services import followup as svc
from app.services.activities import current_actor


def _period(p) -> str:
    return f"{p[0]:04d}-{p[1]:02d}"


class FollowupApi(BaseApi):
    resource_name = "followup"
    allow_browser_login = False

    def _fail(self, err: ServiceError, entity: str, pk=None):
        db.session.rollback()
        if err.status in (403, 404):
            log_refusal(err.status, entity, pk, err.message)
        if isinstance(err, ValidationFailed):
            return self.response(422, message=err.errors)
        return self.response(err.status, message=err.message)

    def _body(self) -> dict:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise ValidationFailed({"body": ["Isi permintaan harus berupa objek JSON."]})
        return body

    @expose("/rules", methods=["GET"])
    @protect()
    @permission_name("get")
    def rules(self):
        """Rules of a year (all years without ?year)
        ---
        get:
          parameters:
          - {in: query, name: year, schema: {type: integer}}
          responses:
            200: {description: The rules}
        """
        try:
            year = svc.parse_year(request.args.get("year")) if request.args.get("year") else None
            rows = svc.list_rules(current_actor(), year)
        except ServiceError as err:
            return self._fail(err, "FollowupRule")
        return self.response(200, result=[svc.rule_values(r) for r in rows])

    @expose("/rules", methods=["POST"])
    @protect()
    @permission_name("manage")
    def rule_create(self):
        """Create a rule
        ---
        post:
          responses:
            201: {description: Created}
        """
        try:
            rule = svc.create_rule(self._body(), current_actor())
            db.session.commit()
        except ServiceError as err:
            return self._fail(err, "FollowupRule")
        return self.response(201, result=svc.rule_values(rule))

    @expose("/rules/<int:pk>", methods=["PUT"])
    @protect()
    @permission_name("manage")
    def rule_update(self, pk):
        """Change a rule
        ---
        put:
          responses:
            200: {description: Changed}
        """
        try:
            rule = svc.update_rule(pk, self._body(), current_actor())
            db.session.commit()
        except ServiceError as err:
            return self._fail(err, "FollowupRule", pk)
        return self.response(200, result=svc.rule_values(rule))

    @expose("/rules/<int:pk>", methods=["DELETE"])
    @protect()
    @permission_name("manage")
    def rule_delete(self, pk):
        """Delete a rule without decisions
        ---
        delete:
          responses:
            200: {description: Deleted}
        """
        try:
            svc.delete_rule(pk, current_actor())
            db.session.commit()
        except ServiceError as err:
            return self._fail(err, "FollowupRule", pk)
        return self.response(200, message="Aturan dihapus.")

    @expose("/rules/<int:pk>/candidates", methods=["GET"])
    @protect()
    @permission_name("get")
    def candidates(self, pk):
        """Candidates of a rule in scope
        ---
        get:
          responses:
            200: {description: The candidates}
        """
        try:
            rule, rows = svc.candidates(pk, current_actor())
        except ServiceError as err:
            return self._fail(err, "FollowupRule", pk)
        return self.response(200, rule=svc.rule_values(rule), result=[{
            "employee_id": c.employee_id, "nip": c.nip, "name": c.name, "opd": c.opd,
            "first_period": _period(c.streak.first), "period": _period(c.streak.last), "length": c.streak.length,
            "predikat": list(c.streak.predikat),
            "decision": None if c.decision is None else {"id": c.decision.id, "decision": c.decision.decision,
                                                         "note": c.decision.note}} for c in rows])

    @expose("/rules/<int:pk>/decisions", methods=["POST"])
    @protect()
    @permission_name("decide")
    def decide(self, pk):
        """Record BKD's decision on a candidate: {employee_id, period: "YYYY-MM", decision, note}
        ---
        post:
          responses:
            201: {description: Recorded}
            409: {description: Already decided}
        """
        try:
            body = self._body()
            row = svc.decide(pk, body.get("employee_id"), body.get("period"), body.get("decision"), body.get("note"),
                             current_actor())
            db.session.commit()
        except ServiceError as err:
            return self._fail(err, "FollowupDecision", pk)
        return self.response(201, result={"id": row.id, "decision": row.decision, "note": row.note})

    @expose("/decisions", methods=["GET"])
    @protect()
    @permission_name("get")
    def decisions(self):
        """Decisions in scope (?year, ?rule)
        ---
        get:
          responses:
            200: {description: The decisions}
        """
        try:
            actor = current_actor()
            year = svc.parse_year(request.args.get("year")) if request.args.get("year") else None
            rule = request.args.get("rule")
            rule_id = svc.get_rule(rule, actor).id if rule else None
            rows = svc.list_decisions(actor, year, rule_id)
        except ServiceError as err:
            return self._fail(err, "FollowupDecision")
        return self.response(200, result=[{
            "id": d.id, "rule_id": d.rule_id, "rule": d.rule.code, "employee_id": d.employee_id,
            "nip": d.employee.nip, "period": _period((d.period.year, d.period.month)), "decision": d.decision,
            "note": d.note, "decided_at": d.decided_at.isoformat()} for d in rows])

    @expose("/talent-box", methods=["GET"])
    @protect()
    @permission_name("get")
    def talent_box(self):
        """Talent box counts and names (?year, ?opd; without opd: the city for city-wide roles)
        ---
        get:
          responses:
            200: {description: The nine boxes}
        """
        try:
            box = svc.talent_box(current_actor(), request.args.get("year"), request.args.get("opd"))
        except ServiceError as err:
            return self._fail(err, "TalentBox", request.args.get("opd"))
        people = lambda rows: [{"employee_id": t.employee_id, "nip": t.nip, "name": t.name, "opd": t.opd,  # noqa: E731
                                "predikat": t.predikat, "score": None if t.score is None else str(t.score)}
                               for t in rows]
        return self.response(200, year=box.year, opd_id=box.opd_id, opd=box.opd_name, boxes=[{
            "box": b, "name": FU.BOX_NAMES[b], "count": box.counts[b], "employees": people(box.members[b])}
            for b in range(1, 10)], unplaced=people(box.unplaced))
