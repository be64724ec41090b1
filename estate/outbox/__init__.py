"""What estate sends: the email outbox (`mail`), alerts to the operations team (`alerts`) and
the scheduled reports (`reports`). May import every other estate package; none imports it.
"""
