import type { AssemblyModel, FunctionModel } from '../emulator/model';
import { ConsumerEnv } from '../../../lambdas/runtime/consumer-env';
import { PowertoolsEnv } from '../../../lambdas/runtime/powertools-env';

/**
 * The assembly as a drawable graph: topics, functions, HTTP routes and schedules as nodes;
 * mappings (with group id, filters and dead-letter topic), writes, dead-letter paths, route and
 * schedule targets as edges; alarms as badges on the function they watch. Laid out in layers
 * (longest path from the sources, cycles broken where a depth-first walk finds them, rows
 * ordered by the mean row of each node's predecessors), so the page only draws.
 */

export type GraphNodeKind = 'topic' | 'dead-letter-topic' | 'function' | 'route' | 'schedule';

export interface GraphNode {
  readonly id: string;
  readonly kind: GraphNodeKind;
  readonly label: string;
  /** A second line: stack, partitions, expression. */
  readonly detail?: string;
  /** Names of the alarms that watch this node. */
  readonly alarms: string[];
  x: number;
  y: number;
  readonly width: number;
  readonly height: number;
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  /** `mapping`: topic → function; `writes`: function → topic (from its environment); `dead-letter`: where failed records go; `invokes`: route or schedule → function. */
  readonly kind: 'mapping' | 'writes' | 'dead-letter' | 'invokes';
  /** Group id and filters of a mapping. */
  readonly label?: string;
  readonly detail?: string;
}

export interface AssemblyGraph {
  readonly nodes: GraphNode[];
  readonly edges: GraphEdge[];
  readonly width: number;
  readonly height: number;
  /** Alarms whose metric names no function of the assembly. */
  readonly unattachedAlarms: string[];
}

const NODE_WIDTH = 210;
const NODE_HEIGHT = 40;
const COLUMN_GAP = 90;
const ROW_GAP = 14;
const MARGIN = 20;

export const topicNodeId = (name: string) => `topic:${name}`;
export const functionNodeId = (name: string) => `function:${name}`;

/** Environment variables that name a topic the function reads itself or that are not writes. */
const NOT_WRITES = new Set<string>([ConsumerEnv.TOPIC_NAME, ConsumerEnv.DEAD_LETTER_TOPIC]);

export function assemblyGraph(model: Pick<AssemblyModel, 'topics' | 'functions' | 'mappings' | 'routes' | 'schedules' | 'stacks'>): AssemblyGraph {
  const nodes = new Map<string, GraphNode>();
  const edges: GraphEdge[] = [];
  const deadLetterTopics = new Set<string>();
  for (const m of model.mappings) if (m.onFailure?.kind === 'kafka') deadLetterTopics.add(m.onFailure.topic);
  for (const f of model.functions) if (f.environment.DEAD_LETTER_TOPIC) deadLetterTopics.add(f.environment.DEAD_LETTER_TOPIC);
  const node = (id: string, kind: GraphNodeKind, label: string, detail?: string) => {
    if (!nodes.has(id)) nodes.set(id, { id, kind, label, detail, alarms: [], x: 0, y: 0, width: NODE_WIDTH, height: NODE_HEIGHT });
    return id;
  };
  const topic = (name: string) => {
    const t = model.topics.find((x) => x.name === name);
    return node(topicNodeId(name), deadLetterTopics.has(name) ? 'dead-letter-topic' : 'topic', name, t && t.partitions > 0 ? `${t.partitions} partition${t.partitions > 1 ? 's' : ''}` : undefined);
  };
  for (const t of model.topics) topic(t.name);
  for (const f of model.functions) node(functionNodeId(f.name), 'function', shortName(f), f.stack);
  for (const m of model.mappings) {
    const fn = functionNodeId(m.functionName);
    for (const t of m.topics) {
      edges.push({ from: topic(t), to: fn, kind: 'mapping', label: m.consumerGroupId, detail: m.filters.length ? `filters ${JSON.stringify(m.filters)}` : undefined });
    }
    if (m.onFailure?.kind === 'kafka') edges.push({ from: fn, to: topic(m.onFailure.topic), kind: 'dead-letter', label: 'on failure' });
  }
  const topicNames = new Set(model.topics.map((t) => t.name));
  for (const f of model.functions) {
    const fn = functionNodeId(f.name);
    const dlt = f.environment.DEAD_LETTER_TOPIC;
    if (dlt && !edges.some((e) => e.from === fn && e.to === topicNodeId(dlt))) edges.push({ from: fn, to: topic(dlt), kind: 'dead-letter', label: 'dead letters' });
    for (const [name, value] of Object.entries(f.environment)) {
      if (NOT_WRITES.has(name) || !topicNames.has(value)) continue;
      if (!edges.some((e) => e.from === fn && e.to === topicNodeId(value))) edges.push({ from: fn, to: topic(value), kind: 'writes', label: name });
    }
  }
  for (const r of model.routes) {
    edges.push({ from: node(`route:${r.api}:${r.routeKey}`, 'route', r.routeKey, r.api), to: functionNodeId(r.functionName), kind: 'invokes' });
  }
  for (const s of model.schedules) {
    if (!s.functionName) continue;
    edges.push({ from: node(`schedule:${s.stack}/${s.logicalId}`, 'schedule', s.expression ?? s.name, s.timezone ?? s.stack), to: functionNodeId(s.functionName), kind: 'invokes' });
  }
  const unattachedAlarms = attachAlarms(model, nodes);
  const { width, height } = layout([...nodes.values()], edges);
  return { nodes: [...nodes.values()], edges, width, height, unattachedAlarms };
}

