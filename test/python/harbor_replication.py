"""Drives Regatta's replication API with harborapi, the Harbor client library, as a Harbor user's
tooling would: registries, a policy, an execution, its tasks and a task log, and a stopped run.

Every response goes through harborapi's pydantic models (validation on). Prints one JSON object
of what came back, for the test to judge; exits non-zero when a call fails.

Environment: REGATTA_API (e.g. http://127.0.0.1:8080/api/v2.0), REGATTA_PASSWORD, HQ_URL,
HQ_USER, HQ_PASSWORD, HQ_CA, SITE_URL, DEAD_URL (nothing listens there), REPOSITORY_FILTER.
"""

import asyncio
import json
import os
import time

from harborapi import HarborAsyncClient
from harborapi.models import (
    Registry,
    RegistryCredential,
    RegistryPing,
    RegistryUpdate,
    ReplicationFilter,
    ReplicationPolicy,
    ReplicationTrigger,
)

env = os.environ


def dump(model):
    if isinstance(model, list):
        return [dump(item) for item in model]
    return model.model_dump(mode="json", exclude_none=True)


def last_id(location):
    return int(location.rstrip("/").rsplit("/", 1)[-1])


async def until(probe, what, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = await probe()
        if value is not None:
            return value
        await asyncio.sleep(0.25)
    raise TimeoutError(f"timed out after {seconds} s waiting for {what}")


async def main():
    client = HarborAsyncClient(url=env["REGATTA_API"], username="admin", secret=env["REGATTA_PASSWORD"])
    out = {"ping": await client.ping(), "systeminfo": dump(await client.get_system_info())}
    out["adapters"] = await client.get_registry_adapters()
    out["adapterinfos"] = dump(await client.get_registry_providers())

    hq = last_id(
        await client.create_registry(
            Registry(
                name="hq",
                type="docker-registry",
                url=env["HQ_URL"],
                credential=RegistryCredential(
                    type="basic", access_key=env["HQ_USER"], access_secret=env["HQ_PASSWORD"]
                ),
                # Regatta's field beside Harbor's: the CA that signed HQ's certificate.
                ca_certificate=env["HQ_CA"],
            )
        )
    )
    site = last_id(await client.create_registry(Registry(name="site", url=env["SITE_URL"], insecure=True)))
    dead = last_id(await client.create_registry(Registry(name="dead", url=env["DEAD_URL"], insecure=True)))
    await client.check_registry_status(RegistryPing(id=hq))
    await client.update_registry(site, RegistryUpdate(description="first site"))
    out["registry"] = dump(await client.get_registry(site))
    out["registries"] = dump(await client.get_registries(page_size=10))
    out["registry_info"] = dump(await client.get_registry_info(hq))

    async def create_policy(name, destination):
        return last_id(
            await client.create_replication_policy(
                ReplicationPolicy(
                    name=name,
                    src_registry=Registry(id=hq),
                    dest_registry=Registry(id=destination),
                    filters=[ReplicationFilter(type="name", value=env["REPOSITORY_FILTER"])],
                    trigger=ReplicationTrigger(type="manual"),
                    enabled=True,
                    override=True,
                )
            )
        )

    policy = await create_policy("hq-to-site", site)
    stored = await client.get_replication_policy(policy)
    stored.description = "updated by harborapi"
    await client.update_replication_policy(policy, stored)
    out["policy"] = dump(await client.get_replication_policy(policy))
    out["policies"] = dump(await client.get_replication_policies())

    execution = last_id(await client.start_replication(policy))

    async def finished():
        got = await client.get_replication(execution)
        return got if got.status != "InProgress" else None

    out["execution"] = dump(await until(finished, f"execution {execution}"))
    out["executions"] = dump(await client.get_replications(policy_id=policy))
    tasks = await client.get_replication_tasks(execution)
    out["tasks"] = dump(tasks)
    out["task_log"] = await client.get_replication_task_log(execution, tasks[0].id)

    # A run to a registry that does not answer keeps retrying: stop it as Harbor's UI does.
    stuck = await create_policy("hq-to-dead", dead)
    running = last_id(await client.start_replication(stuck))
    out["running_before_stop"] = (await client.get_replication(running)).status
    await client.stop_replication(running)

    async def stopped():
        got = await client.get_replication(running)
        return got if got.status != "InProgress" else None

    out["stopped"] = dump(await until(stopped, f"execution {running} to stop"))

    for id in (policy, stuck):
        await client.delete_replication_policy(id)
    for id in (hq, site, dead):
        await client.delete_registry(id)
    out["registries_left"] = dump(await client.get_registries())
    print(json.dumps(out))


asyncio.run(main())
