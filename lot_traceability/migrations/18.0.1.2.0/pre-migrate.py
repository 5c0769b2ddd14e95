from odoo.addons.lot_traceability.models.stock_move_line import fill_trace_inputs


def migrate(cr, version):
    """Fill the move lines' stored trace inputs by SQL before the ORM would compute them."""
    if version:
        fill_trace_inputs(cr)
