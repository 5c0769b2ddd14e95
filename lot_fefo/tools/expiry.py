"""The suite's one definition of "expired".

A lot's expiration date is its last day of use ("use by"), read as a calendar day
in the time zone of the warehouse that holds the stock (the suite's one rule:
``lot_traceability.tools.timezones``, ``stock.lot._lot_tzs``). The lot is usable
through that whole local day and expired from 00:00 local time on the next day. Odoo stores
``expiration_date`` as a UTC datetime; its time of day does not matter.

Every part of the suite (reservation, filters, alerts, status changes, reports)
goes through :func:`usable_threshold`, so they can never disagree.
"""

from datetime import timedelta

from odoo.addons.lot_traceability.tools.timezones import day_start_utc, local_date

__all__ = ["day_start_utc", "days_left", "is_expired", "local_date", "usable_threshold"]

# A lot expiring before ``now - BOUNDARY`` is expired in every time zone, one expiring at
# ``now`` or later in none: only lots in between need their time zone (a local day
# starts less than 26 hours before any moment of it).
BOUNDARY = timedelta(days=2)


def usable_threshold(moment, tz_name, min_days=0):
    """Smallest ``expiration_date`` a lot may have to be usable at ``moment``
    with at least ``min_days`` full days of shelf life left.

    A lot is usable iff ``expiration_date >= usable_threshold(...)``; with
    ``min_days=0`` a lot is expired iff ``expiration_date < usable_threshold(now)``.
    """
    return day_start_utc(local_date(moment, tz_name) + timedelta(days=min_days), tz_name)


def is_expired(expiration_date, moment, tz_name):
    """True when a lot with this expiration date is expired at ``moment``."""
    return bool(expiration_date) and expiration_date < usable_threshold(moment, tz_name)


def days_left(expiration_date, moment, tz_name):
    """Whole days of use left at ``moment``: 0 on the expiration day, negative once expired."""
    return (local_date(expiration_date, tz_name) - local_date(moment, tz_name)).days
