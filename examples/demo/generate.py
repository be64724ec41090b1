"""Generate the demo estate of the fictional Northbridge City Council.

Run from the repository root: .venv/bin/python examples/demo/generate.py
Everything comes from random.Random(2026) and the workbook's timestamps are pinned, so a rerun
rewrites the same bytes. The mess in the files is deliberate; README.md lists it.
"""

import csv
import re
from dataclasses import dataclass

from common import OUT, rng, uk_date, unique_serial
from devices import build_devices, write_register

DOMAIN = "ad.northbridge.gov.uk"
CMDB_HEADER = (
    "CI ID,Hostname,FQDN,Serial Number,Asset Tag,Type,Manufacturer,Model,Operating System,"
    "OS Version,CPU Cores,Memory (GB),Storage (GB),Power State,Host,Site,Room,Rack,Rack Unit,"
    "Rack Units,Power (W),Applications,Commissioned"
)
CMDB_COLUMNS = CMDB_HEADER.split(",")
Server = dict[str, str | int]  # one CMDB row, keyed by column
server_tags = iter(rng.sample(range(1000, 9999), 100))

# name -> (hostname code, owner, criticality)
APPS: dict[str, tuple[str, str, str]] = {
    "Revenues and Benefits": ("rev", "Head of Revenues and Benefits", "High"),
    "Council Tax": ("ctax", "Council Tax Manager", "High"),
    "Planning Portal": ("plan", "Head of Planning", "Medium"),
    "Building Control": ("bc", "Building Control Manager", "Medium"),
    "Social Care Case Management": ("scm", "Director of Adult Social Care", "High"),
    "Housing Repairs": ("hrep", "Housing Repairs Manager", "Medium"),
    "Housing Register": ("hreg", "Head of Housing Options", "Medium"),
    "Libraries Management": ("lib", "Libraries Service Manager", "Low"),
    "Parking Permits": ("park", "Parking Services Manager", "Low"),
    "Waste Collection": ("waste", "Head of Waste and Recycling", "Medium"),
    "Environmental Health": ("eh", "Environmental Health Manager", "Medium"),
    "Electoral Registration": ("elec", "Electoral Services Manager", "High"),
    "Payroll": ("pay", "Payroll Manager", "High"),
    "HR and Recruitment": ("hr", "Head of HR and Organisational Development", "Medium"),
    "Finance (ERP)": ("erp", "Chief Finance Officer", "High"),
    "Document Management": ("edrms", "Information Governance Manager", "Medium"),
    "GIS Mapping": ("gis", "GIS Team Leader", "Low"),
    "Intranet": ("intra", "Head of Communications", "Low"),
    "Customer Contact Centre": ("ccc", "Customer Services Manager", "High"),
    "Telephony": ("tel", "ICT Service Delivery Manager", "High"),
    "File and Print": ("fs", "ICT Infrastructure Manager", "Medium"),
    "Active Directory": ("dc", "ICT Infrastructure Manager", "High"),
    "Backup": ("bkp", "ICT Infrastructure Manager", "High"),
    "Email Relay": ("smtp", "ICT Infrastructure Manager", "Medium"),
    "Licensing": ("lic", "Licensing Team Leader", "Low"),
}
INFRA_APPS = ("File and Print", "Active Directory", "Backup", "Email Relay", "Telephony")
BUSINESS_APPS = [name for name in APPS if name not in INFRA_APPS]

