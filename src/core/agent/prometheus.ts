// heapscope_prometheus_history: a container's memory history from Prometheus with the leak verdict,
// as `heapscope prom` gives it, without the series' points (a model reads the verdict, the events and
// a few figures per series, not thousands of samples). Credentials never come through the input: the
// face resolves the endpoint (the extension from its settings and SecretStorage, the MCP server from
// HEAPSCOPE_PROM_URL and HEAPSCOPE_PROM_TOKEN).
import { HeapscopeError } from '../errors';
import {
  fetchHistory,
  historyReport,
  parseContainerSpec,
  parseTime,
  parseWindow,
  PromClient,
  type PromEndpoint,
} from '../prometheus';
import { fitToBudget } from './budget';
import { asInput, optionalString, requiredString } from './input';
import { defineTool, type AgentToolContext } from './tool';

const NAME = 'heapscope_prometheus_history';

export interface PrometheusParams {
  url?: string;
  container: string;
  window: string;
  end: string;
}

/** How a face turns an optional URL into an endpoint with its credentials. */
export type PrometheusResolver = (url: string | undefined) => Promise<PromEndpoint>;

/** The MCP server's resolver: the URL given or HEAPSCOPE_PROM_URL; a bearer token from HEAPSCOPE_PROM_TOKEN. */
export const environmentPrometheus: PrometheusResolver = async (url) => {
  const base = url ?? process.env.HEAPSCOPE_PROM_URL;
  if (!base)
    throw new HeapscopeError(
      'usage',
      `${NAME}: give "url" (or set HEAPSCOPE_PROM_URL where the server runs).`,
    );
  const token = process.env.HEAPSCOPE_PROM_TOKEN;
  return { url: base, auth: token ? { kind: 'bearer', token } : { kind: 'none' } };
};

export interface PrometheusContext extends AgentToolContext {
  prometheus?: PrometheusResolver;
}

export const prometheusHistoryTool = defineTool<PrometheusParams>({
  name: NAME,
  title: "Read a container's memory history",
  description:
    "Read a Kubernetes container's memory history from Prometheus (working set, RSS, limit, restarts and " +
    'OOM kills, Node heap when exported) and say whether it leaks over hours or days: verdict, growth per day, ' +
    'days to the memory limit, and the restarts/OOM events. Use it for a service in a cluster; for a local ' +
    'process use heapscope_check.',
  inputSchema: {
    type: 'object',
    properties: {
      container: {
        type: 'string',
        description: 'namespace/pod/container, e.g. "shop/api-7d9f8b6c5-x2kqz/app".',
      },
      url: { type: 'string', description: 'Prometheus base URL (default: the configured endpoint).' },
      window: { type: 'string', description: 'How far back: 30m, 6h, 24h, 7d (default 24h).' },
      end: {
        type: 'string',
        description: 'End of the window: now, Unix seconds or an RFC 3339 date (default now).',
      },
    },
    required: ['container'],
  },
  touchesProcess: false,
  readOnly: true,
  parse(input) {
    const i = asInput(NAME, input);
    const params = {
      container: requiredString(i, 'container', NAME),
      url: optionalString(i, 'url', NAME),
      window: optionalString(i, 'window', NAME) ?? '24h',
      end: optionalString(i, 'end', NAME) ?? 'now',
    };
    // Checked here so that a bad value is an input error before any request.
    parseContainerSpec(params.container);
    parseWindow(params.window);
    parseTime(params.end);
    return params;
  },
  async run(params, context: PrometheusContext) {
    const endpoint = await (context.prometheus ?? environmentPrometheus)(params.url);
    const client = new PromClient(endpoint);
    const end = parseTime(params.end);
    const history = await fetchHistory(client, parseContainerSpec(params.container), {
      start: end - parseWindow(params.window),
      end,
      widthPoints: 200,
      signal: context.signal,
    });
    const { series, ...report } = historyReport(history);
    const data = {
      ...report,
      series: series.map((s) => {
        const values = s.points.map((p) => p[1]);
        return {
          name: s.name,
          unit: s.unit,
          points: s.points.length,
          first: values[0],
          last: values[values.length - 1],
          min: values.length ? Math.min(...values) : undefined,
          max: values.length ? Math.max(...values) : undefined,
        };
      }),
    };
    return {
      summary: `${params.container}: ${history.verdict.verdict} — ${history.verdict.summary}`,
      data: fitToBudget(data, context.budgetChars),
    };
  },
});
