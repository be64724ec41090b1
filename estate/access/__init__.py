"""Who may do what: API tokens and their roles (`tokens`) and dashboard sessions (`sessions`).
May import estate.config, estate.db, estate.models and estate.history.
"""
