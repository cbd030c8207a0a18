"""A client library for accessing ModelsLab Enterprise 3D API"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
