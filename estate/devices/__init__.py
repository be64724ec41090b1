"""End-user devices: when each falls due for replacement, why, and what replacing them costs.

`policy` (the pure `evaluate`), `lifecycle` (OS end-of-support facts from estate/data),
`store` (keeping every device's date in bulk, overrides and disposal), `batch` (one batch of
that in the drivers' own SQL), `forecast` (per UK financial year, in SQL, from the buckets
`store` keeps), `split` (overdue, this year, next, later) and `quarters` (financial years and
quarters, in Python and SQL).
May import estate.config, estate.db, estate.models, estate.inventory and estate.history; never
estate.migration, estate.outbox or estate.access.
"""
