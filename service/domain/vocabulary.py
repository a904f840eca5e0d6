"""The closed vocabularies of the records: every value a field of this kind can hold.

The database holds the same lists as CHECK constraints (migrations/), the contract as
``enum``s; a new value needs a migration too.
"""

RECOGNITION_FORMS = ("de_jure", "de_facto")
EXCHANGE_DIRECTIONS = ("government_to_country", "country_to_government")
# Highest first: the relations answer reports the highest rank in force.
EXCHANGE_RANKS = ("ambassador", "charge_d_affaires", "political_office", "other")
SOURCE_KINDS = ("news", "official_statement", "social_post", "dataset", "other")
TOKEN_SCOPES = ("read", "write")

CHANGE_ACTIONS = ("create", "update", "delete")
# What the change log may name as a record's ``resource``: the names of the registry's
# resources (service.store.registry checks that the two agree).
CHANGE_RESOURCES = ("governments", "recognitions", "ambassador-exchanges", "sources")

# The relations answer's categories, in the order a country is classified.
CATEGORIES = ("recognized", "ambassadors_exchanged", "limited_relations", "none")

# A record's state on a day (service.domain.in_force), and how sure a relation row is.
FORCE_STATES = ("in_force", "possibly_in_force", "not_in_force")
CERTAINTIES = ("established", "uncertain", "no_records")

# The same values in plain English words, defined once: the pages, the transitions'
# titles, the Atom feed, the CSV and the contract's descriptions all read these.
CATEGORY_WORDS = {
    "recognized": "recognized",
    "ambassadors_exchanged": "ambassadors exchanged",
    "limited_relations": "limited relations",
    "none": "none",
}
CERTAINTY_WORDS = {"established": "established", "uncertain": "uncertain", "no_records": "no records"}
FORCE_STATE_WORDS = {"in_force": "in force", "possibly_in_force": "possibly in force", "not_in_force": "not in force"}

# A webhook subscription: receiving, or paused (by its owner, after 24 h of failures, or a 410 Gone).
SUBSCRIPTION_STATES = ("active", "paused")
# An outbox message: waiting to be sent (or retried), sent, held while its stream is paused,
# or dropped (its target is gone, or its sender gave up).
OUTBOX_STATES = ("pending", "delivered", "held", "cancelled")
