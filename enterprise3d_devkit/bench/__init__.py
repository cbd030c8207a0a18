"""`make bench`: the generated client against raw httpx, a generation, a production run; the report."""
