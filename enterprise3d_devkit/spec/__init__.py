"""Reading and judging a spec: loading, validation, the overlay, the record of sources, operations, instances built
from schemas, proposed repairs and the diff of two specs. Runs before the generated package exists."""
