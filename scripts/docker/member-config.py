#!/usr/bin/python3
"""Writes the configuration of a member container: scripts/hazelcast.yaml (baked into the image) with
only its addresses changed, so that every other setting there (maps, near cache, retention, indexes,
Jet, metrics) applies in docker compose as it does on the local cluster, without a second copy.

What changes, and why:
  network.interfaces     disabled: the local cluster binds 127.0.0.1, a container binds its own
                         address, which Hazelcast picks from the member list below;
  network.join.tcp-ip    member-list = $HZ_MEMBER_LIST (comma-separated, e.g. hz-1:5701,hz-2:5701);
  data-connection        the reference database's jdbcUrl = $REFERENCE_DB_URL, when set (e.g.
                         jdbc:postgresql://postgres:5432/fraud): the local one is on 127.0.0.1;
                         REFERENCE_DB_URL=none: no reference database, the maps customers and
                         merchants are all the reference data there is (loaded with --into maps),
                         so they keep their entries: no data connection, no expiry, no eviction
                         (the network lab's members; the demo's embedded members do the same).
Hazelcast's own overrides (HZ_* environment variables, hz.* system properties) still apply on top.
They cannot do this by themselves: an overridden member list is appended to the file's, and the
file's 127.0.0.1 entries would stay; and they lower-case keys, so jdbcUrl cannot be overridden.

  member-config.py <source hazelcast.yaml> <output file>
"""
import os
import sys

import yaml


REFERENCE_DATA_CONNECTION = "reference-data"
REFERENCE_MAPS = ("customers", "merchants")
NO_DATABASE = "none"


def container_config(config, members, reference_db_url=None):
    network = config["hazelcast"].setdefault("network", {})
    network["interfaces"] = {"enabled": False}
    tcp_ip = network.setdefault("join", {}).setdefault("tcp-ip", {})
    tcp_ip["enabled"] = True
    tcp_ip["member-list"] = members
    if reference_db_url == NO_DATABASE:
        config["hazelcast"].get("data-connection", {}).pop(REFERENCE_DATA_CONNECTION, None)
        for name in REFERENCE_MAPS:
            reference_map = config["hazelcast"]["map"][name]
            for key in ("time-to-live-seconds", "eviction"):
                reference_map.pop(key, None)
            reference_map.get("near-cache", {}).pop("time-to-live-seconds", None)
    elif reference_db_url:
        connection = config["hazelcast"].get("data-connection", {}).get(REFERENCE_DATA_CONNECTION)
        if connection is None:
            sys.exit(f"member-config.py: REFERENCE_DB_URL is set, but the configuration has no data-connection "
                     f"'{REFERENCE_DATA_CONNECTION}' to point at it")
        connection["properties"]["jdbcUrl"] = reference_db_url
    return config


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    source, output = argv[1], argv[2]
    members = [m.strip() for m in os.environ.get("HZ_MEMBER_LIST", "").split(",") if m.strip()]
    if not members:
        sys.exit("member-config.py: HZ_MEMBER_LIST is empty; it lists the members, e.g. hz-1:5701,hz-2:5701")
    reference_db_url = os.environ.get("REFERENCE_DB_URL", "").strip()
    with open(source) as f:
        config = yaml.safe_load(f)
    with open(output, "w") as f:
        f.write(f"# Generated at container start by member-config.py from {source}: only the addresses differ.\n")
        yaml.safe_dump(container_config(config, members, reference_db_url), f, sort_keys=False,
                       default_flow_style=False)
    print(f"member-config.py: {output} = {source} with interfaces disabled and member-list {','.join(members)}"
          + (f", reference database {reference_db_url}" if reference_db_url else ""), file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv)
