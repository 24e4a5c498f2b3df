"""Helpers of the recovery tests: a database file's villages, and a village added with the
whole database checkpointed into the one file (so that cutting the file damages it)."""

import sqlite3

from gnapp.db import connection, sites, units


def village_names(path):
    db = connection.connect(path)
    try:
        return [v["name"] for v in units.children(db, "07339", level="village")]
    finally:
        db.close()


def add_village(path, name):
    db = connection.connect(path)
    units.add_village(sites.writer(db), name)
    db.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")   # the whole database in the one file
    conn.close()
