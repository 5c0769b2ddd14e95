"""One classification of done move lines: kind, partner, company and order.

Every report of where a lot went (genealogy, lot mass balance, trace wizard, recall scope,
regulator exports, FEFO compliance) classifies move lines here, in two steps:

1. In SQL, ``kind_sql()`` gives the kind of each line from its locations, e.g.::

       SELECT ml.id, ml.move_id, {kind_sql()} AS kind
         FROM stock_move_line ml
         JOIN stock_location src ON src.id = ml.location_id
         JOIN stock_location dst ON dst.id = ml.location_dest_id
        WHERE ml.lot_id = ANY(%s) AND ml.state = 'done' AND ml.company_id = ANY(%s)

2. In Python, ``classify_lines(env, rows)`` adds the partners and orders of those rows with
   one query on their moves (by id), whatever the number of rows.

Kinds are then read through the groups below rather than one by one: a dropship line
(vendor to customer) is both a receipt from the vendor and a delivery to the customer, a
dropship return (customer to vendor) both a customer return and a return to the vendor.
A transit location of no company, or of another company (Odoo's inter-company transit),
is outside the line's company: goods going there are shipped to another company, goods
coming from there received from it. A transit location of the line's company (resupply
between its warehouses) keeps the goods in the company.
"""

MOVEMENT_KINDS = [
    ("receipt", "Receipt"),
    ("supplier_return", "Return to supplier"),
    ("dropship", "Dropship"),
    ("dropship_return", "Dropship return"),
    ("production", "Produced"),
    ("consumption", "Consumed"),
    ("delivery", "Delivery"),
    ("customer_return", "Customer return"),
    ("intercompany_out", "Shipped to another company"),
    ("intercompany_in", "Received from another company"),
    ("scrap", "Scrap"),
    ("adjustment_in", "Inventory gain"),
    ("adjustment_out", "Inventory loss"),
    ("transit", "In transit"),
    ("internal", "Internal transfer"),
]

# From a vendor (or another company): the line's partner is the vendor.
RECEIPT_KINDS = ("receipt", "dropship", "intercompany_in")
# Back to a vendor.
SUPPLIER_RETURN_KINDS = ("supplier_return", "dropship_return")
# To a customer (or another company): the customers of a lot, the scope of a recall.
DELIVERY_KINDS = ("delivery", "dropship", "intercompany_out")
# Back from a customer.
CUSTOMER_RETURN_KINDS = ("customer_return", "dropship_return")
# Kinds whose partner is the customer (move's partner, else the sale order's delivery
# address, else the transfer's partner).
CUSTOMER_KINDS = DELIVERY_KINDS + CUSTOMER_RETURN_KINDS

# Kinds that bring a lot's quantity into, or take it out of, the company's stock. A dropship
# (and its return) is both: it passes through the company without stopping in its stock.
BALANCE_IN = (
    "receipt",
    "dropship",
    "dropship_return",
    "production",
    "customer_return",
    "adjustment_in",
    "intercompany_in",
)
BALANCE_OUT = (
    "consumption",
    "delivery",
    "dropship",
    "dropship_return",
    "supplier_return",
    "scrap",
    "adjustment_out",
    "intercompany_out",
)

# Quantities of a mass balance added up per view of a movement (see ``balance_groups``).
KIND_GROUPS = {
    "received": RECEIPT_KINDS,
    "returned_to_supplier": SUPPLIER_RETURN_KINDS,
    "delivered": DELIVERY_KINDS,
    "returned": CUSTOMER_RETURN_KINDS,
}


def kind_sql(line="ml", src="src", dst="dst"):
    """SQL expression of the kind of a done move line (one of ``MOVEMENT_KINDS``).

    :param line: alias of ``stock_move_line``
    :param src: alias of its source ``stock_location``
    :param dst: alias of its destination ``stock_location``
    """
    return f"""
CASE WHEN {dst}.scrap_location THEN 'scrap'
     WHEN {src}.usage = 'supplier' AND {dst}.usage = 'customer' THEN 'dropship'
     WHEN {src}.usage = 'customer' AND {dst}.usage = 'supplier' THEN 'dropship_return'
     WHEN {src}.usage = 'supplier' THEN 'receipt'
     WHEN {dst}.usage = 'supplier' THEN 'supplier_return'
     WHEN {dst}.usage = 'customer' THEN 'delivery'
     WHEN {src}.usage = 'customer' THEN 'customer_return'
     WHEN {src}.usage = 'production' THEN 'production'
     WHEN {dst}.usage = 'production' THEN 'consumption'
     WHEN {src}.usage = 'inventory' THEN 'adjustment_in'
     WHEN {dst}.usage = 'inventory' THEN 'adjustment_out'
     WHEN {dst}.usage = 'transit' AND {src}.usage <> 'transit'
          AND {dst}.company_id IS DISTINCT FROM {line}.company_id THEN 'intercompany_out'
     WHEN {src}.usage = 'transit' AND {dst}.usage <> 'transit'
          AND {src}.company_id IS DISTINCT FROM {line}.company_id THEN 'intercompany_in'
     WHEN 'transit' IN ({src}.usage, {dst}.usage) THEN 'transit'
     ELSE 'internal' END"""


