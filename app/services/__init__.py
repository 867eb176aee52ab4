"""Use cases: each applies the domain and scope rules in one transaction.

Their refusals are exceptions the pages turn into a flash or a field message and the API
into a status code: ValidationFailed 422, Forbidden 403, NotFound 404, Conflict 409.
"""


class ServiceError(Exception):
    status = 400

    def __init__(self, message: str = ""):
        super().__init__(message)
        self.message = message


class ValidationFailed(ServiceError):
    """Input refused; `errors` maps field names to Indonesian messages."""

    status = 422

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(m for msgs in errors.values() for m in msgs))
        self.errors = errors


class Forbidden(ServiceError):
    status = 403


class NotFound(ServiceError):
    status = 404


class Conflict(ServiceError):
    """The row changed under the request (answered 409)."""

    status = 409
