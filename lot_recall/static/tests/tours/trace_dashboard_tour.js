import { registry } from "@web/core/registry";

// An inventory user opens the traceability dashboard and a tile: the filtered list opens.
registry.category("web_tour.tours").add("lot_recall_trace_dashboard", {
    steps: () => [
        {
            content: "The dashboard shows the lot statuses",
            trigger: ".o_lot_trace_dashboard .o_lot_tile_quarantine .o_lot_tile_value",
        },
        {
            content: "The open recalls, with the recovered % of the tour's recall",
            trigger: ".o_lot_trace_dashboard .o_lot_tile_open_recalls li:contains('% recovered')",
        },
        {
            content: "The last mock recall against its target",
            trigger: ".o_lot_trace_dashboard .o_lot_tile_mock_recall .o_lot_tile_detail:contains('h target')",
        },
        {
            content: "The FEFO compliance rate",
            trigger: ".o_lot_trace_dashboard .o_lot_tile_fefo .o_lot_tile_value:contains('%')",
        },
        {
            content: "Open the Blocked tile",
            trigger: ".o_lot_trace_dashboard .o_lot_tile_blocked .o_lot_tile_open",
            run: "click",
        },
        {
            content: "The blocked lots are listed",
            trigger: ".o_list_view .o_data_row:contains('DASH-TOUR-BLK')",
        },
        {
            content: "The breadcrumb names the tile",
            trigger: ".o_breadcrumb:contains('Lots: Blocked')",
        },
    ],
});
