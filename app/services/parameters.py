"""Reading and changing the yearly parameters (audited through the Parameter rows)."""
from __future__ import annotations

import json
from functools import cache
from typing import Any

from sqlalchemy import bindparam, select

from app.domain import parameters as P
from app.extensions import db
from app.services import ValidationFailed


def stored(year: int) -> dict[str, Any]:
    """The year's stored parameters, read once per transaction (app.services.memo); a copy."""
    from app.services.memo import in_transaction

    rows = in_transaction("parameters", year, lambda: db.session.execute(_stored_statement(), {"year": year}).all())
    return {key: json.loads(value) for key, value in rows}


@cache
def _stored_statement():
    """Built once per process: every entry, submission and decision reads the parameters."""
    from app.models import Parameter

    return select(Parameter.key, Parameter.value).where(Parameter.year == bindparam("year"))


def values_for(year: int) -> dict[str, Any]:
    return P.effective(stored(year))


def workflow_params(year: int):
    return P.workflow_params(values_for(year))


def score_params(year: int):
    return P.score_params(values_for(year))


def tpp_params(year: int):
    return P.tpp_params(values_for(year))


def validate_parameter(values: dict, current_id: int | None) -> dict[str, list[str]]:
    """Validator of one Parameter row (page and API): the value parses and the whole year
    still adds up with it."""
    from app.models import Parameter

    errors: dict[str, list[str]] = {}
    year, key, raw = values.get("year"), values.get("key"), values.get("value")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors.setdefault("year", []).append("Tahun harus antara 2000 dan 2100.")
    if key not in P.DEFINITIONS:
        errors.setdefault("key", []).append("Kode parameter tidak dikenal.")
    if errors:
        return errors
    try:
        parsed = P.parse_value(key, raw)
    except P.ParameterError as err:
        return {"value": [str(err)]}
    q = select(Parameter.id).where(Parameter.year == year, Parameter.key == key)
    if current_id is not None:
        q = q.where(Parameter.id != current_id)
    if db.session.execute(q).first():
        return {"key": [f"Parameter ini sudah ada untuk tahun {year}; ubah baris yang ada."]}
    year_values = values_for(year)
    year_values[key] = parsed
    problems = P.validate_set(year_values)
    if problems:
        return {"value": problems}
    return {}


def normalise(item) -> None:
    """Store the parsed value as canonical JSON (called after validation)."""
    item.value = json.dumps(P.parse_value(item.key, item.value), ensure_ascii=False)


def set_value(year: int, key: str, raw: Any, user_id: int | None = None) -> None:
    """Set one parameter (commands and tests); refuses a year that would not add up."""
    from app.models import Parameter

    row = db.session.scalar(select(Parameter).where(Parameter.year == year, Parameter.key == key))
    values = {"year": year, "key": key, "value": raw if not isinstance(raw, (list, dict)) else json.dumps(raw)}
    errors = validate_parameter(values, row.id if row else None)
    if errors:
        raise ValidationFailed(errors)
    if row is None:
        row = Parameter(year=year, key=key, value="null")
        db.session.add(row)
    row.value = values["value"]
    row.updated_by_id = user_id
    normalise(row)
    after_change(year, key)


def after_change(year: int, key: str) -> None:
    """Consequences of a stored parameter change (the caller commits): a new daily cap
    re-caps the recognised minutes of the year's open months."""
    if key == "max_minutes_per_day":
        from app.services.activities import recap_recognised

        db.session.flush()
        recap_recognised(year)
