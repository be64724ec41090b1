"""The demo council's asset register of end-user devices (asset-register.xlsx)."""

import datetime as dt
import random

from common import OUT, PINNED, pin_zip, rng, uk_date, unique_serial
from openpyxl import Workbook

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
# model -> the processors it shipped with (Windows 11 readiness reads them; the 7th and 6th
# generation parts of the oldest Latitudes and OptiPlexes are not on Microsoft's lists).
CPUS = {"Latitude 7480": ("i5-7300U", "i7-7600U", "i5-6300U"),
        "EliteBook 840 G5": ("i5-8350U", "i7-8650U", "i5-8250U"),
        "EliteBook 840 G7": ("i5-10310U", "i7-10610U"), "EliteBook 840 G8": ("i5-1145G7",),
        "ThinkPad T14": ("i5-10310U", "AMD Ryzen 5 PRO 4650U with Radeon Graphics"),
        "Latitude 5420": ("i5-1145G7", "i7-1185G7"), "Latitude 5430": ("i5-1245U", "i7-1265U"),
        "Latitude 7440": ("i5-1345U", "i7-1365U"), "OptiPlex 7050": ("i5-7500", "i7-7700"),
        "OptiPlex 7080": ("i5-10500", "i7-10700"), "OptiPlex 7090": ("i5-10505", "i7-10700"),
        "t640 Thin Client": ("AMD Ryzen Embedded R1505G with Radeon Vega Gfx",),
        "Wyse 5070 Thin Client": ("Intel(R) Celeron(R) J4105 CPU @ 1.50GHz",)}  # fmt: skip
GHZ = {"3": "2.10", "5": "1.70", "7": "1.90"}
OS_VERSIONS = {"HP ThinPro": ("7.2", "8.0"), "ThinOS": ("9.1", "9.4"), "Android": ("13", "14"),
               "iPadOS": ("16.7", "17.5", "18.1"), "iOS": ("16.7", "17.5", "18.1")}  # fmt: skip


def device_os(family: str, model: str) -> tuple[str, str]:
    if family == "Windows 10" or (family == "Windows" and rng.random() < 0.2):
        return "Windows 10", "22H2"
    if family == "Windows":
        return "Windows 11", rng.choices(("22H2", "23H2", "24H2"), weights=(15, 50, 35))[0]
    old = "6th" in model or "iPhone 8" in model  # stuck on the last release Apple shipped
    return family, "16.7" if old else rng.choice(OS_VERSIONS[family][-2:])


def device_cpu(model: str, tag: int) -> str | None:
    """The processor as a register holds it: Windows' own brand string, or a person's short
    form, sometimes blank. Its own seeded source, so the shared one (and every other demo
    number) is not moved."""
    pick = random.Random(f"cpu-{tag}")
    choices = CPUS.get(model)
    if choices is None or pick.random() < 0.05:
        return None
    cpu = pick.choice(choices)
    if not cpu.startswith(("i3-", "i5-", "i7-")):
        return cpu
    style = pick.random()
    if style < 0.5:
        generation = int(cpu[3:5]) if cpu[3] == "1" else 0
        prefix = f"{generation}th Gen " if generation >= 11 else ""
        suffix = "" if generation >= 11 else " CPU"
        return f"{prefix}Intel(R) Core(TM) {cpu}{suffix} @ {GHZ[cpu[1]]}GHz"
    return f"Intel Core {cpu}" if style < 0.8 else cpu


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
            site, purchased, cost, warranty, device_cpu(model, tag)]  # fmt: skip


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
        rows[new][14] = rows[old][14]  # the same machine, so the same processor
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
               "Purchase Date", "Purchase Cost (£)", "Warranty End", "Processor"])  # fmt: skip
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
