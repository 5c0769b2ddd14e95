{
    "name": "Lot Account",
    "summary": "Lot-valued COGS and margins, lot cost of manufactured lots, expiry and recall "
    "write-offs, and the reconciliation of lot values with the stock accounts",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "license": "LGPL-3",
    "author": "Lot Traceability Suite",
    "website": "https://github.com/lot-traceability/lot-traceability",
    "depends": [
        "lot_recall",
        "sale_stock",
        "purchase_stock",
        "stock_account",
        "mrp_account",
        "account",
    ],
    "data": [
        "security/lot_account_security.xml",
        "security/ir.model.access.csv",
        "views/product_category_views.xml",
        "views/res_config_settings_views.xml",
        "views/stock_lot_views.xml",
        "wizards/lot_trace_views.xml",
        "views/lot_recall_views.xml",
        "reports/lot_cogs_report_views.xml",
        "reports/lot_valuation_reconciliation_views.xml",
        "views/lot_account_menus.xml",
    ],
    "demo": [
        "demo/lot_account_demo.xml",
        "demo/lot_account_states_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "lot_account/static/tests/tours/*.js",
        ],
    },
    "post_init_hook": "post_init_hook",
    "installable": True,
    "application": False,
}
