"""The suite's lot quality statuses.

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

USABLE_STATUSES = ("released", "restricted")
