import { _t } from "@web/core/l10n/translation";
import { Component, onMounted, onPatched, onWillStart, useRef, useState } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { formatFloat } from "@web/core/utils/numbers";
import { Layout } from "@web/search/layout";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";
import { layoutGraph, NODE_HEIGHT, NODE_WIDTH } from "./graph_layout";

// Beyond this many nodes shown at once, deeper levels start collapsed.
export const VISIBLE_NODE_LIMIT = 200;
const MIN_SCALE = 0.02;
const MAX_SCALE = 4;
// Largest side of an exported PNG, in pixels (browsers refuse larger canvases).
const PNG_MAX_SIDE = 8000;

// Fill and border of a lot by status (lot_fefo), of customers and of lots without status.
const COLOURS = {
    released: ["#e3f5e8", "#2e9e54"],
    quarantine: ["#fff2d6", "#e0a000"],
    restricted: ["#e0edfa", "#3478c6"],
    blocked: ["#fbe0e2", "#d0384a"],
    recalled: ["#f0e0f7", "#8a3fb0"],
    expired: ["#e9eaec", "#6c757d"],
    none: ["#ffffff", "#6c757d"],
    customer: ["#f4f4f4", "#9a9a9a"],
};

function quantity(value) {
    return formatFloat(value, { digits: [16, 2], trailingZeros: false });
}

function shorten(text, length) {
    return text && text.length > length ? `${text.slice(0, length - 1)}…` : text || "";
}

/** The genealogy graph of lots (client action `lot_traceability.genealogy_graph`).
 *
 * Params: `lot_ids` and `direction` ("downstream" or "upstream"). Data from
 * `lot.trace.graph_data`; the user zooms with the wheel, pans by dragging, collapses or
 * expands levels, clicks a lot to open it and exports the picture as SVG or PNG.
 */
