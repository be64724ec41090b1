"""Scanners: one module per source kind, each a fetch (I/O) and a pure transform to records."""
