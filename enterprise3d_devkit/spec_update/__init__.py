"""Taking a new vendor spec: `make update-spec` and the scheduled workflow's step."""
