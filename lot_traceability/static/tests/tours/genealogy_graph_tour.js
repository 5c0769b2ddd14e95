import { registry } from "@web/core/registry";
import { clickStatButtonSteps } from "./lot_tour_steps";

// A stock user opens the genealogy graph from a flour lot's form, switches it upstream and
// back, then clicks the cookie lot made from the flour's dough: its form opens.
registry.category("web_tour.tours").add("lot_traceability_genealogy_graph", {
    steps: () => [
        ...clickStatButtonSteps("action_lot_graph", "Open the genealogy graph of the flour lot"),
        {
            content: "The graph shows the flour lot, what was made from it and the customers",
            trigger: ".o_lot_graph_svg[data-nodes='17'] .o_lot_graph_node[data-name='RM-FLR-001']",
        },
        {
            content: "Transformations are labelled with quantities",
            trigger: ".o_lot_graph_edge[data-kind='transformation'] text:contains('120 kg')",
        },
        {
            content: "Switch to upstream",
            trigger: ".o_lot_graph button[name='upstream']",
            run: "click",
        },
        {
            content: "Upstream, the flour lot only comes from its supplier",
            trigger: ".o_lot_graph_svg[data-nodes='1'] .o_lot_graph_node[data-name='RM-FLR-001']",
        },
        {
            content: "Back to downstream",
            trigger: ".o_lot_graph button[name='downstream']",
            run: "click",
        },
        {
            content: "Click the cookie lot",
            trigger:
                ".o_lot_graph_svg[data-nodes='17'] .o_lot_graph_node[data-name='FG-COO-001'] .o_lot_graph_node_body",
            run: "click",
        },
        {
            content: "The cookie lot's form opens",
            trigger: ".o_form_view .o_breadcrumb:contains('FG-COO-001')",
        },
        {
            content: "It shows its product",
            trigger:
                ".o_form_view .o_field_widget[name='product_id'] input:value('[FG-COO] Butter Cookies (box)')",
        },
    ],
});
