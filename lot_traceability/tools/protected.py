"""Fields only the suite's own processes write: a recall's workflow, its links to
transfers and journal entries, a regulator export's build state, a lot's status and
expiry alerts, a numbering rule's sequences, why a move is not reserved, a supplier's
FSMA 204 exemption (Recall Managers only).

Their models refuse them in the values a user sends (``create``/``write``); at creation
they must not come from a default the user controls either: the ``default_<field>``
keys a client puts in its context, or a personal default (``ir.default``, which any
employee may set for himself). Odoo keeps both when it creates records in superuser mode
for the user (a scrap's journal entry, a sales order's delivery), so the superuser's
creations are no exception. :func:`code_defaults` gives these fields the default written
in the code instead.
"""


def code_defaults(model, vals_list, field_names):
    """Give every field of ``field_names`` missing or empty in the creation values
    ``vals_list`` its default in the code (none for most), in place. The values the
    callers send explicitly are kept: the models refuse them to anyone but the superuser.

    :param model: the model (recordset) being created
    """
    for vals in vals_list:
        for name in field_names:
            if vals.get(name):
                continue
            field = model._fields[name]
            if field.type in ("one2many", "many2many"):
                vals[name] = []
            else:
                vals[name] = field.default(model) if field.default else False
    return vals_list