export class LotGenealogyGraph extends Component {
    static template = "lot_traceability.GenealogyGraph";
    static components = { Layout };
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.actionService = useService("action");
        this.notification = useService("notification");
        this.svgRef = useRef("svg");
        this.viewportRef = useRef("viewport");
        // from the server's action (params), or from the URL on reload (see keepInUrl)
        const params = this.props.action.params || {};
        const context = this.props.action.context || {};
        this.lotIds = params.lot_ids || context.active_ids || [];
        this.state = useState({
            direction: params.direction || "downstream",
            data: null,
            collapsed: new Set(),
        });
        this.view = { x: 20, y: 20, scale: 1 };
        this.drag = null;
        this.display = { controlPanel: {} };
        this.renderStart = performance.now();
        onWillStart(() => this.load());
        onMounted(() => {
            this.keepInUrl();
            this.fit();
            this.markRendered();
        });
        onPatched(() => {
            if (this.needFit) {
                this.needFit = false;
                this.fit();
            }
            this.markRendered();
        });
    }

    async load() {
        this.renderStart = performance.now();
        if (!this.lotIds.length) {
            this.state.data = null;
            return;
        }
        const data = await this.orm.call("lot.trace", "graph_data", [
            this.lotIds,
            this.state.direction,
        ]);
        this.prepare(data);
        this.state.collapsed = this.initialCollapse();
        this.state.data = data;
    }

    /** Children of each node: its neighbours one level further from the traced lots. */
    prepare(data) {
        this.byId = new Map(data.nodes.map((node) => [node.id, node]));
        this.children = new Map(data.nodes.map((node) => [node.id, []]));
        for (const edge of data.edges) {
            const source = this.byId.get(edge.source);
            const target = this.byId.get(edge.target);
            if (target.depth > source.depth) {
                this.children.get(source.id).push(target.id);
            } else if (source.depth > target.depth) {
                this.children.get(target.id).push(source.id);
            }
        }
        this.data = data;
    }

    /** Collapses the level beyond which more than VISIBLE_NODE_LIMIT nodes would show. */
    initialCollapse() {
        const perDepth = [];
        for (const node of this.data.nodes) {
            perDepth[node.depth] = (perDepth[node.depth] || 0) + 1;
        }
        let shown = 0;
        let depth = 0;
        while (depth < perDepth.length && shown + (perDepth[depth] || 0) <= VISIBLE_NODE_LIMIT) {
            shown += perDepth[depth] || 0;
            depth++;
        }
        if (depth >= perDepth.length) {
            return new Set();
        }
        const last = Math.max(depth - 1, 0);
        return new Set(
            this.data.nodes
                .filter((node) => node.depth === last && this.children.get(node.id).length)
                .map((node) => node.id)
        );
    }

    /** Visible nodes and edges laid out: every node reached from the traced lots without
     * going through a collapsed one. */
    computeGraph() {
        const data = this.state.data;
        if (!data) {
            return null;
        }
        const collapsed = this.state.collapsed;
        const visible = new Set(data.nodes.filter((node) => node.root).map((node) => node.id));
        const queue = [...visible];
        for (let i = 0; i < queue.length; i++) {
            if (collapsed.has(queue[i])) {
                continue;
            }
            for (const child of this.children.get(queue[i])) {
                if (!visible.has(child)) {
                    visible.add(child);
                    queue.push(child);
                }
            }
        }
        const nodes = data.nodes
            .filter((node) => visible.has(node.id))
            .map((node) => this.decorate(node, collapsed, visible));
        const edges = data.edges
            .filter((edge) => visible.has(edge.source) && visible.has(edge.target))
            .map((edge) => ({ ...edge, label: this.edgeLabel(edge) }));
        const layout = layoutGraph(nodes, edges);
        layout.hiddenCount = data.nodes.length - nodes.length;
        this.layout = layout;
        return layout;
    }

    decorate(node, collapsed, visible) {
        const status = node.type === "lot" ? node.status || "none" : "customer";
        const [fill, stroke] = COLOURS[status] || COLOURS.none;
        const children = this.children.get(node.id);
        const lines =
            node.type === "lot"
                ? [
                      shorten(node.product, 32),
                      _t("%(quantity)s %(unit)s, on hand %(on_hand)s", {
                          quantity: quantity(node.quantity),
                          unit: node.uom,
                          on_hand: quantity(node.on_hand),
                      }),
                  ]
                : [node.type === "customers" ? _t("customers of one lot") : _t("customer")];
        return {
            ...node,
            fill,
            stroke,
            title: shorten(node.name, 28),
            lines,
            tooltip: [node.name, node.product, node.status_label].filter(Boolean).join("\n"),
            toggle: children.length
                ? {
                      collapsed: collapsed.has(node.id),
                      hidden: children.filter((child) => !visible.has(child)).length,
                  }
                : null,
        };
    }

    edgeLabel(edge) {
        const text = `${quantity(edge.quantity)} ${edge.uom}`;
        return edge.returned
            ? _t("%(quantity)s (%(returned)s returned)", {
                  quantity: text,
                  returned: quantity(edge.returned),
              })
            : text;
    }

    get legend() {
        const seen = new Map();
        for (const node of this.state.data?.nodes || []) {
            if (node.type === "lot" && node.status && !seen.has(node.status)) {
                seen.set(node.status, {
                    status: node.status,
                    label: node.status_label,
                    colour: (COLOURS[node.status] || COLOURS.none)[1],
                });
            }
        }
        return [...seen.values()];
    }

    get nodeWidth() {
        return NODE_WIDTH;
    }

    get nodeHeight() {
        return NODE_HEIGHT;
    }

    /** Records on the SVG how long the last load and render took (benchmark, tours). */
    markRendered() {
        const svg = this.svgRef.el;
        if (svg && this.layout) {
            svg.dataset.renderMs = Math.round(performance.now() - this.renderStart);
            svg.dataset.nodes = this.layout.nodes.length;
            svg.dataset.edges = this.layout.edges.length;
        }
    }

    /** Puts the lots and the direction in the URL, so that reloading the page keeps them. */
    keepInUrl() {
        if (this.lotIds.length) {
            this.props.updateActionState?.({
                active_ids: this.lotIds.join(","),
                direction: this.state.direction,
            });
        }
    }

    // ---------------------------------------------------------------- user actions

    async setDirection(direction) {
        if (direction !== this.state.direction) {
            this.state.direction = direction;
            this.keepInUrl();
            this.needFit = true;
            await this.load();
        }
    }

    toggle(node) {
        this.renderStart = performance.now();
        const collapsed = new Set(this.state.collapsed);
        if (collapsed.has(node.id)) {
            collapsed.delete(node.id);
        } else {
            collapsed.add(node.id);
        }
        this.state.collapsed = collapsed;
    }

    expandAll() {
        this.renderStart = performance.now();
        this.needFit = true;
        this.state.collapsed = new Set();
    }

    collapseAll() {
        this.renderStart = performance.now();
        this.needFit = true;
        this.state.collapsed = this.initialCollapse();
    }

    async openNode(node) {
        if (this.drag?.moved) {
            return;
        }
        if (node.type === "lot") {
            await this.actionService.doAction({
                type: "ir.actions.act_window",
                res_model: "stock.lot",
                res_id: node.res_id,
                views: [[false, "form"]],
                target: "current",
            });
        } else if (node.type === "customer" && node.res_id) {
            await this.actionService.doAction({
                type: "ir.actions.act_window",
                res_model: "res.partner",
                res_id: node.res_id,
                views: [[false, "form"]],
                target: "current",
            });
        } else if (node.type === "customers") {
            const action = await this.orm.call("stock.lot", "action_trace_customers", [
                [node.res_id],
            ]);
            await this.actionService.doAction(action);
        }
    }

    // ---------------------------------------------------------------- zoom and pan

    applyView() {
        const { x, y, scale } = this.view;
        this.viewportRef.el?.setAttribute("transform", `translate(${x},${y}) scale(${scale})`);
    }

    fit() {
        const svg = this.svgRef.el;
        if (!svg || !this.layout) {
            return;
        }
        const box = svg.getBoundingClientRect();
        const scale = Math.min(
            (box.width - 40) / this.layout.width,
            (box.height - 40) / this.layout.height,
            1
        );
        this.view.scale = Math.max(scale, 0.1);
        this.view.x = 20;
        this.view.y =
            scale >= 0.1 ? (box.height - this.layout.height * this.view.scale) / 2 : 20;
        this.applyView();
    }

    zoom(factor, clientX, clientY) {
        const box = this.svgRef.el.getBoundingClientRect();
        const px = clientX === undefined ? box.width / 2 : clientX - box.left;
        const py = clientY === undefined ? box.height / 2 : clientY - box.top;
        const scale = Math.min(Math.max(this.view.scale * factor, MIN_SCALE), MAX_SCALE);
        const ratio = scale / this.view.scale;
        this.view.x = px - (px - this.view.x) * ratio;
        this.view.y = py - (py - this.view.y) * ratio;
        this.view.scale = scale;
        this.applyView();
    }

    onWheel(ev) {
        ev.preventDefault();
        this.zoom(Math.exp(-ev.deltaY * 0.0015), ev.clientX, ev.clientY);
    }

    onPointerDown(ev) {
        if (ev.button !== 0) {
            return;
        }
        this.drag = { x: ev.clientX, y: ev.clientY, moved: false, active: true };
    }

    onPointerMove(ev) {
        const drag = this.drag;
        if (!drag?.active) {
            return;
        }
        const dx = ev.clientX - drag.x;
        const dy = ev.clientY - drag.y;
        if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 4) {
            return;
        }
        drag.moved = true;
        drag.x = ev.clientX;
        drag.y = ev.clientY;
        this.view.x += dx;
        this.view.y += dy;
        this.applyView();
    }

    onPointerUp() {
        if (this.drag) {
            this.drag.active = false;
            // a click that follows a drag does not open the node
            setTimeout(() => (this.drag = null));
        }
    }

    // ---------------------------------------------------------------- export

    /** The whole graph as a standalone SVG document (not only the part on screen). */
    svgDocument() {
        const svg = this.svgRef.el.cloneNode(true);
        const margin = 20;
        const width = this.layout.width + 2 * margin;
        const height = this.layout.height + 2 * margin;
        svg.setAttribute("xmlns", "http://www.w3.org/2000/svg");
        svg.setAttribute("width", width);
        svg.setAttribute("height", height);
        svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
        svg.removeAttribute("class");
        svg.removeAttribute("style");
        for (const attribute of [...svg.attributes]) {
            if (attribute.name.startsWith("data-")) {
                svg.removeAttribute(attribute.name);
            }
        }
        svg.querySelector(".o_lot_graph_viewport").setAttribute(
            "transform",
            `translate(${margin},${margin})`
        );
        for (const toggle of svg.querySelectorAll(".o_lot_graph_toggle")) {
            toggle.remove();
        }
        return new XMLSerializer().serializeToString(svg);
    }

    fileName(extension) {
        const names = (this.state.data?.nodes || [])
            .filter((node) => node.root)
            .map((node) => node.name)
            .join("-")
            .slice(0, 60);
        return `genealogy-${this.state.direction}-${names}.${extension}`;
    }

    save(blob, extension) {
        const url = URL.createObjectURL(blob);
        const link = document.createElement("a");
        link.href = url;
        link.download = this.fileName(extension);
        document.body.appendChild(link);
        link.click();
        link.remove();
        setTimeout(() => URL.revokeObjectURL(url), 1000);
    }

    exportSvg() {
        this.save(new Blob([this.svgDocument()], { type: "image/svg+xml" }), "svg");
    }

    exportPng() {
        const source = this.svgDocument();
        const width = this.layout.width + 40;
        const height = this.layout.height + 40;
        const ratio = Math.min(2, PNG_MAX_SIDE / width, PNG_MAX_SIDE / height);
        const image = new Image();
        image.onload = () => {
            const canvas = document.createElement("canvas");
            canvas.width = Math.ceil(width * ratio);
            canvas.height = Math.ceil(height * ratio);
            const context = canvas.getContext("2d");
            context.fillStyle = "#ffffff";
            context.fillRect(0, 0, canvas.width, canvas.height);
            context.drawImage(image, 0, 0, canvas.width, canvas.height);
            canvas.toBlob((blob) => this.save(blob, "png"), "image/png");
        };
        image.onerror = () =>
            this.notification.add(_t("The picture could not be drawn."), { type: "danger" });
        image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(source)}`;
    }
}

registry.category("actions").add("lot_traceability.genealogy_graph", LotGenealogyGraph);
