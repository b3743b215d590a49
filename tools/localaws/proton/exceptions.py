"""Errors of the AWS Proton API.

Proton speaks JSON 1.0: an error is an HTTP status plus ``{"__type": "<Code>", "message": "..."}``. Each class
below is one error shape of botocore's ``proton`` model, with the status the service answers it with.
"""

from moto.core.exceptions import JsonRESTError


class ProtonClientError(JsonRESTError):
    code = 400

    def __init__(self, message: str, error_type: str | None = None):
        super().__init__(error_type or self.__class__.__name__, message)
        # Proton's content type (JSON 1.0), not moto's generic application/json.
        self.content_type = "application/x-amz-json-1.0"


class ValidationException(ProtonClientError):
    code = 400


class SerializationException(ProtonClientError):
    """A member of the wrong JSON type (AWS JSON protocols answer this before any modelled validation)."""

    code = 400


class AccessDeniedException(ProtonClientError):
    code = 403


class ResourceNotFoundException(ProtonClientError):
    code = 404


class ConflictException(ProtonClientError):
    code = 409


class ThrottlingException(ProtonClientError):
    code = 400


class InternalServerException(ProtonClientError):
    code = 500


class NotImplementedByBackend(ProtonClientError):
    """A Proton operation this backend does not model (not an AWS error: AWS implements them all)."""

    code = 501

    def __init__(self, message: str):
        super().__init__(message, error_type="NotImplemented")
