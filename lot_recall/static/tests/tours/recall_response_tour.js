import { registry } from "@web/core/registry";

// A customer opens the link of its recall notification, without login, and answers.
registry.category("web_tour.tours").add("lot_recall_customer_response", {
    steps: () => [
        {
            content: "The page shows what the customer received",
            trigger: ".o_lot_recall_response td:contains('FG-CAK-001')",
        },
        {
            content: "Destroyed on site",
            trigger: ".o_lot_recall_response_form input[name='response'][value='destroyed']",
            run: "click",
        },
        {
            content: "Quantity destroyed",
            trigger: ".o_lot_recall_response_form input[name='destroyed']",
            run: "edit 30",
        },
        {
            content: "Message",
            trigger: ".o_lot_recall_response_form textarea[name='note']",
            run: "edit All 30 cakes binned by the kitchen",
        },
        {
            content: "Send",
            trigger: ".o_lot_recall_response_form button[type='submit']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The answer is recorded",
            trigger: ".o_lot_recall_answered",
        },
    ],
});

// The recall manager sees the customer's answer on the recall.
registry.category("web_tour.tours").add("lot_recall_customer_response_seen", {
    steps: () => [
        {
            content: "Open the customers",
            trigger: ".o_notebook .nav-link:contains('Customers')",
            run: "click",
        },
        {
            content: "The hospital destroyed its 30 cakes",
            trigger: ".o_field_widget[name='customer_ids'] .o_data_row:contains('City Hospital Catering'):contains('Destroyed On Site')",
        },
        {
            content: "The chatter logs the answer, signed by the customer",
            trigger: ".o-mail-Message:contains('City Hospital Catering'):contains('All 30 cakes binned by the kitchen')",
        },
    ],
});
