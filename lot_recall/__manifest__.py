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
        "portal",
        "sale_stock",
        "purchase_stock",
    ],
    "data": [
        "security/lot_recall_security.xml",
        "security/ir.model.access.csv",
        "data/lot_recall_data.xml",
        "data/lot_recall_mail_template.xml",
        "reports/lot_recall_summary_report.xml",
        "views/lot_recall_views.xml",
        "views/stock_lot_recall_views.xml",
        "views/res_partner_recall_views.xml",
        "views/res_config_settings_recall_views.xml",
        "views/lot_regulator_export_views.xml",
        "views/lot_recall_portal_templates.xml",
        "views/lot_trace_dashboard_views.xml",
    ],
    "demo": [
        "demo/lot_recall_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "lot_recall/static/src/dashboard/*",
        ],
        "web.assets_tests": [
            "lot_recall/static/tests/tours/*.js",
        ],
    },
    "installable": True,
    "application": False,
}
