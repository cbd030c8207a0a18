"""The spec-driven mock API (`make mock`) and its job lifecycle."""
