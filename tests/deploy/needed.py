"""What a deployed container must be given, by one rule for the Compose file and the Render
blueprint alike."""

from __future__ import annotations

from pydantic import SecretStr

from soundstream_admin.stack import ServiceSpec

ONE_MACHINE_ONLY = ("127.0.0.1", "localhost")


def needed_settings(spec: ServiceSpec) -> set[str]:
    """What a container must be given: required settings, secrets with a built-in value, and
    every default that only works on one machine (127.0.0.1, a SQLite file)."""
    needed = set()
    for field_name, info in spec.settings_class().model_fields.items():
        if field_name == "host" and spec.port is None:
            continue  # a process without a port binds nothing
        default = None if info.is_required() else info.get_default(call_default_factory=True)
        if (
            info.is_required()
            or isinstance(default, SecretStr)
            or any(host in str(default) for host in ONE_MACHINE_ONLY)
            or (field_name == "database_url" and spec.database is not None)
        ):
            needed.add(f"{spec.env_prefix}{field_name.upper()}")
    return needed
