{
    "name": "Lot Recall",
    "summary": "Recall cases for lots of the traceability suite",
    "version": "18.0.1.0.0",
    "category": "Inventory/Inventory",
    "license": "LGPL-3",
    "author": "Lot Traceability Suite",
    "website": "https://github.com/lot-traceability/lot-traceability",
    "depends": [
        "lot_traceability",
        "lot_fefo",
        "mail",
        "sale_stock",
        "purchase_stock",
    ],
    "data": [
        "security/lot_recall_security.xml",
        "security/ir.model.access.csv",
    ],
    "demo": [],
    "installable": True,
    "application": False,
}
