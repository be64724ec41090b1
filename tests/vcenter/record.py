"""Record what the scanner fetches from a vCenter as a JSON payload for the transform tests.

.venv/bin/python -m tests.vcenter.record tests/vcenter/data/vcsim_default.json
    starts vcsim's default model and records it;
.venv/bin/python -m tests.vcenter.record out.json --host vc.example --user u --password-env V
    records a real vCenter (check it for names and addresses before committing it).
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from scanners.vcenter.collect import create_view, destroy_view, fetch_inventory, fetch_vms
from scanners.vcenter.connect import connect, disconnect, tls_context
from scanners.vcenter.options import VcenterOptions
from tests.vcenter.helpers import vcenter_options
from tests.vcenter.peer import PASSWORD, start_vcsim


def record(options: VcenterOptions, password: str) -> dict[str, Any]:
    connection = connect(options, password, tls_context(options, Path.cwd()))
    try:
        view = create_view(connection)
        inventory = fetch_inventory(connection, view, options.page_size)
        vms = [vm for page in fetch_vms(connection, view, options.page_size) for vm in page]
        destroy_view(view)
    finally:
        disconnect(connection)
    return {
        "inventory": [item.as_json() for item in inventory],
        "vms": [vm.as_json() for vm in vms],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--host")
    parser.add_argument("--port", type=int, default=443)
    parser.add_argument("--user")
    parser.add_argument("--password-env")
    parser.add_argument("--ca-bundle")
    args = parser.parse_args()
    if args.host is None:
        peer = start_vcsim()
        try:
            options = VcenterOptions(**vcenter_options(peer, password_env="-"))
            payload = record(options, PASSWORD)
        finally:
            peer.stop()
    else:
        options = VcenterOptions(
            host=args.host,
            port=args.port,
            user=args.user,
            password_env=args.password_env,
            ca_bundle=args.ca_bundle,
        )
        payload = record(options, os.environ[args.password_env])
    args.out.write_text(json.dumps(payload, indent=1, sort_keys=True) + "\n")
    counts = f"{len(payload['inventory'])} inventory objects, {len(payload['vms'])} VMs"
    print(f"wrote {args.out}: {counts}")


if __name__ == "__main__":
    main()
