"""Generate the demo estate of the fictional Northbridge City Council.

Run from the repository root: .venv/bin/python examples/demo/generate.py
Everything comes from random.Random(2026) and the workbook's timestamps are pinned, so a rerun
rewrites the same bytes. The mess in the files is deliberate; README.md lists it.
"""

import csv
import datetime as dt
import random
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook

OUT = Path(__file__).resolve().parent
DOMAIN = "ad.northbridge.gov.uk"
PINNED = dt.datetime(2026, 1, 1)
rng = random.Random(2026)
used_serials: set[str] = set()
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


def unique_serial(make: str) -> str:
    """A fresh serial in the shape the manufacturer actually prints."""
    alnum = "0123456789BCDFGHJKLMNPQRSTVWXYZ"
    while True:
        tail = "".join(rng.choices(alnum, k=12))
        digits, hexes = str(rng.randint(1000, 9999)), rng.randbytes(15).hex(" ")
        serial = {"Dell": tail[:7], "Hewlett Packard Enterprise": "CZJ" + digits + tail[:3],
                  "HP": rng.choice(("5CG", "8CC")) + digits + tail[:3], "Apple": tail[:10],
                  "Lenovo": rng.choice(("J30", "PF")) + tail[:6], "Samsung": "R58" + tail[:8],
                  "VMware": f"VMware-42 {hexes[:20]}-{hexes[21:]}"}[make]  # fmt: skip
        if serial not in used_serials:
            used_serials.add(serial)
            return serial


def uk_date(year_from: int, year_to: int) -> dt.date:
    start, end = dt.date(year_from, 1, 1), min(dt.date(year_to, 12, 31), dt.date(2025, 10, 31))
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


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


FIRST_NAMES = (
    "Alex Amara Ben Bethan Callum Chloe Dev Dylan Eira Erin Finn Freya Gethin Grace Hari"
    " Holly Idris Isla Jack Jas Kai Keira Liam Lowri Mo Megan Nia Noah Olly Osian Priya"
    " Rhys Rosa Ryan Sam Seren Tariq Tegan Tom Uma Will Yasmin Zac Zara"
)
SURNAME_PARTS = (
    "Amber Bracken Copper Dapple Elder Fern Gorse Hazel Ivy Juniper Kestrel Larch Moss"
    " Nettle Oak Pebble Quill Rowan Sorrel Thistle Umber Vetch Willow Yarrow"
)
SURNAME_ENDS = ("by", "combe", "dale", "holt", "mere", "wick")
SURNAMES = [part + end for part in SURNAME_PARTS.split() for end in SURNAME_ENDS]
DEPARTMENTS = ("Adult Social Care", "Children's Services", "Revenues and Benefits", "Planning",
               "Housing", "Environmental Services", "Highways", "Libraries", "Finance", "HR", "ICT",
               "Legal and Democratic Services")  # fmt: skip
# Departments based away from the two office buildings.
HOME = {"Highways": "Eastfield Depot", "Environmental Services": "Eastfield Depot",
        "Libraries": "Central Library"}  # fmt: skip
# device type -> (share of 4,000, device-name prefix, share assigned to a person, cost range)
TYPES = {"Laptop": (2000, "LT", 0.92, (650, 1400)), "Desktop": (1000, "DT", 0.3, (500, 900)),
         "Thin Client": (400, "TC", 0.1, (250, 350)), "Tablet": (320, "TB", 0.8, (350, 500)),
         "Mobile Phone": (280, "MB", 0.85, (300, 800))}  # fmt: skip
# (device type, manufacturer, model, first year bought, last year bought, OS family)
MODELS = (
    ("Laptop", "Dell", "Latitude 7480", 2016, 2018, "Windows 10"),
    ("Laptop", "HP", "EliteBook 840 G5", 2018, 2019, "Windows"),
    ("Laptop", "HP", "EliteBook 840 G7", 2020, 2021, "Windows"),
    ("Laptop", "HP", "EliteBook 840 G8", 2021, 2022, "Windows"),
    ("Laptop", "Lenovo", "ThinkPad T14", 2020, 2023, "Windows"),
    ("Laptop", "Dell", "Latitude 5420", 2021, 2022, "Windows"),
    ("Laptop", "Dell", "Latitude 5430", 2022, 2024, "Windows"),
    ("Laptop", "Dell", "Latitude 7440", 2023, 2025, "Windows"),
    ("Desktop", "Dell", "OptiPlex 7050", 2016, 2019, "Windows 10"),
    ("Desktop", "Dell", "OptiPlex 7080", 2020, 2021, "Windows"),
    ("Desktop", "Dell", "OptiPlex 7090", 2021, 2024, "Windows"),
    ("Thin Client", "HP", "t640 Thin Client", 2019, 2023, "HP ThinPro"),
    ("Thin Client", "Dell", "Wyse 5070 Thin Client", 2018, 2022, "ThinOS"),
    ("Tablet", "Apple", "iPad (6th generation)", 2018, 2020, "iPadOS"),
    ("Tablet", "Apple", "iPad (9th generation)", 2021, 2024, "iPadOS"),
    ("Mobile Phone", "Apple", "iPhone 8", 2017, 2019, "iOS"),
    ("Mobile Phone", "Apple", "iPhone 12", 2020, 2022, "iOS"),
    ("Mobile Phone", "Apple", "iPhone 13", 2021, 2024, "iOS"),
    ("Mobile Phone", "Samsung", "Galaxy A52", 2021, 2023, "Android"),
)
OS_VERSIONS = {"HP ThinPro": ("7.2", "8.0"), "ThinOS": ("9.1", "9.4"), "Android": ("13", "14"),
               "iPadOS": ("16.7", "17.5", "18.1"), "iOS": ("16.7", "17.5", "18.1")}  # fmt: skip


