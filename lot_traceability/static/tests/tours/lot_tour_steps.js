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

// On a form: clicks the smart button `name`, opening the button box's "More" menu first when
// the button is in it (how many buttons show depends on the screen width).
export function clickStatButtonSteps(name, content) {
    return [
        {
            content: `Find the ${name} button, in the "More" menu if needed`,
            trigger: ".o_form_view .o-form-buttonbox",
            run() {
                if (!document.querySelector(`.o_form_view button[name='${name}']`)) {
                    document.querySelector(".o_form_view .o_button_more").click();
                }
            },
        },
        {
            content,
            trigger: `.o-form-buttonbox button[name='${name}']`,
            run: "click",
        },
    ];
}
