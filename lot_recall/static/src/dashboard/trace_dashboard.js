import { Component, onWillStart, useState } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";

/**
 * Traceability dashboard: tiles of lot statuses, expiring stock, recalls and FEFO
 * compliance, from one server call. Each tile opens the records it counts.
 */
export class LotTraceDashboard extends Component {
    static template = "lot_recall.TraceDashboard";
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.actionService = useService("action");
        this.state = useState({ sections: [] });
        onWillStart(() => this.load());
    }

    async load() {
        const data = await this.orm.call("lot.trace.dashboard", "get_tiles", []);
        this.state.sections = data.sections;
    }

    open(action) {
        return this.actionService.doAction(action);
    }
}

registry.category("actions").add("lot_recall.trace_dashboard", LotTraceDashboard);