W12, W16 = "Windows Server 2012 R2", "Microsoft Windows Server 2016 Standard"
W19, W22 = "Microsoft Windows Server 2019 Standard", "Microsoft Windows Server 2022 Standard"
RHEL7, RHEL8 = "Red Hat Enterprise Linux 7", "Red Hat Enterprise Linux 8"
UBUNTU, VM = "Ubuntu 20.04 LTS", "VMware Virtual Platform"
# OS name -> (versions, earliest commissioning year, share of VMs)
OSES: dict[str, tuple[tuple[str, ...], int, int]] = {
    W12: (("6.3.9600",), 2013, 14),
    W16: (("10.0.14393",), 2016, 34),
    W19: (("10.0.17763",), 2018, 30),
    W22: (("10.0.20348",), 2021, 6),
    RHEL7: (("7.9",), 2014, 3),
    RHEL8: (("8.6", "8.8", "8.10"), 2019, 8),
    UBUNTU: (("20.04",), 2020, 5),
    "VMware ESXi": (("6.7.0", "7.0.3", "8.0.2"), 2012, 0),
}
R640, R740, R750 = "PowerEdge R640", "PowerEdge R740", "PowerEdge R750"
DL360, DL380, DL580 = "ProLiant DL360 Gen10", "ProLiant DL380 Gen10", "ProLiant DL580 Gen10"
SR650 = "ThinkSystem SR650"
# model -> (CMDB manufacturer, infra-team make, rack units, watts range, year launched)
HARDWARE: dict[str, tuple[str, str, int, tuple[int, int], int]] = {
    R640: ("Dell", "Dell Inc.", 1, (150, 450), 2017),
    R740: ("Dell", "Dell Inc.", 2, (300, 750), 2017),
    R750: ("Dell", "Dell Inc.", 2, (350, 800), 2021),
    DL360: ("Hewlett Packard Enterprise", "HPE", 1, (150, 450), 2017),
    DL380: ("Hewlett Packard Enterprise", "HPE", 2, (300, 750), 2017),
    DL580: ("Hewlett Packard Enterprise", "HPE", 4, (600, 900), 2017),
    SR650: ("Lenovo", "Lenovo", 2, (300, 750), 2017),
}
MAKES = {cmdb: infra for cmdb, infra, *_ in HARDWARE.values()} | {"VMware, Inc.": "VMware, Inc."}
# physical role -> (models, OS choices, application, cores, memory GB, storage GB)
Choice = tuple[str, ...]
Sizes = tuple[int, ...]
ROLES: dict[str, tuple[Choice, Choice, str, Sizes, Sizes, Sizes]] = {
    "esx": ((R640, R740, R750, DL360, DL380, SR650), ("VMware ESXi",), "",
            (32, 40, 48, 64), (384, 512, 768, 1024), (480, 960, 1920)),
    "sql": ((R740, R750, DL380, DL580), (W16, W19, RHEL8), "db", (16, 24, 32), (128, 256, 512),
            (2400, 4800, 9600)),
    "fs": ((R740, DL380, SR650), (W16, W19), "File and Print", (8, 12, 16),
           (64, 96, 128), (24000, 48000, 72000)),
    "bkp": ((R740, SR650), (UBUNTU,), "Backup", (16, 24), (128, 256),
            (48000, 96000, 120000)),
    "tel": ((R640, DL360), (RHEL8,), "Telephony", (8, 12), (32, 64), (480, 960)),
}  # fmt: skip


@dataclass(frozen=True)
class Site:
    name: str
    code: str
    rooms: dict[str, tuple[str, ...]]
    physical: dict[str, int]  # role -> count
    virtual: int


SITES = (
    Site("Civic Centre", "cc",
         {"Server Room 1": tuple(f"CC-R{n:02d}" for n in range(1, 11)),
          "Comms Room B": ("CC-R11", "CC-R12")},
         {"esx": 22, "sql": 10, "fs": 4, "bkp": 4, "tel": 2}, 168),
    Site("Northgate Data Centre", "ng", {"Hall A": tuple(f"NG-A{n:02d}" for n in range(1, 7))},
         {"esx": 8, "sql": 4, "fs": 2, "bkp": 3, "tel": 1}, 72),
)  # fmt: skip


def commissioned(os: str, launched: int = 2012) -> str:
    return uk_date(max(launched, OSES[os][1]), 2022).strftime("%d/%m/%Y")


