"""Contains all the data models used in inputs/outputs"""

from .api_key_request import ApiKeyRequest
from .clear_action_response import ClearActionResponse
from .clear_action_response_status import ClearActionResponseStatus
from .error_response import ErrorResponse
from .error_response_status import ErrorResponseStatus

__all__ = (
    "ApiKeyRequest",
    "ClearActionResponse",
    "ClearActionResponseStatus",
    "ErrorResponse",
    "ErrorResponseStatus",
)
