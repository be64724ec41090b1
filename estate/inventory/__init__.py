"""The inventory: what the sources say, reconciled into one row per real thing.

`records` is the contract scanners emit (importing it loads nothing else of the storage
layer); `ingest` writes a run's records as observations, `reconcile` keys and merges them
into entities (`entities`, `links`), and the read side lists and shows each kind of entity.
May import estate.config, estate.db, estate.models and estate.history.
"""
