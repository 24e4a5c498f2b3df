"""Sync packages between sites and units (DESIGN.md §4, SYNC.md).

The database core already keeps what packages are cut from: the change log with base
versions and origins, hybrid-logical-clock stamps, the canonical row form and the site keys.
"""
