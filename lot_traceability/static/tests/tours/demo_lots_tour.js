import { registry } from "@web/core/registry";

// A stock user opens Inventory > Products > Lots/Serial Numbers and finds the demo cake lot.
registry.category("web_tour.tours").add("lot_traceability_demo_lots", {
    url: "/odoo",
    steps: () => [
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
            content: "Open the demo cake lot",
            trigger: ".o_data_row .o_data_cell:contains('FG-CAK-001')",
            run: "click",
        },
        {
            content: "The lot form opens on the demo cake lot",
            trigger: ".o_form_view .o_breadcrumb:contains('FG-CAK-001')",
        },
        {
            content: "The lot form shows its product",
            trigger: ".o_form_view .o_field_widget[name='product_id'] input:value('[FG-CAK] Chocolate Cake')",
        },
    ],
});
