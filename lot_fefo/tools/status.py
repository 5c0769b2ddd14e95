"""The suite's lot quality statuses and their groups, defined here only.

Only lots in a usable status may be reserved, picked, consumed or shipped; a
restricted lot only for the partners and operation types it is restricted to.
Every status change goes through ``stock.lot._lot_set_status``.
"""

LOT_STATUSES = [
    ("quarantine", "Quarantine"),
    ("released", "Released"),
    ("restricted", "Restricted"),
    ("blocked", "Blocked"),
    ("recalled", "Recalled"),
    ("expired", "Expired"),
]

# may be reserved, picked, consumed or shipped (restricted lots: where they are restricted to)
USABLE_STATUSES = ("released", "restricted")
# usable by every partner and operation
OPEN_STATUSES = tuple(status for status in USABLE_STATUSES if status != "restricted")
# taken out of use by a quality decision (a block or a recall)
BLOCKED_STATUSES = ("blocked", "recalled")
# their stock may be scrapped with the Scrap Unusable Lots action
SCRAPPABLE_STATUSES = ("expired", *BLOCKED_STATUSES)
# their stock may be moved to the quarantine location when the status is set
RELOCATABLE_STATUSES = ("quarantine", *BLOCKED_STATUSES)
