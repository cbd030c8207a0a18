"""What generate.sh runs: the operation plans, the template data and the generator itself. Runs before the
generated package exists (it makes it)."""
