from enum import StrEnum


class ClearActionResponseStatus(StrEnum):
    ERROR = "error"
    SUCCESS = "success"

    def __str__(self) -> str:
        return str(self.value)
