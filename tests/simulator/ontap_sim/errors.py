"""ONTAP-style API errors raised anywhere in the simulator and rendered by the HTTP layer."""

from typing import Dict, List, Optional


class ApiError(Exception):
    """An error answered as ``{"error": {"message", "code", "target"?, "arguments"?}}``.

    ``status`` is the HTTP status, ``code`` the ONTAP error code (a string of digits, as ONTAP sends it),
    ``headers`` extra response headers (e.g. ``Retry-After``).
    """

    def __init__(self, status: int, message: str, code: str, target: Optional[str] = None,
                 arguments: Optional[List[Dict[str, str]]] = None, headers: Optional[Dict[str, str]] = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = str(code)
        self.target = target
        self.arguments = list(arguments or [])
        self.headers = dict(headers or {})

    def error(self) -> dict:
        """The inner ``error`` object: ``{"message", "code", "target"?, "arguments"?}``."""
        err: dict = {"message": self.message, "code": self.code}
        if self.target:
            err["target"] = self.target
        if self.arguments:
            err["arguments"] = list(self.arguments)
        return err

    def body(self) -> dict:
        """The full response body ``{"error": {...}}``."""
        return {"error": self.error()}


def not_found(target: str = "uuid", message: str = "entry doesn't exist") -> ApiError:
    """404 code 4, ONTAP's answer for a missing record."""
    return ApiError(404, message, "4", target=target)


def unexpected_argument(name: str) -> ApiError:
    """400 code 2 for a field ONTAP does not accept in this request (body or query)."""
    return ApiError(400, 'Unexpected argument "%s".' % name, "2", target=name)


def invalid_value(name: str, value: object, allowed: str = "") -> ApiError:
    """400 code 262197: ``The value "<v>" is invalid for field "<name>" (<allowed>)``."""
    suffix = " (%s)" % allowed if allowed else ""
    return ApiError(400, 'The value "%s" is invalid for field "%s"%s' % (value, name, suffix), "262197", target=name)


def missing_field(name: str) -> ApiError:
    """400 code 2 for a required field that is absent."""
    return ApiError(400, 'Missing value for field "%s".' % name, "2", target=name)


def duplicate(message: str, target: str = "name") -> ApiError:
    """409 code 1, ONTAP's answer for a duplicate entry."""
    return ApiError(409, message, "1", target=target)
