/** Tour steps shared by this addon's tours. */

// From anywhere in the web client: Inventory > Products > Lots/Serial Numbers, ungrouped.
export function openLotsListSteps() {
    return [
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
    ];
}
