"""One classification of done move lines: kind, partner, company and order.

Every report of where a lot went (genealogy, lot mass balance, trace wizard, recall scope,
regulator exports, FEFO compliance) classifies move lines here, in two steps:

1. In SQL, ``kind_sql()`` gives the kind of each line from its locations, e.g.::

       SELECT ml.id, ml.move_id, {kind_sql()} AS kind
         FROM stock_move_line ml
         JOIN stock_location src ON src.id = ml.location_id
         JOIN stock_location dst ON dst.id = ml.location_dest_id
        WHERE ml.lot_id = ANY(%s) AND ml.state = 'done' AND ml.company_id = ANY(%s)

2. ``classify_sql(env, lines)`` adds the partners and orders of each line, from its move
   and kind, to such a query; ``classify_lines(env, rows)`` adds them to rows read
   beforehand, with one query whatever the number of rows.

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


# Columns ``classify_sql`` gives, in this order: the partners and orders of a move line.
CLASSIFIED_COLUMNS = (
    "customer_id",
    "vendor_id",
    "partner_id",
    "production_id",
    "unbuild_id",
    "sale_id",
    "purchase_id",
)


# Stored trace inputs of a move line (``stock_move_line.lot_trace_*``), what
# ``classify_stored_sql`` reads.
TRACE_INPUT_COLUMNS = (
    "lot_trace_move_partner_id",
    "lot_trace_picking_partner_id",
    "lot_trace_production_id",
    "lot_trace_unbuild_id",
    "lot_trace_sale_id",
    "lot_trace_sale_partner_id",
    "lot_trace_purchase_id",
    "lot_trace_purchase_partner_id",
)


def _in(kinds):
    """SQL list of constant kinds, e.g. ``('delivery', 'dropship')``."""
    return "(" + ", ".join(f"'{kind}'" for kind in kinds) + ")"


def _classified_columns(move_partner, picking_partner, sale_partner, purchase_partner):
    """SQL select list of the partners of ``CLASSIFIED_COLUMNS``, from the kind of the line
    (``line.kind``) and the expressions of the partners of its move, transfer, sale order
    (delivery address) and purchase order (see ``classify_sql``)."""
    customer = (
        f"CASE WHEN line.kind IN {_in(CUSTOMER_KINDS)}"
        f" THEN COALESCE({move_partner}, {sale_partner}, {picking_partner}) END"
    )
    vendor = (
        f"CASE WHEN line.kind IN {_in(('dropship', 'dropship_return'))}"
        f" THEN COALESCE({purchase_partner}, {picking_partner})"
        f" WHEN line.kind IN {_in(RECEIPT_KINDS + SUPPLIER_RETURN_KINDS)}"
        f" THEN COALESCE({picking_partner}, {purchase_partner}, {move_partner}) END"
    )
    return f"""{customer} AS customer_id,
       {vendor} AS vendor_id,
       COALESCE({customer}, {vendor}, {picking_partner}, {move_partner}) AS partner_id"""


def classify_stored_sql(lines, columns):
    """SQL of the rows of the query ``lines`` (its ``columns``, in order) with their partners
    and orders added (``CLASSIFIED_COLUMNS``, NULL when unknown) as ``classify_sql`` gives
    them, but from the trace inputs each move line keeps (``stock_move_line.lot_trace_*``): no
    move, transfer or order is read.

    :param lines: SQL query of the move lines with their ``kind`` (``kind_sql``) and their
        ``lot_trace_*`` columns (``TRACE_INPUT_COLUMNS``)
    :param columns: names of the columns of ``lines`` to give, before the classified ones
    """
    partners = _classified_columns(
        "line.lot_trace_move_partner_id",
        "line.lot_trace_picking_partner_id",
        "line.lot_trace_sale_partner_id",
        "line.lot_trace_purchase_partner_id",
    )
    return f"""
