"""The core: sending a request and reading its answer (settings, retries, the check before sending, parsing, the
exceptions). The generated operations and models import it alone; the other parts of the package build on it."""
