"""The rules of the service, free of Flask and of the database.

Dates and their day bounds, ISO countries, the closed vocabularies of the records,
when a record is in force, how a government's records add up to a relation per
country, and how the change log replays into past states. Everything here works on
plain values, so it can be tested (and rewritten) without an app or a database.
"""
