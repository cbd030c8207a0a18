"""Releases: the version bump and changelog entry, the artefacts, and the release workflow's commands."""
