"""The command line's profiles: one per dedicated server, a base URL and where its key comes from.

Profiles live in `profiles.json` in the user's config folder (platformdirs' user_config_path; MODELSLAB_3D_CONFIG
names another file). A profile never holds a key: it names the environment variable that does, or says the key is
in the OS keyring (the `keyring` library: macOS Keychain, Windows Credential Locker, the Secret Service), under the
service "modelslab-3d" and the profile's name. Both libraries come with the `cli` extra.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

PROGRAM = "modelslab-3d"
CONFIG_ENV = "MODELSLAB_3D_CONFIG"
PROFILE_ENV = "MODELSLAB_PROFILE"
KEYRING_SERVICE = PROGRAM
EXTRA_HINT = 'install the command line\'s extra: pip install "modelslab-enterprise-3d[cli]"'


class ProfileError(ValueError):
    """A profile that does not exist, or whose key cannot be had; the text names the profile, never a key."""


# A server's queue limit when its profile names none: the smallest plan's (the vendor's rate-limits page).
DEFAULT_QUEUE_LIMIT = 5


@dataclass(frozen=True)
class Profile:
    name: str
    base_url: str
    key_env: str | None = None  # the environment variable holding the key; None: the key is in the OS keyring
    queue_limit: int = DEFAULT_QUEUE_LIMIT  # jobs a batch queues on this server at once (its plan's limit)
    http_timeout: float | None = None  # seconds one request may take (None: the client's default)

    def where(self) -> str:
        return f"${self.key_env}" if self.key_env else "the OS keyring"

    def key(self) -> str:
        """The profile's key, from its environment variable or the OS keyring."""
        if self.key_env:
            key = os.environ.get(self.key_env, "")
            if not key.strip():
                raise ProfileError(f"profile {self.name!r} takes its key from ${self.key_env}, which is not set")
            return key
        key = _keyring().get_password(KEYRING_SERVICE, self.name)
        if not key:
            raise ProfileError(f"profile {self.name!r}: no key in the OS keyring (`{PROGRAM} config add` stores one)")
        return str(key)


def config_path() -> Path:
    given = os.environ.get(CONFIG_ENV)
    if given:
        return Path(given)
    try:
        import platformdirs
    except ImportError:
        raise ProfileError(f"profiles need platformdirs: {EXTRA_HINT}") from None
    return platformdirs.user_config_path(PROGRAM) / "profiles.json"


def load() -> dict[str, Profile]:
    path = config_path()
    if not path.exists():
        return {}
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
        return {name: Profile(name, **fields) for name, fields in data["profiles"].items()}
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ProfileError(f"{path} is not a profiles file ({type(error).__name__}); fix or remove it") from None


def save(profiles: dict[str, Profile]) -> Path:
    """Write the profiles (a temporary file renamed over the old one: never half a file)."""
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fields = {name: {k: v for k, v in asdict(p).items() if k != "name"} for name, p in sorted(profiles.items())}
    staged = path.with_name(path.name + ".new")
    staged.write_text(json.dumps({"profiles": fields}, indent=2) + "\n", encoding="utf-8")
    os.replace(staged, path)
    return path


def chosen(name: str | None) -> Profile | None:
    """The profile named by --profile, else by MODELSLAB_PROFILE; None when neither names one."""
    name = name or os.environ.get(PROFILE_ENV) or None
    if name is None:
        return None
    profiles = load()
    if name not in profiles:
        known = ", ".join(sorted(profiles)) or "none yet"
        raise ProfileError(f"no profile {name!r} (profiles: {known}; `{PROGRAM} config add` adds one)")
    return profiles[name]


def add(profile: Profile, key: str | None) -> Path:
    """Add or replace a profile; `key` goes to the OS keyring when the profile keeps it there."""
    if profile.key_env is None:
        if not key or not key.strip():
            raise ProfileError("no key given on standard input (a blank one is refused)")
        _keyring().set_password(KEYRING_SERVICE, profile.name, key.strip())
    return save({**load(), profile.name: profile})


def remove(name: str) -> Path:
    profiles = load()
    profile = profiles.pop(name, None)
    if profile is None:
        raise ProfileError(f"no profile {name!r}")
    if profile.key_env is None:
        import contextlib

        with contextlib.suppress(Exception):  # (a key already gone from the keyring is what removing wants)
            _keyring().delete_password(KEYRING_SERVICE, name)
    return save(profiles)


def _keyring() -> Any:
    try:
        import keyring
    except ImportError:
        raise ProfileError(f"a key in the OS keyring needs keyring: {EXTRA_HINT}") from None
    return _Keyring(keyring)


class _Keyring:
    """The keyring library, its errors (no OS keyring on a headless machine, a locked one) as ProfileError."""

    def __init__(self, keyring: Any) -> None:
        self._keyring = keyring

    def __getattr__(self, name: str) -> Any:
        function = getattr(self._keyring, name)

        def call(*args: Any) -> Any:
            try:
                return function(*args)
            except self._keyring.errors.KeyringError as error:
                raise ProfileError(
                    f"the OS keyring cannot be used here ({type(error).__name__}): keep the key in an environment "
                    "variable instead (`config add NAME --base-url URL --key-env VARIABLE`)"
                ) from None

        return call
