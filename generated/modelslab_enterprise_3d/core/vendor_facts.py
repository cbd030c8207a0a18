"""What the ModelsLab API does that its OpenAPI documents do not say.

The client's runtime reads these facts, and so does the code generator (to write the models and the clients):
each is stated here once.
"""

# The environment variables the high-level clients read when api_key= / base_url= are not given.
API_KEY_ENV = "MODELSLAB_API_KEY"
BASE_URL_ENV = "MODELSLAB_BASE_URL"

# Every answer's `status` says what happened; an error answer's `message` says why (the error-codes page).
STATUS_FIELD = "status"
MESSAGE_FIELD = "message"

# Legacy endpoints spell some fields differently; the vendor asks clients to accept both spellings. A tolerance of
# answers only: a model that declares the spelling as a field of its own reads it as that field.
LEGACY_SPELLINGS: dict[str, str] = {MESSAGE_FIELD: "messege"}

# Body fields that carry credentials: a model's repr masks them, error messages never quote them.
CREDENTIAL_FIELDS: frozenset[str] = frozenset(
    {
        "key",
        "api_key",
        "apikey",
        "token",
        "access_token",
        "secret",
        "client_secret",
        "password",
        # the account's S3 bucket (the general enterprise pages' update_s3)
        "aws_access_key_id",
        "aws_secret_access_key",
    }
)

# A 2xx answer whose `status` is one of these did not do what was asked: the high-level clients raise instead of
# returning it ("failed" is what the vendor's webhooks and job answers say of a generation that did not finish).
ERROR_STATUSES: frozenset[str] = frozenset({"error", "failed"})

# The body field of the vendor's 429 answers saying how many seconds to wait.
RETRY_AFTER_FIELD = "retry_after"

# The request body field that carries the API key (the API takes no credential in a header).
API_KEY_FIELD = "key"

# What a generation's answers say (the vendor's quickstart, error-codes and webhooks pages): `status` is "success"
# once the files are ready, "processing" while the job is queued or running (or "error"/"failed", above); `id` is
# the job's id for the operation that fetches its result; `eta` the estimated seconds left; `output` the files' URLs.
SUCCESS_STATUS = "success"
JOB_ID_FIELD = "id"
ETA_FIELD = "eta"
OUTPUT_FIELD = "output"
PROCESSING_STATUS = "processing"

# The request field naming a generated model's file format (glb, obj, stl, ply).
FORMAT_FIELD = "output_format"

# The request field a generating request may carry to name itself; the webhook sends it back (the webhooks page).
TRACK_ID_FIELD = "track_id"

# The statuses with which the server refuses a request without doing anything (429: the plan's queue limit is
# reached; the rate-limits page): a refused generation was not queued, so sending it again later bills once.
REFUSED_STATUSES: frozenset[int] = frozenset({429})
