"""The repository itself: where things are, YAML, content hashes, throw-away copies, running generate.sh."""