def physical_servers(site: Site) -> list[Server]:
    servers: list[Server] = []
    next_unit = {rack: rng.randint(1, 4) for r in site.rooms.values() for rack in r}
    for role, count in site.physical.items():
        models, oses, app, cores, memory, storage = ROLES[role]
        for n in range(1, count + 1):
            model, os = rng.choice(models), rng.choice(oses)
            make, _, units, (low, high), launched = HARDWARE[model]
            room = rng.choices(list(site.rooms), weights=[len(r) for r in site.rooms.values()])[0]
            rack = min(site.rooms[room], key=lambda r: next_unit[r] + rng.random() * 8)
            unit, next_unit[rack] = next_unit[rack], next_unit[rack] + units + rng.randint(0, 2)
            assert unit + units - 1 <= 42, f"{rack} is full"
            apps = rng.sample(BUSINESS_APPS, rng.randint(2, 4)) if app == "db" else [app]
            name = "ora" if role == "sql" and "Linux" in os else role
            values: list[str | int] = [
                "", f"nbc-{name}-{site.code}-{n:02d}", "", unique_serial(make),
                f"NBC-SRV-{next(server_tags)}", "Physical", make, model, os,
                rng.choice(OSES[os][0]), rng.choice(cores), rng.choice(memory),
                rng.choice(storage), "Powered On", "", site.name, room, rack, unit, units,
                rng.randrange(low, high, 5), ";".join(filter(None, apps)),
                commissioned(os, launched),
            ]  # fmt: skip
            servers.append(dict(zip(CMDB_COLUMNS, values, strict=True)))
    return servers


def virtual_servers(site: Site, hosts: list[str], counters: dict[str, int]) -> list[Server]:
    servers: list[Server] = []
    for _ in range(site.virtual):
        # mostly business systems; "" makes an unlabelled management box
        app = rng.choice(
            [*BUSINESS_APPS * 3, "Active Directory", "Email Relay", "File and Print", ""]
        )
        role = rng.choices(("app", "web", "db", "tst", "dev"), weights=(45, 20, 15, 12, 8))[0]
        code = APPS[app][0] if app else "mgmt"
        stem = f"nbc-{code}{'' if code in ('dc', 'smtp', 'fs', 'mgmt') else '-' + role}"
        counters[stem] = counters.get(stem, 0) + 1
        os = rng.choices(list(OSES), weights=[share for *_, share in OSES.values()])[0]
        apps = [app, rng.choice(BUSINESS_APPS) if rng.random() < 0.08 else ""]
        cores = rng.choice((2, 2, 4, 4, 4, 8, 8, 16)) * (2 if role == "db" else 1)
        values: list[str | int] = [
            "", f"{stem}{counters[stem]:02d}", "",
            "" if rng.random() < 0.06 else unique_serial("VMware"), "", "Virtual",
            "VMware, Inc.", rng.choice((VM, "VMware7,1")), os, rng.choice(OSES[os][0]), cores,
            cores * rng.choice((2, 4, 4, 8)), rng.choice((80, 100, 120, 200, 250, 500, 1000)),
            "Powered Off" if rng.random() < 0.03 else "Powered On", rng.choice(hosts), site.name,
            "", "", "", "", "", ";".join(dict.fromkeys(filter(None, apps))), commissioned(os),
        ]  # fmt: skip
        servers.append(dict(zip(CMDB_COLUMNS, values, strict=True)))
    return servers


def build_servers() -> list[Server]:
    servers: list[Server] = []
    counters: dict[str, int] = {}
    for site in SITES:
        physical = physical_servers(site)
        hosts = [str(s["Hostname"]) for s in physical if s["Operating System"] == "VMware ESXi"]
        servers += physical + virtual_servers(site, hosts, counters)
    rng.shuffle(servers)
    for ci, server in zip(sorted(rng.sample(range(1000, 99999), 300)), servers, strict=True):
        server["CI ID"], server["FQDN"] = f"CI{ci:07d}", f"{server['Hostname']}.{DOMAIN}"
    return servers


