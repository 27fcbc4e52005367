"""Every SDK method maps one operation, exists on both clients with the same signature, and
has a sample call: the ``test_operations_*.py`` modules, one per group of resources, check
that each sends its operation's request, the same from both clients.
"""

from __future__ import annotations

import inspect

from soundstream import AsyncSoundStream, SoundStream
from soundstream._operations import HELPER_METHODS, OPERATIONS

from .operation_calls import RESOURCE_GROUPS, resolve

# The client's resources: the sample-call modules cover one group each.
RESOURCES = [resource for resources in RESOURCE_GROUPS.values() for resource in resources]


def test_the_resource_groups_cover_every_operation_once() -> None:
    assert len(RESOURCES) == len(set(RESOURCES))
    assert {op.sdk_method.split(".")[0] for op in OPERATIONS.values()} == set(RESOURCES)


def test_the_mapping_names_distinct_methods_that_exist_on_both_clients() -> None:
    methods = [op.sdk_method for op in OPERATIONS.values()]
    assert len(methods) == len(set(methods))
    sync_client, async_client = SoundStream(), AsyncSoundStream()
    for sdk_method in [*methods, *HELPER_METHODS]:
        sync_method, async_method = (
            resolve(sync_client, sdk_method),
            resolve(async_client, sdk_method),
        )
        assert inspect.signature(sync_method) == _unasync(inspect.signature(async_method)), (
            sdk_method
        )
    sync_client.close()


def _unasync(signature: inspect.Signature) -> inspect.Signature:
    """The async method's signature with AsyncPaginator returns read as SyncPage."""
    annotation = str(signature.return_annotation).replace("AsyncPaginator", "SyncPage")
    return signature.replace(return_annotation=annotation)


def test_every_public_resource_method_is_mapped() -> None:
    mapped = {op.sdk_method for op in OPERATIONS.values()} | HELPER_METHODS
    client = SoundStream()
    public = {
        f"{resource}.{name}"
        for resource in RESOURCES
        for name, _ in inspect.getmembers(type(getattr(client, resource)), inspect.isfunction)
        if not name.startswith("_")
    }
    client.close()
    assert public == mapped
