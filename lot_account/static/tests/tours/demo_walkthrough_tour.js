import { registry } from "@web/core/registry";

// The README's "Ten minutes with the demo", through the menus, on the demo records.

function menuSteps(app, path) {
    const steps = [
        {
            content: "Open the apps menu",
            trigger: ".o_navbar_apps_menu button",
            run: "click",
        },
        {
            content: `Open the app ${app}`,
            trigger: `.o_app[data-menu-xmlid='${app}']`,
            run: "click",
        },
    ];
    const [top, ...items] = path;
    steps.push({
        content: `Open the menu ${top}`,
        trigger: `.o_main_navbar [data-menu-xmlid='${top}']`,
        run: "click",
    });
    for (const item of items) {
        steps.push({
            content: `Open the menu ${item}`,
            trigger: `.dropdown-item[data-menu-xmlid='${item}']`,
            run: "click",
        });
    }
    return steps;
}

// Removes the action's default filter or grouping (its only facet).
function removeFacetSteps() {
    return [
        {
            content: "Remove the default filter",
            trigger: ".o_searchview_facet .o_facet_remove",
            run: "click",
        },
        {
            content: "The list shows everything",
            trigger: ".o_searchview:not(:has(.o_searchview_facet)) .o_searchview_input",
        },
    ];
}

registry.category("web_tour.tours").add("lot_demo_walkthrough", {
    url: "/odoo",
    steps: () => [
        // 1. Receive with a scan: the open receipt carries the supplier's GS1-128 string.
        ...menuSteps("stock.menu_stock_root", [
            "stock.menu_stock_warehouse_mgmt",
            "stock.in_picking",
        ]),
        {
            content: "Open the receipt of flour waiting to be received",
            trigger: ".o_data_row:contains('Golden Fields Mill'):contains('Ready') .o_data_cell[name='name']",
            run: "click",
        },
        {
            content: "Open its note",
            trigger: ".o_notebook .nav-link[name='note']",
            run: "click",
        },
        {
            content: "The note holds the supplier's GS1-128 label",
            trigger: ".o_field_widget[name='note'] code:contains('(01)03098765000103')",
        },
        // 2. Produce: the cake lot made yesterday is named by the finished goods rule.
        ...menuSteps("mrp.menu_mrp_root", [
            "mrp.menu_mrp_manufacturing",
            "mrp.menu_mrp_production_action",
        ]),
        ...removeFacetSteps(),
        {
            content: "Open the cake order of the weekly production plan",
            trigger: ".o_data_row:contains('Chocolate Cake'):contains('Weekly production plan') .o_data_cell[name='name']",
            run: "click",
        },
        {
            content: "Its lot is named by the rule: line L1, year and day, sequence, check digit",
            trigger: ".o_form_view .o_field_widget[name='lot_producing_id']",
            run() {
                const input = this.anchor.querySelector("input");
                const name = (input ? input.value : this.anchor.textContent).trim();
                if (!/^L1\d{9}$/.test(name)) {
                    throw new Error(`The cake lot ${name} is not named by the finished goods rule`);
                }
            },
        },
        // 3. Ship: a delivery broke FEFO, listed by the compliance report.
        ...menuSteps("stock.menu_stock_root", [
            "stock.menu_warehouse_report",
            "lot_fefo.menu_lot_fefo_compliance_report",
        ]),
        ...removeFacetSteps(),
        {
            content: "The delivery of the new cake lot to The Green Grocer broke FEFO",
            trigger: ".o_data_row:contains('The Green Grocer'):contains('FG-CAK-002')",
        },
        // 4. Trace the flour lot downstream.
        ...menuSteps("stock.menu_stock_root", [
            "stock.menu_stock_inventory_control",
            "stock.menu_action_production_lot_form",
        ]),
        ...removeFacetSteps(),
        {
            content: "Open the flour lot",
            trigger: ".o_data_row .o_data_cell:contains('RM-FLR-001')",
            run: "click",
        },
        {
            content: "Find the downstream trace button, in the More menu if needed",
            trigger: ".o_form_view .o-form-buttonbox",
            run() {
                if (!document.querySelector(".o_form_view button[name='action_trace_downstream']")) {
                    document.querySelector(".o_form_view .o_button_more").click();
                }
            },
        },
        {
            content: "Trace it downstream",
            trigger: ".o-form-buttonbox button[name='action_trace_downstream']",
            run: "click",
        },
        {
            content: "The trace reaches the customers",
            trigger: ".o_field_widget[name='line_ids'] .o_data_row:contains('Corner Bakery Café')",
        },
        // 5. Mock recalls: last month's passed its target; the flour one is started.
        ...menuSteps("stock.menu_stock_root", ["lot_recall.menu_lot_recall"]),
        ...removeFacetSteps(),
        {
            content: "Open the closed mock recall",
            trigger: ".o_data_row:contains('Closed'):contains('Passed') .o_data_cell[name='name']",
            run: "click",
        },
        {
            content: "It traced within the 4-hour target",
            trigger: ".o_field_widget[name='mock_result']:contains('Passed')",
        },
        {
            content: "Back to the recalls",
            trigger: ".o_breadcrumb .o_back_button a, .o_breadcrumb li:first-child a",
            run: "click",
        },
        {
            content: "Open the mock recall of the flour lot",
            trigger: ".o_data_row:contains('Scoped') .o_data_cell[name='name']",
            run: "click",
        },
        {
            content: "Start it",
            trigger: ".o_form_view button[name='action_start']",
            run: "click",
        },
        {
            content: "The recall is in progress",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('In Progress')",
        },
        // 6. Export FSMA/EPCIS from the recall.
        {
            content: "Open the regulator export",
            trigger: ".o_form_view button[name='action_open_regulator_export']",
            run: "click",
        },
        {
            content: "Export the FSMA 204 spreadsheet",
            trigger: ".modal button[name='action_export']",
            run: "click",
        },
        {
            content: "The file is ready",
            trigger: ".modal .o_field_widget[name='file_data'] a, .modal .o_field_widget[name='file_data'] button",
        },
        {
            content: "Close the export",
            trigger: ".modal-footer button.btn-secondary",
            run: "click",
        },
        // 7. COGS by lot.
        ...menuSteps("account.menu_finance", [
            "account.menu_finance_reports",
            "lot_account.menu_lot_cogs_report",
        ]),
        {
            content: "Show every accounting date: the report opens on this month in the user's time zone, the demo's sales may be of the last one",
            trigger: ".o_searchview_facet .o_facet_remove",
            run: "click",
        },
        {
            content: "The cake lots sold are listed with their own cost",
            trigger: ".o_list_view .o_data_row .o_data_cell[name='lot_id']:contains('FG-CAK-102')",
        },
    ],
});
