"""The wire format: marshmallow schemas of every answer, request body and query string.

One module per resource holds its response, body and query schemas together;
``fields`` holds what they share. Schemas import only ``service.domain``: the store
writes change-log snapshots with them, the views answer with them, and the contract
is generated from them.
"""
