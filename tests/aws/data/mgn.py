"""DescribeSourceServers items (shape from the Application Migration Service API reference)."""

from typing import Any

SOURCE_SERVERS: list[dict[str, Any]] = [
    {
        "sourceServerID": "s-3b9d7a1e2c4f50001",
        "arn": "arn:aws:mgn:eu-west-2:111122223333:source-server/s-3b9d7a1e2c4f50001",
        "isArchived": False,
        "replicationType": "AGENT_BASED",
        "lifeCycle": {
            "state": "CUTOVER",
            "addedToServiceDateTime": "2026-06-02T10:01:00+00:00",
            "lastSeenByServiceDateTime": "2026-11-20T06:00:00+00:00",
        },
        "dataReplicationInfo": {"dataReplicationState": "CONTINUOUS", "lagDuration": "PT2S"},
        "launchedInstance": {"ec2InstanceID": "i-0a1b2c3d4e5f60001", "firstBoot": "SUCCEEDED"},
        "sourceProperties": {
            "identificationHints": {
                "hostname": "PLANAPP01",
                "fqdn": "planapp01.council.local",
                "vmWareUuid": "4201a2b3-c4d5-e6f7-0811-223344556677",
            },
            "recommendedInstanceType": "m5.large",
        },
        "tags": {},
    },
    {
        "sourceServerID": "s-3b9d7a1e2c4f50002",
        "isArchived": False,
        "lifeCycle": {"state": "NOT_READY"},
        "dataReplicationInfo": {"dataReplicationState": "INITIAL_SYNC"},
        "sourceProperties": {"identificationHints": {"hostname": "REVSQL01", "fqdn": ""}},
    },
    {
        # Discovered by the agentless connector: no replication and no hints beyond a name.
        "sourceServerID": "s-3b9d7a1e2c4f50003",
        "lifeCycle": {"state": "DISCOVERED"},
        "sourceProperties": {"identificationHints": {"hostname": "kiosk07"}},
    },
]
