"""The demo catalog of Omsk: `manage.py seed_demo` loads it, benchmarks scale it up.

`generator` plans rows from a seed without touching the database, `loader` writes them in
bulk, `vocabulary` and `organizations` hold the Russian words and the provider mix.
"""
