import { registry } from "@web/core/registry";
import { clickStatButtonSteps, openLotsListSteps } from "./lot_tour_steps";

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
        ...openLotsListSteps(),
        {
            content: "Open the lot named by the rule",
            trigger: ".o_data_row .o_data_cell:contains('HNY-2026-0001')",
            run: "click",
        },
        {
            content: "The lot knows its supplier",
            trigger: ".o_field_widget[name='supplier_id'] input:value('Golden Fields Mill')",
        },
        ...clickStatButtonSteps("action_trace_downstream", "Open its downstream trace"),
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
