"""The suite's one definition of "expired".

A lot's expiration date is its last day of use ("use by"), read as a calendar day
in the time zone of the warehouse that holds the stock (the warehouse address's
time zone, else the company's, else UTC). The lot is usable through that whole
local day and expired from 00:00 local time on the next day. Odoo stores
``expiration_date`` as a UTC datetime; its time of day does not matter.

Every part of the suite (reservation, filters, alerts, status changes, reports)
goes through :func:`usable_threshold`, so they can never disagree.
"""

from datetime import datetime, time, timedelta

import pytz


def local_date(moment, tz_name):
    """Calendar day of the naive UTC datetime ``moment`` in time zone ``tz_name``."""
    return pytz.utc.localize(moment).astimezone(pytz.timezone(tz_name or "UTC")).date()


def day_start_utc(day, tz_name):
    """Naive UTC datetime of 00:00 on ``day`` in time zone ``tz_name``."""
    tz = pytz.timezone(tz_name or "UTC")
    start = tz.localize(datetime.combine(day, time.min))
    return start.astimezone(pytz.utc).replace(tzinfo=None)


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