/** `PostConsumers-PostsRealEstateFunction1A2B3C` → `PostsRealEstateFunction`: the stack is the detail line. */
function shortName(f: FunctionModel): string {
  const id = f.name.startsWith(`${f.stack}-`) ? f.name.slice(f.stack.length + 1) : f.name;
  return id.replace(/[0-9A-F]{8}$/, '');
}

/**
 * Puts each alarm of the templates on the function it watches: a `FunctionName` dimension
 * referring to the function, or a `service` dimension equal to its POWERTOOLS_SERVICE_NAME
 * (the runtime's metrics) in the same stack.
 */
function attachAlarms(model: Pick<AssemblyModel, 'functions' | 'stacks'>, nodes: Map<string, GraphNode>): string[] {
  const unattached: string[] = [];
  for (const stack of model.stacks) {
    for (const [logicalId, resource] of Object.entries(stack.resources)) {
      if (resource.Type !== 'AWS::CloudWatch::Alarm') continue;
      const props = resource.Properties ?? {};
      const name = typeof props.AlarmName === 'string' ? props.AlarmName : logicalId;
      const dims: Array<{ Name?: string; Value?: unknown }> = props.Dimensions ?? props.Metrics?.flatMap((m: any) => m.MetricStat?.Metric?.Dimensions ?? []) ?? [];
      const fns = model.functions.filter((f) => f.stack === stack.name);
      const target = dims.map((d) => {
        const ref = (d.Value as { Ref?: string } | undefined)?.Ref;
        if (d.Name === 'FunctionName' && ref) return fns.find((f) => f.logicalId === ref);
        if (d.Name === 'service' && typeof d.Value === 'string') return fns.find((f) => f.environment[PowertoolsEnv.POWERTOOLS_SERVICE_NAME] === d.Value);
        if (d.Name === 'ConsumerGroup' && typeof d.Value === 'string') return undefined;
        return undefined;
      }).find(Boolean);
      const n = target && nodes.get(functionNodeId(target.name));
      if (n) n.alarms.push(name);
      else unattached.push(name);
    }
  }
  return unattached;
}

/** Layered layout in place; returns the drawing's size. */
function layout(nodes: GraphNode[], edges: GraphEdge[]): { width: number; height: number } {
  const out = new Map<string, string[]>(nodes.map((n) => [n.id, []]));
  for (const e of edges) out.get(e.from)?.push(e.to);
  // Depth-first walk from the sources: an edge to a node still on the stack closes a cycle and is ignored for ranking.
  const state = new Map<string, 'open' | 'done'>();
  const forward: Array<[string, string]> = [];
  const visit = (id: string) => {
    state.set(id, 'open');
    for (const to of out.get(id) ?? []) {
      if (state.get(to) === 'open') continue;
      forward.push([id, to]);
      if (!state.has(to)) visit(to);
    }
    state.set(id, 'done');
  };
  const incoming = new Set(edges.map((e) => e.to));
  const order = [...nodes].sort((a, b) => Number(incoming.has(a.id)) - Number(incoming.has(b.id)));
  for (const n of order) if (!state.has(n.id)) visit(n.id);
  const rank = new Map<string, number>(nodes.map((n) => [n.id, 0]));
  for (let changed = true, guard = 0; changed && guard < nodes.length + 1; guard++) {
    changed = false;
    for (const [from, to] of forward) {
      if (rank.get(to)! < rank.get(from)! + 1) {
        rank.set(to, rank.get(from)! + 1);
        changed = true;
      }
    }
  }
  const columns: GraphNode[][] = [];
  for (const n of nodes) (columns[rank.get(n.id)!] ??= []).push(n);
  const row = new Map<string, number>();
  const preds = new Map<string, string[]>(nodes.map((n) => [n.id, []]));
  for (const [from, to] of forward) preds.get(to)!.push(from);
  columns.forEach((column, c) => {
    const mean = (n: GraphNode) => {
      const p = preds.get(n.id)!.filter((id) => row.has(id));
      return p.length ? p.reduce((sum, id) => sum + row.get(id)!, 0) / p.length : Number.MAX_SAFE_INTEGER;
    };
    if (c > 0) column.sort((a, b) => mean(a) - mean(b) || a.label.localeCompare(b.label));
    column.forEach((n, i) => {
      row.set(n.id, i);
      n.x = MARGIN + c * (NODE_WIDTH + COLUMN_GAP);
      n.y = MARGIN + i * (NODE_HEIGHT + ROW_GAP);
    });
  });
  const tallest = Math.max(1, ...columns.map((c) => c?.length ?? 0));
  return { width: 2 * MARGIN + columns.length * (NODE_WIDTH + COLUMN_GAP) - COLUMN_GAP, height: 2 * MARGIN + tallest * (NODE_HEIGHT + ROW_GAP) - ROW_GAP };
}
