import { registry } from "@web/core/registry";

// A receiver validates a receipt: the lot is named by the product's numbering rule; a
// quality manager then opens the new lot and its downstream trace.
registry.category("web_tour.tours").add("lot_traceability_receipt_trace", {
    steps: () => [
        {
            content: "Confirm the receipt: its line gets a lot named by the rule",
            trigger: ".o_form_view button[name='action_confirm']",
            run: "click",
        },
        {
            content: "The receipt is ready",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Ready')",
        },
        {
            content: "Validate the receipt",
            trigger: ".o_form_view button[name='button_validate']",
            run: "click",
        },
        {
            content: "The receipt is done",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Done')",
        },
        {
            content: "Open the apps menu",
            trigger: ".o_navbar_apps_menu button",
            run: "click",
        },
        {
            content: "Open the Inventory app",
            trigger: ".o_app[data-menu-xmlid='stock.menu_stock_root']",
            run: "click",
        },
        {
            content: "Open the Products menu",
            trigger: ".o_main_navbar [data-menu-xmlid='stock.menu_stock_inventory_control']",
            run: "click",
        },
        {
            content: "Open Lots/Serial Numbers",
            trigger: ".dropdown-item[data-menu-xmlid='stock.menu_action_production_lot_form']",
            run: "click",
        },
        {
            content: "Remove the default grouping by location",
            trigger: ".o_searchview_facet:contains('Location') .o_facet_remove",
            run: "click",
        },
        {
            content: "Open the lot named by the rule",
            trigger: ".o_data_row .o_data_cell:contains('HNY-2026-0001')",
            run: "click",
        },
        {
            content: "The lot knows its supplier",
            trigger: ".o_field_widget[name='supplier_id'] input:value('Golden Fields Mill')",
        },
        {
            content: "Open its downstream trace",
            trigger: ".o_form_view button[name='action_trace_downstream']",
            run: "click",
        },
        {
            content: "The trace shows the receipt of the lot",
            trigger: ".o_field_widget[name='line_ids'] .o_data_row:contains('Receipt'):contains('HNY-2026-0001')",
        },
        {
            content: "and the stock on hand",
            trigger: ".o_field_widget[name='line_ids'] .o_data_row:contains('On hand'):contains('25.00')",
        },
    ],
});
