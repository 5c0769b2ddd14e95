{
    "name": "Lot Traceability",
    "summary": "Lot numbering, lot origin, GS1 barcodes and lot genealogy with mass balance",
    "version": "18.0.1.2.0",
    "category": "Inventory/Inventory",
    "license": "LGPL-3",
    "author": "Lot Traceability Suite",
    "website": "https://github.com/lot-traceability/lot-traceability",
    "depends": [
        "stock",
        "mrp",
        "product_expiry",
    ],
    "data": [
        "security/lot_traceability_security.xml",
        "security/ir.model.access.csv",
        "views/stock_lot_views.xml",
        "wizards/lot_trace_views.xml",
        "views/stock_move_line_views.xml",
        "reports/lot_label_report.xml",
        "views/lot_numbering_rule_views.xml",
        "views/product_views.xml",
        "views/res_config_settings_views.xml",
    ],
    "external_dependencies": {
        "python": ["python-barcode"],
    },
    "demo": [
        "demo/lot_traceability_demo.xml",
        "demo/lot_gs1_demo.xml",
        "demo/lot_multicompany_demo.xml",
        "demo/lot_numbering_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "lot_traceability/static/src/**/*",
        ],
        "web.assets_tests": [
            "lot_traceability/static/tests/tours/*.js",
        ],
    },
    "pre_init_hook": "pre_init_hook",
    "post_init_hook": "post_init_hook",
    "uninstall_hook": "uninstall_hook",
    "installable": True,
    "application": False,
}
