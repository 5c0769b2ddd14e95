{
    "name": "Lot Traceability",
    "summary": "Foundation of the lot traceability suite, with a demo food supply chain",
    "version": "18.0.1.0.0",
    "category": "Inventory/Inventory",
    "license": "LGPL-3",
    "author": "Lot Traceability Suite",
    "website": "https://github.com/lot-traceability/lot-traceability",
    "depends": [
        "stock",
        "mrp",
        "product_expiry",
        "stock_account",
    ],
    "data": [
        "security/ir.model.access.csv",
    ],
    "demo": [
        "demo/lot_traceability_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "lot_traceability/static/tests/tours/*.js",
        ],
    },
    "installable": True,
    "application": False,
}
