"""The change log: one writer of change rows, whatever caused them (a scan run, or a user in a
request), and the reads of what changed. May import estate.db and estate.models only.
"""
