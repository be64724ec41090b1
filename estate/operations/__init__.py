"""Running the service: scan requests queued for a scheduler (`requests`), which scheduler runs
each scheduled slot (`claims`), the scan runs' list (`runs`; what it shares with the requests'
list in `scan_lists`), Prometheus metrics (`metrics`) and
log output (`logs`). May import estate.config, estate.db, estate.models and
estate.history.
"""
