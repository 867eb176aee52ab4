"""Use cases: each applies the domain and scope rules in one transaction."""


class ValidationFailed(Exception):
    """Input refused; `errors` maps field names to Indonesian messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(m for msgs in errors.values() for m in msgs))
        self.errors = errors


class Conflict(Exception):
    """The row changed under the request (answered 409)."""