def write_cmdb(servers: list[Server]) -> None:
    rows = [dict(server) for server in servers]  # the mess below is the CMDB's alone
    for row in rng.sample(rows, 6):
        row["FQDN"] = ""  # never recorded
    for row in rng.sample([r for r in rows if r["Type"] == "Physical"], 4):
        row["Asset Tag"] = ""  # label lost
    for row in rng.sample(rows, 3):
        row["Model"] = ""
    for column in ("Manufacturer", "Model", "Operating System", "Operating System", "Applications"):
        row = rng.choice([r for r in rows if r[column]])
        row[column] = f"{row[column]} "  # typed by hand
    with (OUT / "cmdb-servers.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, CMDB_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


# Servers the infrastructure team runs that nobody put in the CMDB.
SHADOW = (
    ("nbc-gis-sandbox01", "VMware", VM, UBUNTU, "Development", "Applications"),
    ("HWY-ANPR01", "Dell", R640, W16, "Production", "Highways Systems"),
    ("lib-selfserve-01", "VMware", VM, W12, "Production", "Libraries Systems"),
    ("nbc-elec-count01", "Hewlett Packard Enterprise", DL360, W19, "Production", "Applications"),
    ("nbc-cctv-nvr01", "Lenovo", SR650, W19, "Production", "Facilities"),
    ("nbc-pbi-gw01", "VMware", VM, W22, "Production", "Applications"),
    ("nbc-rev-poc01", "VMware", VM, W19, "Test", "Applications"),
    ("nbc-test-ubuntu", "VMware", VM, UBUNTU, "Development", "Infrastructure"),
)


def infra_row(s: Server) -> list[object]:
    host = str(s["Hostname"])
    style = rng.random()  # ~30% in another form: FQDN, upper case, or both
    name = f"{host}.{DOMAIN}" if 0.15 <= style < 0.30 else host
    name = name.upper() if style < 0.10 or 0.25 <= style < 0.30 else name
    cores, memory = s["CPU Cores"], s["Memory (GB)"]
    if rng.random() < 0.05:  # resized since the CMDB was last updated
        cores, memory = (int(cores) * 2, memory) if rng.random() < 0.5 else (cores, int(memory) * 2)
    env = {"tst": "Test", "dev": "Development"}.get(host.split("-")[-1][:3], "Production")
    team = ("Database" if re.search(r"-(sql|ora|db)", host)
            else "Infrastructure" if re.search(r"nbc-(esx|fs|bkp|tel|dc|smtp|mgmt)", host)
            else "Applications")  # fmt: skip
    serial = str(s["Serial Number"])
    serial = serial.lower() if rng.random() < 0.2 else serial
    return [name, serial, MAKES[str(s["Manufacturer"])], s["Model"], cores, memory,
            s["Storage (GB)"], s["Operating System"], env, team]  # fmt: skip


def write_infra(servers: list[Server]) -> None:
    rows = [infra_row(s) for s in rng.sample([s for s in servers if s["Serial Number"]], 250)]
    hostnames = {s["Hostname"] for s in servers}
    for name, make, model, os, env, team in SHADOW:
        assert name.lower() not in hostnames
        cores, memory = (16, 64) if make != "VMware" else (rng.choice((2, 4)), 8)
        rows.append([name, unique_serial(make), MAKES.get(make, "VMware, Inc."), model, cores,
                     memory, rng.choice((100, 480, 960)), os, env, team])  # fmt: skip
    rows.sort(key=lambda r: str(r[0]).lower())
    header = "Server Name;Serial;Make;Model;vCPU;RAM GB;Disk GB;OS;Environment;Owner Team"
    with (OUT / "infra-servers.csv").open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, delimiter=";")  # Excel's "CSV (semicolon)" export: BOM and CRLF
        writer.writerows([header.split(";"), *rows])


def write_applications() -> None:
    with (OUT / "applications.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["Name", "Owner", "Criticality"])
        writer.writerows([name, owner, level] for name, (_, owner, level) in APPS.items())


def main() -> None:
    servers = build_servers()
    write_cmdb(servers)
    write_infra(servers)
    write_register(build_devices())
    write_applications()


if __name__ == "__main__":
    main()
