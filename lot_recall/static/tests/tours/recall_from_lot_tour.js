import { registry } from "@web/core/registry";

// A recall manager opens a cake lot, starts a recall from it, computes its scope, blocks
// the stock and checks who received the lot.
registry.category("web_tour.tours").add("lot_recall_start_from_lot", {
    steps: () => [
        {
            content: "Start a recall from the lot",
            trigger: ".o_form_view button[name='action_start_recall']",
            run: "click",
        },
        {
            content: "Give the reason",
            trigger: ".modal .o_field_widget[name='reason'] textarea",
            run: "edit Undeclared hazelnut in the cake glaze",
        },
        {
            content: "Create the recall",
            trigger: ".modal button[name='action_create_recall']",
            run: "click",
        },
        {
            content: "The recall opens in draft",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Draft')",
        },
        {
            content: "Compute its scope with the lot genealogy",
            trigger: ".o_form_view button[name='action_compute_scope']",
            run: "click",
        },
        {
            content: "The recall is scoped",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Scoped')",
        },
        {
            content: "Block the stock",
            trigger: ".o_form_view button[name='action_block_stock']",
            run: "click",
        },
        {
            content: "Confirm the blocking",
            trigger: ".modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The recall is in progress",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('In Progress')",
        },
        {
            content: "The affected lot is recalled",
            trigger: ".o_field_widget[name='lot_line_ids'] .o_data_row:contains('FG-CAK-001'):contains('Recalled')",
        },
        {
            content: "Open the customers",
            trigger: ".o_notebook .nav-link:contains('Customers')",
            run: "click",
        },
        {
            content: "The hospital that received the lot is listed with its 30 cakes",
            trigger: ".o_field_widget[name='customer_ids'] .o_data_row:contains('City Hospital Catering'):contains('30.00')",
        },
    ],
});
