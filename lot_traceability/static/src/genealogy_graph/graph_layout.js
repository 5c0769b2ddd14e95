/** Layered layout of a genealogy graph, left to right in the direction material flows.
 *
 * Layers by longest path from the sources (back edges of rework cycles ignored), orders
 * each layer by the barycenter of its neighbours in a few down and up sweeps, then places
 * nodes on a grid. Linear in nodes and edges per sweep: a thousand nodes take a few ms.
 */

export const NODE_WIDTH = 210;
export const NODE_HEIGHT = 58;
const GAP_X = 150;
const GAP_Y = 22;
const SWEEPS = 4;
const LABEL_AT = 0.7;

/** Edges that close a cycle, found by an iterative depth-first search. */
function backEdges(nodeIds, outgoing) {
    const state = new Map(); // 1: on the stack, 2: done
    const back = new Set();
    for (const start of nodeIds) {
        if (state.has(start)) {
            continue;
        }
        const stack = [[start, 0]];
        state.set(start, 1);
        while (stack.length) {
            const top = stack[stack.length - 1];
            const [node, index] = top;
            const next = outgoing.get(node)[index];
            if (next === undefined) {
                state.set(node, 2);
                stack.pop();
                continue;
            }
            top[1]++;
            const target = next.target;
            if (state.get(target) === 1) {
                back.add(next);
            } else if (!state.has(target)) {
                state.set(target, 1);
                stack.push([target, 0]);
            }
        }
    }
    return back;
}

/** Layer of each node: the longest path to it from a node without predecessors. */
function longestPathLayers(nodeIds, outgoing, back) {
    const indegree = new Map(nodeIds.map((id) => [id, 0]));
    for (const id of nodeIds) {
        for (const edge of outgoing.get(id)) {
            if (!back.has(edge)) {
                indegree.set(edge.target, indegree.get(edge.target) + 1);
            }
        }
    }
    const layer = new Map();
    const queue = nodeIds.filter((id) => indegree.get(id) === 0);
    for (const id of queue) {
        layer.set(id, 0);
    }
    for (let i = 0; i < queue.length; i++) {
        const id = queue[i];
        for (const edge of outgoing.get(id)) {
            if (back.has(edge)) {
                continue;
            }
            layer.set(edge.target, Math.max(layer.get(edge.target) || 0, layer.get(id) + 1));
            indegree.set(edge.target, indegree.get(edge.target) - 1);
            if (indegree.get(edge.target) === 0) {
                queue.push(edge.target);
            }
        }
    }
    return layer;
}

/** Reorders every layer by the mean position of each node's neighbours in `neighbours`. */
function sweep(layers, position, neighbours) {
    for (const layer of layers) {
        const weight = new Map();
        for (const id of layer) {
            const around = neighbours.get(id).filter((other) => position.has(other));
            weight.set(
                id,
                around.length
                    ? around.reduce((sum, other) => sum + position.get(other), 0) / around.length
                    : position.get(id)
            );
        }
        layer.sort((a, b) => weight.get(a) - weight.get(b));
        layer.forEach((id, index) => position.set(id, index));
    }
}

/**
 * @param {Object[]} nodes with a unique `id`, in the order to keep when nothing better
 * @param {Object[]} edges with `source` and `target` node ids
 * @returns {{nodes: Object[], edges: Object[], width: number, height: number}} the nodes
 *   with `x`, `y` (top left) and `layer`; the edges between nodes given, with `path` (SVG
 *   cubic curve), `labelX` and `labelY`
 */
export function layoutGraph(nodes, edges) {
    const nodeIds = nodes.map((node) => node.id);
    const outgoing = new Map(nodeIds.map((id) => [id, []]));
    const predecessors = new Map(nodeIds.map((id) => [id, []]));
    const successors = new Map(nodeIds.map((id) => [id, []]));
    const kept = edges.filter((edge) => outgoing.has(edge.source) && outgoing.has(edge.target));
    for (const edge of kept) {
        outgoing.get(edge.source).push(edge);
        successors.get(edge.source).push(edge.target);
        predecessors.get(edge.target).push(edge.source);
    }
    const layerOf = longestPathLayers(nodeIds, outgoing, backEdges(nodeIds, outgoing));
    const layers = [];
    const position = new Map();
    for (const id of nodeIds) {
        const index = layerOf.get(id) || 0;
        while (layers.length <= index) {
            layers.push([]);
        }
        position.set(id, layers[index].length);
        layers[index].push(id);
    }
    for (let i = 0; i < SWEEPS; i++) {
        sweep(layers.slice(1), position, predecessors);
        sweep(layers.slice(0, -1).reverse(), position, successors);
    }
    const tallest = Math.max(0, ...layers.map((layer) => layer.length));
    const height = Math.max(tallest * (NODE_HEIGHT + GAP_Y) - GAP_Y, NODE_HEIGHT);
    const width = Math.max(layers.length * (NODE_WIDTH + GAP_X) - GAP_X, NODE_WIDTH);
    const placed = new Map();
    layers.forEach((layer, index) => {
        const top = (height - (layer.length * (NODE_HEIGHT + GAP_Y) - GAP_Y)) / 2;
        layer.forEach((id, row) => {
            placed.set(id, {
                x: index * (NODE_WIDTH + GAP_X),
                y: top + row * (NODE_HEIGHT + GAP_Y),
                layer: index,
            });
        });
    });
    return {
        nodes: nodes.map((node) => ({ ...node, ...placed.get(node.id) })),
        edges: kept.map((edge) => {
            const from = placed.get(edge.source);
            const to = placed.get(edge.target);
            const x1 = from.x + NODE_WIDTH;
            const y1 = from.y + NODE_HEIGHT / 2;
            const x2 = to.x;
            const y2 = to.y + NODE_HEIGHT / 2;
            const bend = Math.max(Math.abs(x2 - x1) / 2, 60);
            // labels where the curves fanning out of a node have parted (70 % of the way)
            const t = LABEL_AT;
            const [a, b, c, d] = [(1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t ** 2, t ** 3];
            return {
                ...edge,
                path: `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`,
                labelX: a * x1 + b * (x1 + bend) + c * (x2 - bend) + d * x2,
                labelY: (a + b) * y1 + (c + d) * y2 - 4,
            };
        }),
        width,
        height,
    };
}