def _parties_sql(env):
    """Partners and orders of moves given by id (``%s``), with the columns of the sale and
    purchase links only when their modules are installed."""
    move_fields = env["stock.move"]._fields
    columns = [
        "m.id AS move_id",
        "m.partner_id AS move_partner_id",
        "pk.partner_id AS picking_partner_id",
        "COALESCE(m.production_id, m.raw_material_production_id) AS production_id",
        "m.unbuild_id",
    ]
    joins = ["LEFT JOIN stock_picking pk ON pk.id = m.picking_id"]
    if "sale_line_id" in move_fields:
        columns += ["so.id AS sale_id", "so.partner_shipping_id AS sale_partner_id"]
        joins += [
            "LEFT JOIN sale_order_line sol ON sol.id = m.sale_line_id",
            "LEFT JOIN sale_order so ON so.id = sol.order_id",
        ]
    else:
        columns += ["NULL::int AS sale_id", "NULL::int AS sale_partner_id"]
    if "purchase_line_id" in move_fields:
        columns += ["po.id AS purchase_id", "po.partner_id AS purchase_partner_id"]
        joins += [
            "LEFT JOIN purchase_order_line pol ON pol.id = m.purchase_line_id",
            "LEFT JOIN purchase_order po ON po.id = pol.order_id",
        ]
    else:
        columns += ["NULL::int AS purchase_id", "NULL::int AS purchase_partner_id"]
    return "SELECT {} FROM stock_move m {} WHERE m.id = ANY(%s)".format(
        ", ".join(columns), " ".join(joins)
    )


def _customer(parties):
    return parties["move_partner_id"] or parties["sale_partner_id"] or parties["picking_partner_id"]


def _vendor(kind, parties):
    if kind in ("dropship", "dropship_return"):
        # On a dropship return, the transfer's partner is the customer.
        return parties["purchase_partner_id"] or parties["picking_partner_id"]
    return (
        parties["picking_partner_id"]
        or parties["purchase_partner_id"]
        or parties["move_partner_id"]
    )


def classify_lines(env, rows):
    """Add the partners and orders of classified move lines, in place, with one query.

    :param rows: dicts with at least ``kind`` (from ``kind_sql``) and ``move_id``
    :return: ``rows``, each with ``customer_id`` (lines of ``CUSTOMER_KINDS``: the move's
        partner, else the sale order's delivery address, else the transfer's partner),
        ``vendor_id`` (lines of ``RECEIPT_KINDS`` and ``SUPPLIER_RETURN_KINDS``: the
        transfer's partner, else the purchase order's; for dropships the purchase order's
        first), ``partner_id`` (the customer, else the vendor, else the transfer's or the
        move's partner), ``production_id`` (manufacturing order), ``unbuild_id``,
        ``sale_id`` and ``purchase_id`` (False when unknown or not installed)
    """
    move_ids = list({row["move_id"] for row in rows if row["move_id"]})
    env.cr.execute(_parties_sql(env), [move_ids])
    columns = [column.name for column in env.cr.description]
    moves = {row[0]: dict(zip(columns, row, strict=True)) for row in env.cr.fetchall()}
    empty = dict.fromkeys(columns)
    for row in rows:
        parties = moves.get(row["move_id"], empty)
        kind = row["kind"]
        customer = _customer(parties) if kind in CUSTOMER_KINDS else None
        vendor = _vendor(kind, parties) if kind in RECEIPT_KINDS + SUPPLIER_RETURN_KINDS else None
        row["customer_id"] = customer or False
        row["vendor_id"] = vendor or False
        row["partner_id"] = (
            customer or vendor or parties["picking_partner_id"] or parties["move_partner_id"]
        ) or False
        for key in ("production_id", "unbuild_id", "sale_id", "purchase_id"):
            row[key] = parties[key] or False
    return rows


def balance_groups(quantities):
    """Quantities per kind of movement added up per view (``KIND_GROUPS``), with ``in`` and
    ``out`` (``BALANCE_IN``, ``BALANCE_OUT``).

    :param quantities: ``{kind: quantity}`` of one lot (missing kinds count 0)
    """
    totals = {
        group: sum(quantities.get(kind, 0.0) for kind in kinds)
        for group, kinds in KIND_GROUPS.items()
    }
    totals["in"] = sum(quantities.get(kind, 0.0) for kind in BALANCE_IN)
    totals["out"] = sum(quantities.get(kind, 0.0) for kind in BALANCE_OUT)
    return totals
