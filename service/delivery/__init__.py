"""Sending what the outbox holds: ``python -m service deliver``.

- ``senders``: one sender per message ``kind`` (``webhook``, ``purge``; a new kind registers its
  own), each preparing a message from the database and sending it without it;
- ``client``: one bounded HTTP request to a checked, pinned address;
- ``loop``: the deliverer: claims, sends on a pool of threads, records, retries.
"""

from . import purges, webhooks  # noqa: E402,F401  register the purge and webhook senders
