"""The dashboard: server-rendered pages over the same estate read models as the API."""
