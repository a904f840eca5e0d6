"""Sending what the outbox holds: ``python -m service deliver``.

- ``senders``: one sender per message ``kind`` (``webhook``; a new kind registers its
  own), each preparing a message from the database and sending it without it;
- ``client``: one bounded HTTP request to a checked, pinned address;
- ``loop``: the deliverer: claims, sends on a pool of threads, records, retries.
"""

from . import webhooks  # noqa: E402,F401  registers the webhook sender
