"""The migration: plans people make and the state they lead to.

`plans` (applications, waves, a server's plan) and `assignments` (many servers at once) are
the writes; `rules` derives each server's status from its facts and `statuses` keeps it on
every server in bulk; `progress` (with daily snapshots), `hosting` (per site, month by month)
and `decommission` (candidates, reviews, removal) are what the readers see; `applications`
gives the applications list its counts. May import estate.config, estate.db, estate.models,
estate.inventory and estate.history; never estate.devices, estate.outbox or estate.access.
"""
