import { registry } from "@web/core/registry";

// An accountant opens Invoicing > Reporting > COGS by Lot and finds a demo cake lot sold.
registry.category("web_tour.tours").add("lot_account_cogs_report", {
    url: "/odoo",
    steps: () => [
        {
            content: "Open the apps menu",
            trigger: ".o_navbar_apps_menu button",
            run: "click",
        },
        {
            content: "Open the Invoicing / Accounting app",
            trigger: ".o_app[data-menu-xmlid='account.menu_finance']",
            run: "click",
        },
        {
            content: "Open the Reporting menu",
            trigger: ".o_main_navbar [data-menu-xmlid='account.menu_finance_reports']",
            run: "click",
        },
        {
            content: "Open COGS by Lot",
            trigger: ".dropdown-item[data-menu-xmlid='lot_account.menu_lot_cogs_report']",
            run: "click",
        },
        {
            content: "Show every accounting date: the report opens on this month in the user's time zone, the demo's sales may be of the last one",
            trigger: ".o_searchview_facet .o_facet_remove",
            run: "click",
        },
        {
            content: "The report lists the demo cake lot sold, with its cost",
            trigger: ".o_list_view .o_data_row .o_data_cell[name='lot_id']:contains('FG-CAK-101')",
        },
        {
            content: "Switch to the pivot view",
            trigger: ".o_switch_view.o_pivot",
            run: "click",
        },
        {
            content: "The pivot shows the COGS measure",
            trigger: ".o_pivot th:contains('COGS')",
        },
    ],
});
