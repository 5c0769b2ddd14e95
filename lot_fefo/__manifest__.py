{
    "name": "Lot FEFO",
    "summary": "Lot quality status and First Expired, First Out handling",
    "version": "18.0.1.0.0",
    "category": "Inventory/Inventory",
    "license": "LGPL-3",
    "author": "Lot Traceability Suite",
    "website": "https://github.com/lot-traceability/lot-traceability",
    "depends": [
        "lot_traceability",
        "sale_stock",
    ],
    "data": [
        "security/lot_fefo_security.xml",
        "security/ir.model.access.csv",
    ],
    "demo": [],
    "installable": True,
    "application": False,
}