SELECT {", ".join(f"line.{column}" for column in columns)},
       {partners},
       line.lot_trace_production_id AS production_id,
       line.lot_trace_unbuild_id AS unbuild_id,
       NULLIF(line.lot_trace_sale_id, 0) AS sale_id,
       NULLIF(line.lot_trace_purchase_id, 0) AS purchase_id
  FROM ({lines}) AS line"""


def classify_sql(env, lines):
    """SQL of the rows of the query ``lines`` (classified move lines: at least ``move_id``
    and ``kind``, from ``kind_sql``) with their partners and orders added
    (``CLASSIFIED_COLUMNS``, NULL when unknown):

    - ``customer_id``, for lines of ``CUSTOMER_KINDS``: the move's partner, else the sale
      order's delivery address, else the transfer's partner;
    - ``vendor_id``, for lines of ``RECEIPT_KINDS`` and ``SUPPLIER_RETURN_KINDS``: the
      transfer's partner, else the purchase order's, else the move's; for dropships and
      their returns the purchase order's first (Odoo puts the customer on a dropship
      return's transfer);
    - ``partner_id``: the customer, else the vendor, else the transfer's or the move's
      partner;
    - ``production_id`` (manufacturing order, of the finished product or of the
      components), ``unbuild_id``, ``sale_id`` and ``purchase_id``.

    Moves, transfers and order lines are looked up by id in one index scan each
    (``= ANY(ARRAY(...))``: joined directly, PostgreSQL misjudges the rows of many lots and
    scans every move). Sale and purchase orders are read only when their modules are
    installed (lot_traceability depends on neither).

    :param lines: SQL query of the move lines (may take query parameters); its rows keep
        their order only if the caller orders the result (``ORDER BY line.<column>``)
    """
    fields = env["stock.move"]._fields
    ctes, joins = [], []
    sale_partner = sale_id = purchase_partner = purchase_id = "NULL::int"
    if "sale_line_id" in fields:
        ctes.append("""sale AS (
    SELECT sol.id, so.id AS order_id, so.partner_shipping_id AS partner_id
      FROM sale_order_line sol
      JOIN sale_order so ON so.id = sol.order_id
     WHERE sol.id = ANY(ARRAY(SELECT sale_line_id FROM move WHERE sale_line_id IS NOT NULL))
)""")
        joins.append("LEFT JOIN sale ON sale.id = move.sale_line_id")
        sale_partner, sale_id = "sale.partner_id", "sale.order_id"
    if "purchase_line_id" in fields:
        ctes.append("""purchase AS (
    SELECT pol.id, po.id AS order_id, po.partner_id
      FROM purchase_order_line pol
      JOIN purchase_order po ON po.id = pol.order_id
     WHERE pol.id = ANY(ARRAY(SELECT purchase_line_id FROM move
                               WHERE purchase_line_id IS NOT NULL))
)""")
        joins.append("LEFT JOIN purchase ON purchase.id = move.purchase_line_id")
        purchase_partner, purchase_id = "purchase.partner_id", "purchase.order_id"
    partners = _classified_columns(
        "move.partner_id", "picking.partner_id", sale_partner, purchase_partner
    )
    sale_line = "sale_line_id" if "sale_line_id" in fields else "NULL::int"
    purchase_line = "purchase_line_id" if "purchase_line_id" in fields else "NULL::int"
    return f"""
WITH line AS MATERIALIZED ({lines}),
move AS (
    SELECT id, partner_id, picking_id, unbuild_id,
           COALESCE(production_id, raw_material_production_id) AS production_id,
           {sale_line} AS sale_line_id, {purchase_line} AS purchase_line_id
      FROM stock_move
     WHERE id = ANY(ARRAY(SELECT move_id FROM line WHERE move_id IS NOT NULL))
), picking AS (
    SELECT id, partner_id
      FROM stock_picking
     WHERE id = ANY(ARRAY(SELECT picking_id FROM move WHERE picking_id IS NOT NULL))
){"".join(f", {cte}" for cte in ctes)}
SELECT line.*,
       {partners},
       move.production_id,
       move.unbuild_id,
       {sale_id} AS sale_id,
       {purchase_id} AS purchase_id
  FROM line
  LEFT JOIN move ON move.id = line.move_id
  LEFT JOIN picking ON picking.id = move.picking_id
  {" ".join(joins)}"""


_CLASSIFY_PAIRS_SQL = (
    "SELECT pair.move_id, pair.kind FROM unnest(%s::int[], %s::varchar[]) AS pair(move_id, kind)"
)


def classify_lines(env, rows):
    """Add the partners and orders of classified move lines (``classify_sql``), in place,
    with one query whatever the number of rows.

    :param rows: dicts with at least ``kind`` (from ``kind_sql``) and ``move_id``
    :return: ``rows``, each with the ``CLASSIFIED_COLUMNS`` (False when unknown or not
        installed)
    """
    pairs = {(row["move_id"], row["kind"]) for row in rows if row["move_id"]}
    classified = {}
    if pairs:
        move_ids, kinds = zip(*pairs, strict=True)
        env.cr.execute(classify_sql(env, _CLASSIFY_PAIRS_SQL), [list(move_ids), list(kinds)])
        for move_id, kind, *values in env.cr.fetchall():
            classified[move_id, kind] = {
                column: value or False
                for column, value in zip(CLASSIFIED_COLUMNS, values, strict=True)
            }
    unknown = dict.fromkeys(CLASSIFIED_COLUMNS, False)
    for row in rows:
        row.update(classified.get((row["move_id"], row["kind"]), unknown))
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
