"""The demo council's Wi-Fi at the Civic Centre, as SNMP agents record it (examples/demo/snmp/).

One snmpsim recording (`.snmprec`: OID|type tag|value) per access point, and one for the
controller they join: what `estate demo` serves with snmpsim on loopback, one engine per file,
and reads with the `snmp` source. Written from fixed tables, not the shared random source, so
adding them moves no other demo number. Run `python network.py` (or from generate.py).
"""

from common import OUT

SNMP = OUT / "snmp"
SITE = "Civic Centre"
# (sysName, floor and room, serial): two AP-515s a floor on the office floors, one in the
# council chamber, one in the reception and one in the server room corridor.
ACCESS_POINTS = (
    ("civ-ap-g-01", "Ground Floor, Reception", "CNM9K2Q0A1"),
    ("civ-ap-g-02", "Ground Floor, Council Chamber", "CNM9K2Q0A2"),
    ("civ-ap-1-01", "First Floor, East Wing", "CNM9K2Q0B1"),
    ("civ-ap-1-02", "First Floor, West Wing", "CNM9K2Q0B2"),
    ("civ-ap-2-01", "Second Floor, East Wing", "CNM9K2Q0C1"),
    ("civ-ap-2-02", "Second Floor, West Wing", "CNM9K2Q0C2"),
    ("civ-ap-3-01", "Third Floor, East Wing", "CNM9K2Q0D1"),
    ("civ-ap-3-02", "Third Floor, West Wing", "CNM9K2Q0D2"),
    ("civ-ap-b-01", "Basement, Server Room Corridor", "CNM9K2Q0E1"),
)
CONTROLLER = ("civ-mc-01", "Basement, Server Room, Rack B2", "CNK7H1P0Z9")
CONTACT = "ICT Network Team <network@northbridge.gov.uk>"
# Aruba's product tree: 14823.1.2 access points (.111: AP-515), 14823.1.1 controllers.
ARUBA = "1.3.6.1.4.1.14823.1.2"


def system(name: str, place: str, descr: str, object_id: str, services: int) -> list[str]:
    return [
        f"1.3.6.1.2.1.1.1.0|4|{descr}",
        f"1.3.6.1.2.1.1.2.0|6|{object_id}",
        "1.3.6.1.2.1.1.3.0|67|98765400",
        f"1.3.6.1.2.1.1.4.0|4|{CONTACT}",
        f"1.3.6.1.2.1.1.5.0|4|{name}",
        f"1.3.6.1.2.1.1.6.0|4|{SITE}, {place}",
        f"1.3.6.1.2.1.1.7.0|2|{services}",
    ]


def interfaces(names: tuple[str, ...]) -> list[str]:
    rows = [f"1.3.6.1.2.1.2.1.0|2|{len(names)}"]
    rows += [f"1.3.6.1.2.1.2.2.1.1.{i}|2|{i}" for i in range(1, len(names) + 1)]
    rows += [f"1.3.6.1.2.1.2.2.1.2.{i}|4|{n}" for i, n in enumerate(names, 1)]
    rows += [f"1.3.6.1.2.1.2.2.1.8.{i}|2|1" for i in range(1, len(names) + 1)]
    return rows


def chassis(descr: str, serial: str, part: str) -> list[str]:
    return [
        f"1.3.6.1.2.1.47.1.1.1.1.2.1|4|{descr}",
        "1.3.6.1.2.1.47.1.1.1.1.5.1|2|3",
        "1.3.6.1.2.1.47.1.1.1.1.7.1|4|Chassis",
        f"1.3.6.1.2.1.47.1.1.1.1.11.1|4|{serial}",
        f"1.3.6.1.2.1.47.1.1.1.1.13.1|4|{part}",
    ]


def write(name: str, rows: list[str]) -> None:
    # snmpsim wants its records in OID order, compared as numbers.
    rows.sort(key=lambda row: tuple(int(part) for part in row.split("|", 1)[0].split(".")))
    (SNMP / f"{name}.snmprec").write_text("\n".join(rows) + "\n", encoding="utf-8")


def write_access_points() -> None:
    SNMP.mkdir(exist_ok=True)
    for name, place, serial in ACCESS_POINTS:
        descr = "ArubaOS (MODEL: 515), Version 8.10.0.6 (86150)"
        rows = system(name, place, descr, f"{ARUBA}.111", 6)
        rows += interfaces(("eth0", "eth1", "radio0", "radio1", "br0"))
        write(name, rows + chassis("AP-515", serial, "R2H28A"))
    name, place, serial = CONTROLLER
    descr = "ArubaOS (MODEL: Aruba7010), Version 8.10.0.6 (86150)"
    rows = system(name, place, descr, "1.3.6.1.4.1.14823.1.1.36", 2)
    rows += interfaces(tuple(f"GE0/0/{port}" for port in range(16)))
    write(name, rows + chassis("Aruba 7010 Mobility Controller", serial, "JW678A"))


if __name__ == "__main__":
    write_access_points()
