"""The suite's one time zone rule: dates of lots are read in the warehouse's time zone.

* A warehouse: the time zone of its address, else of its company's address, else UTC.
* A company: the time zone of its main warehouse (the first by sequence), else of its
  address, else UTC.
* A lot (``stock.lot._lot_tzs``): the time zone of the warehouse holding its stock in
  internal locations. When that stock is in warehouses of different time zones, the one
  in which the lot's expiration day ends first, so that a lot is never "expired" late
  anywhere. A lot with no stock in a warehouse: its company's (else the current company's).

Expiry (``lot_fefo.tools.expiry``), labels, reports and exports all read dates through
these functions, so a lot expires on the same day for all of them.
"""

import datetime

import pytz

UTC = "UTC"


def valid_tz(tz_name):
    """``tz_name`` when it is a known time zone, else UTC."""
    return tz_name if tz_name in pytz.all_timezones_set else UTC


def warehouse_tz(warehouse):
    """Time zone of a warehouse: its address's, else its company's address's, else UTC."""
    warehouse = warehouse.sudo()
    return valid_tz(warehouse.partner_id.tz or warehouse.company_id.partner_id.tz)


def main_warehouse(company):
    """The company's first warehouse (by sequence), or an empty recordset."""
    return company.env["stock.warehouse"].sudo().search([("company_id", "=", company.id)], limit=1)


def company_tz(company):
    """Time zone of a company: its main warehouse's, else its address's, else UTC."""
    company = company.sudo()
    warehouse = main_warehouse(company)
    if warehouse:
        return warehouse_tz(warehouse)
    return valid_tz(company.partner_id.tz)


def day_end_utc(moment, tz_name):
    """Naive UTC datetime at which the local day of the naive UTC ``moment`` ends."""
    tz = pytz.timezone(tz_name)
    try:
        day = pytz.utc.localize(moment).astimezone(tz).date() + datetime.timedelta(days=1)
        return tz.localize(datetime.datetime.combine(day, datetime.time.min)).astimezone(pytz.utc)
    except OverflowError:  # the last day of year 9999 has no day after it
        return pytz.utc.localize(datetime.datetime.max)


def earliest_day_end(moment, tz_names):
    """Among ``tz_names``, the time zone in which the local day of ``moment`` ends first
    (the first name when ``moment`` is empty)."""
    tz_names = sorted(set(tz_names))
    if not moment or len(tz_names) == 1:
        return tz_names[0]
    return min(tz_names, key=lambda tz_name: (day_end_utc(moment, tz_name), tz_name))


def local_date(moment, tz_name):
    """Calendar day of the naive UTC datetime ``moment`` in ``tz_name`` (a date is kept)."""
    if not moment:
        return None
    if not isinstance(moment, datetime.datetime):
        return moment
    try:
        return pytz.utc.localize(moment).astimezone(pytz.timezone(tz_name or UTC)).date()
    except OverflowError:  # the last hours of year 9999, east of UTC: still its last day
        return datetime.date.max


def day_start_utc(day, tz_name):
    """Naive UTC datetime of 00:00 on ``day`` in ``tz_name``."""
    tz = pytz.timezone(tz_name or UTC)
    start = tz.localize(datetime.datetime.combine(day, datetime.time.min))
    return start.astimezone(pytz.utc).replace(tzinfo=None)


def warehouse_tz_sql(warehouse):
    """SQL expression of ``warehouse_tz`` for the ``stock_warehouse`` alias ``warehouse``
    (for SQL views, which cannot call Python)."""
    return f"""COALESCE(
        (SELECT NULLIF(partner.tz, '') FROM res_partner partner
          WHERE partner.id = {warehouse}.partner_id),
        (SELECT NULLIF(partner.tz, '') FROM res_company company
           JOIN res_partner partner ON partner.id = company.partner_id
          WHERE company.id = {warehouse}.company_id),
        'UTC')"""


def company_tz_sql(company_id):
    """SQL expression of ``company_tz`` for the SQL expression ``company_id``."""
    return f"""COALESCE(
        (SELECT {warehouse_tz_sql("main")} FROM stock_warehouse main
          WHERE main.company_id = {company_id} AND main.active
       ORDER BY main.sequence, main.id LIMIT 1),
        (SELECT NULLIF(partner.tz, '') FROM res_company company
           JOIN res_partner partner ON partner.id = company.partner_id
          WHERE company.id = {company_id}),
        'UTC')"""
