import { registry } from "@web/core/registry";
import { openLotsListSteps } from "@lot_traceability/../tests/tours/lot_tour_steps";

// A quality manager blocks a lot from its form; a delivery that picked this lot can then
// not be validated, and says why.
registry.category("web_tour.tours").add("lot_fefo_block_lot_refused_delivery", {
    url: "/odoo",
    steps: () => [
        ...openLotsListSteps(),
        {
            content: "Open the lot",
            trigger: ".o_data_row .o_data_cell:contains('ST-TOUR-1')",
            run: "click",
        },
        {
            content: "The lot is released",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Released')",
        },
        {
            content: "Block it",
            trigger: ".o_statusbar_buttons button[name='action_lot_status_change']:contains('Block')",
            run: "click",
        },
        {
            content: "Give the reason",
            trigger: ".modal .o_field_widget[name='reason'] textarea",
            run: "edit Metal fragment found in a retained sample",
        },
        {
            content: "Apply",
            trigger: ".modal button[name='action_apply']",
            run: "click",
        },
        {
            content: "The lot is blocked",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Blocked')",
        },
        {
            content: "with the reason on the form",
            trigger: ".o_field_widget[name='lot_status_reason']:contains('Metal fragment')",
        },
        {
            content: "Open the Operations menu",
            trigger: ".o_main_navbar [data-menu-xmlid='stock.menu_stock_warehouse_mgmt']",
            run: "click",
        },
        {
            content: "Open Deliveries",
            trigger: ".dropdown-item[data-menu-xmlid='stock.out_picking']",
            run: "click",
        },
        {
            content: "Search the order's delivery",
            trigger: ".o_searchview_input",
            run: "edit ST-TOUR-ORDER",
        },
        {
            content: "Run the search",
            trigger: ".o_searchview_input",
            run: "press Enter",
        },
        {
            content: "Open the delivery",
            trigger: ".o_data_row:contains('ST Tour Grocer') .o_data_cell[name='name']",
            run: "click",
        },
        {
            content: "Validate the delivery",
            trigger: ".o_form_view button[name='button_validate']",
            run: "click",
        },
        {
            content: "Validation is refused, naming the lot and its status",
            trigger: ".modal .modal-body:contains('Lot ST-TOUR-1 of ST Tour Honey is Blocked'):contains('cannot be shipped')",
        },
        {
            content: "Close the message",
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The delivery is still ready, not done",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Ready')",
        },
    ],
});
