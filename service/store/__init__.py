"""The database: engine setup, models, the registry of resources, and every read and
write that needs SQL (the write path, the change log, pages, the relations' records).

The store knows nothing of HTTP: it raises its own exceptions (``writes``) and the
views turn them into answers.
"""