def device_os(family: str, model: str) -> tuple[str, str]:
    if family == "Windows 10" or (family == "Windows" and rng.random() < 0.2):
        return "Windows 10", "22H2"
    if family == "Windows":
        return "Windows 11", rng.choices(("22H2", "23H2", "24H2"), weights=(15, 50, 35))[0]
    old = "6th" in model or "iPhone 8" in model  # stuck on the last release Apple shipped
    return family, "16.7" if old else rng.choice(OS_VERSIONS[family][-2:])


def device_row(kind: str, tag: int, staff: list[tuple[str, str]]) -> list[object]:
    _, prefix, assigned_share, (low, high) = TYPES[kind]
    _, make, model, first, last, family = rng.choice([m for m in MODELS if m[0] == kind])
    os, version = device_os(family, model)
    assigned = rng.random() < assigned_share
    email, dept = rng.choice(staff) if assigned else ("", rng.choice(DEPARTMENTS))
    site = HOME.get(dept, rng.choice(("Civic Centre", "Civic Centre", "Northgate House")))
    if kind in ("Laptop", "Tablet", "Mobile Phone") and rng.random() < 0.15:
        site = "Remote"
    bought = uk_date(first, last)
    leap_day = bought.month == 2 and bought.day == 29
    warranty: dt.date | None = bought.replace(
        year=bought.year + rng.choice((3, 4)), day=28 if leap_day else bought.day
    )
    name = "" if kind == "Mobile Phone" and rng.random() < 0.6 else f"NBC-{prefix}-{tag:05d}"
    serial = unique_serial(make)
    purchased: object = bought if rng.random() < 0.5 else bought.strftime("%d/%m/%Y")
    if rng.random() < 0.03:
        purchased = warranty = None
    cost = round(rng.uniform(low, high), 2)
    manufacturer = {"HP": "HP", "Dell": "Dell Inc."}.get(make, make)
    return [f"NBC-{tag:06d}", serial, name, kind, manufacturer, model, os, version, email, dept,
            site, purchased, cost, warranty]  # fmt: skip


def build_devices() -> list[list[object]]:
    # Fictional staff: ordinary first names, invented surnames.
    pairs = rng.sample([(f, s) for f in FIRST_NAMES.split() for s in SURNAMES], 2400)
    staff = [(f"{f}.{s}@northbridge.gov.uk".lower(), rng.choice(DEPARTMENTS)) for f, s in pairs]
    kinds = [kind for kind, (count, *_) in TYPES.items() for _ in range(count)]
    rng.shuffle(kinds)
    tags = sorted(rng.sample(range(10000, 99999), len(kinds)))
    rows = [device_row(kind, tag, staff) for kind, tag in zip(kinds, tags, strict=True)]
    for row in rows:  # ~3% blanks scattered over the optional columns
        for col in (2, 5, 7, 9, 10, 12, 13):
            if rng.random() < 0.03:
                row[col] = None
    picked: set[int] = set()
    for kind in ("Laptop", "Laptop", "Laptop", "Desktop", "Tablet", "Mobile Phone"):
        # Re-registered: the same device recorded again under a second asset tag.
        pool = [i for i, row in enumerate(rows) if row[3] == kind and i not in picked]
        old, new = sorted(rng.sample(pool, 2))
        rows[new][1], rows[new][4:8] = rows[old][1], rows[old][4:8]
        picked |= {old, new}
    for i in rng.sample([i for i in range(len(rows)) if i not in picked], 8):
        rows[i][1] = str(rows[i][1]).lower()
    return [[None if v == "" else v for v in row] for row in rows]


def write_register(rows: list[list[object]]) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Devices"
    ws.append(["Asset Tag", "Serial Number", "Device Name", "Device Type", "Manufacturer", "Model",
               "Operating System", "OS Version", "Assigned To", "Department", "Location",
               "Purchase Date", "Purchase Cost (£)", "Warranty End"])  # fmt: skip
    for row in rows:
        ws.append(row)
    for col in ("L", "N"):
        for cell in ws[col][1:]:
            if isinstance(cell.value, dt.date):
                cell.number_format = "DD/MM/YYYY"
    for cell in ws["M"][1:]:
        cell.number_format = '"£"#,##0.00'
    ws.freeze_panes = "A2"
    wb.properties.creator = "Northbridge City Council ICT (fictional demo)"
    wb.properties.created = PINNED
    path = OUT / "asset-register.xlsx"
    wb.save(path)
    pin_zip(path)


def pin_zip(path: Path) -> None:
    """openpyxl stamps the save time into the zip and docProps; pin both so reruns match."""
    with zipfile.ZipFile(path) as src:
        parts = [(info.filename, src.read(info)) for info in src.infolist()]
    stamp = PINNED.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in parts:
            if name == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp, data)
            dst.writestr(zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)


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
