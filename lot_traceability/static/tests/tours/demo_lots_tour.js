import { registry } from "@web/core/registry";
import { openLotsListSteps } from "./lot_tour_steps";

// A stock user opens Inventory > Products > Lots/Serial Numbers and finds the demo cake lot.
registry.category("web_tour.tours").add("lot_traceability_demo_lots", {
    url: "/odoo",
    steps: () => [
        ...openLotsListSteps(),
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
