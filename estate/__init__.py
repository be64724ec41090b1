"""estate: the IT estate and cloud migration inventory (domain and storage)."""
