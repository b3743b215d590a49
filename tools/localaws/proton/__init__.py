"""AWS Proton account settings, written as a moto service (models / responses / urls / exceptions)."""

from .models import proton_backends  # noqa: F401
