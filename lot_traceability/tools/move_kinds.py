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


# Partners and orders of moves, read by id in up to four queries whatever the number of
# lines, each an index scan (one query joining transfers and orders made PostgreSQL scan
# every transfer). Sale and purchase links are read only when their modules are
# installed (lot_traceability depends on neither).
_MOVES_SQL = """
SELECT id, partner_id, picking_id, COALESCE(production_id, raw_material_production_id),
       unbuild_id, {sale_line}, {purchase_line}
  FROM stock_move
 WHERE id = ANY(%s)
"""
_PICKINGS_SQL = "SELECT id, partner_id FROM stock_picking WHERE id = ANY(%s)"
_SALE_LINES_SQL = """
SELECT sol.id, so.id, so.partner_shipping_id
  FROM sale_order_line sol
  JOIN sale_order so ON so.id = sol.order_id
 WHERE sol.id = ANY(%s)
"""
_PURCHASE_LINES_SQL = """
SELECT pol.id, po.id, po.partner_id
  FROM purchase_order_line pol
  JOIN purchase_order po ON po.id = pol.order_id
 WHERE pol.id = ANY(%s)
"""


def _orders(env, query, line_ids):
    """{order line id: (order id, partner id)} of the given sale or purchase lines."""
    line_ids = list(line_ids - {None})
    if not line_ids:
        return {}
    env.cr.execute(query, [line_ids])
    return {line_id: (order_id, partner_id) for line_id, order_id, partner_id in env.cr.fetchall()}


def _moves(env, move_ids):
    """{move id: (move partner, picking partner, production, unbuild, sale order, sale
    delivery address, purchase order, purchase partner)}, every value None when unknown."""
    fields = env["stock.move"]._fields
    env.cr.execute(
        _MOVES_SQL.format(
            sale_line="sale_line_id" if "sale_line_id" in fields else "NULL::int",
            purchase_line="purchase_line_id" if "purchase_line_id" in fields else "NULL::int",
        ),
        [list(move_ids)],
    )
    moves = env.cr.fetchall()
    env.cr.execute(_PICKINGS_SQL, [list({move[2] for move in moves} - {None})])
    pickings = dict(env.cr.fetchall())
    sales = _orders(env, _SALE_LINES_SQL, {move[5] for move in moves})
    purchases = _orders(env, _PURCHASE_LINES_SQL, {move[6] for move in moves})
    none = (None, None)
    return {
        move_id: (
            partner_id,
            pickings.get(picking_id),
            production_id,
            unbuild_id,
            *sales.get(sale_line_id, none),
            *purchases.get(purchase_line_id, none),
        )
        for (
            move_id,
            partner_id,
            picking_id,
            production_id,
            unbuild_id,
            sale_line_id,
            purchase_line_id,
        ) in moves
    }


def classify_lines(env, rows):
    """Add the partners and orders of classified move lines, in place, with at most four
    queries whatever the number of rows.

    :param rows: dicts with at least ``kind`` (from ``kind_sql``) and ``move_id``
    :return: ``rows``, each with ``customer_id`` (lines of ``CUSTOMER_KINDS``: the move's
        partner, else the sale order's delivery address, else the transfer's partner),
        ``vendor_id`` (lines of ``RECEIPT_KINDS`` and ``SUPPLIER_RETURN_KINDS``: the
        transfer's partner, else the purchase order's; for dropships the purchase order's
        first, as Odoo puts the customer on a dropship return's transfer), ``partner_id``
        (the customer, else the vendor, else the transfer's or the move's partner),
        ``production_id`` (manufacturing order), ``unbuild_id``, ``sale_id`` and
        ``purchase_id`` (False when unknown or not installed)
    """
    moves = _moves(env, {row["move_id"] for row in rows if row["move_id"]})
    empty = (None,) * 8
    vendor_kinds = frozenset(RECEIPT_KINDS + SUPPLIER_RETURN_KINDS)
    customer_kinds = frozenset(CUSTOMER_KINDS)
    for row in rows:
        (
            move_partner,
            picking_partner,
            production_id,
            unbuild_id,
            sale_id,
            sale_partner,
            purchase_id,
            purchase_partner,
        ) = moves.get(row["move_id"], empty)
        kind = row["kind"]
        customer = (
            move_partner or sale_partner or picking_partner if kind in customer_kinds else None
        )
        if kind not in vendor_kinds:
            vendor = None
        elif kind in ("dropship", "dropship_return"):
            vendor = purchase_partner or picking_partner
        else:
            vendor = picking_partner or purchase_partner or move_partner
        row["customer_id"] = customer or False
        row["vendor_id"] = vendor or False
        row["partner_id"] = customer or vendor or picking_partner or move_partner or False
        row["production_id"] = production_id or False
        row["unbuild_id"] = unbuild_id or False
        row["sale_id"] = sale_id or False
        row["purchase_id"] = purchase_id or False
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
