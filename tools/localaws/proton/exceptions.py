"""Errors of the AWS Proton API, serialized by moto from botocore's ``proton`` model."""

from moto.core.exceptions import ServiceException


class ProtonServiceException(ServiceException):
    pass


class ValidationException(ProtonServiceException):
    code = "ValidationException"


class AccessDeniedException(ProtonServiceException):
    code = "AccessDeniedException"


class ThrottlingException(ProtonServiceException):
    code = "ThrottlingException"


class ConflictException(ProtonServiceException):
    code = "ConflictException"


class InternalServerException(ProtonServiceException):
    code = "InternalServerException"
