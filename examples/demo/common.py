"""What the demo's generators share: where they write, the one seeded random source (so every
file comes out the same, byte for byte, on every run) and the pinned workbook timestamps."""

import datetime as dt
import random
import re
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parent

PINNED = dt.datetime(2026, 1, 1)

rng = random.Random(2026)

used_serials: set[str] = set()


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
