"""Every error the clients raise, in one module.

The high-level clients (Enterprise3D, AsyncEnterprise3D) raise only these; catch `APIError` for all of them:

    APIError
    ├── APIConnectionError          the request did not complete: DNS, refused, reset, TLS ...
    │   └── APITimeoutError         ... or it took longer than the client's timeout
    ├── APIStatusError              the server answered 4xx/5xx: status_code, headers, content, body, operation
    │   ├── BadRequestError             400
    │   ├── AuthenticationError         401
    │   ├── PaymentRequiredError        402  the vendor's "out of credits"
    │   ├── PermissionDeniedError       403  the feature is not on the plan
    │   ├── NotFoundError               404
    │   ├── ConflictError               409
    │   ├── UnprocessableEntityError    422
    │   ├── RateLimitError              429  retry_after: seconds, from Retry-After or the body's retry_after
    │   └── InternalServerError         500 and up
    ├── OperationFailedError        a 2xx whose body says "status": "error" (or "failed"); `result` is the body
    │   └── GenerationFailedError   ... of a generation being waited for: `id`, `result`, `message`
    ├── GenerationTimeoutError      a generation not done by the wait's deadline: `id`, `last` (resume with it)
    ├── DownloadError               an output file could not be saved: `url`, `status_code`; nothing half-written
    ├── InvalidResponse             a body that does not match the spec (InvalidField says where)
    ├── UnexpectedStatus            a status the spec does not document (2xx/3xx); the functional API raises it
    │                               only with Client(raise_on_unexpected_status=True)
    └── LedgerError                 the job ledger could not be used (not a ledger, a newer layout, no disk)
        ├── LedgerWriteError        ... nor written once the server had answered: `job_id` (also on stderr and in
        │                           the ledger's journal, which its next open folds in)
        └── FolderInUseError        a batch folder another live process is running a batch on: `owner`

No exception's message, repr or content holds a credential: an error built from an answer has the request's key
and every credential field's value removed wherever the server echoed them (`[redacted]`).
"""

from .core.errors import *  # noqa: F403  (the names below: users import them from here)
from .core.errors import __all__ as __all__
