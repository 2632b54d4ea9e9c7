// heapscope_list_targets: what can be observed here, from the same sources as the VS Code picker
// (inspectors answering on 9229-9239, running Node processes), and the running sessions.
import { listInspectors, listNodeProcesses } from '../inspector';
import { fitToBudget } from './budget';
import { asInput, optionalInteger } from './input';
import { defineTool } from './tool';

const NAME = 'heapscope_list_targets';

export const listTargetsTool = defineTool<{ limit: number }>({
  name: NAME,
  title: 'List Node.js targets',
  description:
    'List the Node.js processes on this machine that Heapscope can observe: inspectors already listening ' +
    '(ports 9229-9239) and running Node processes (pid and command line), plus memory sessions already running. ' +
    'Use it first, to find the pid or inspector address to give heapscope_check.',
  inputSchema: {
    type: 'object',
    properties: {
      limit: { type: 'integer', minimum: 1, maximum: 50, description: 'Most entries per list (default 20).' },
    },
  },
  touchesProcess: false,
  readOnly: true,
  parse(input) {
    const i = asInput(NAME, input);
    return { limit: optionalInteger(i, 'limit', NAME, { min: 1, max: 50 }) ?? 20 };
  },
  async run({ limit }, context) {
    const abort = new AbortController();
    const onAbort = () => abort.abort();
    context.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const [inspectors, processes] = await Promise.all([
        listInspectors({ signal: abort.signal }).catch(() => []),
        listNodeProcesses(abort.signal).catch(() => []),
      ]);
      const own = process.pid;
      const nodeProcesses = processes
        .filter((p) => p.pid !== own)
        .map((p) => ({
          pid: p.pid,
          command: p.command.length > 160 ? `${p.command.slice(0, 159)}…` : p.command,
          ...(p.inspectorPort ? { inspectorPort: p.inspectorPort } : {}),
        }));
      const sessions = (context.sessions?.() ?? []).map((s) => ({
        id: s.id,
        name: s.name,
        state: s.session.status.state,
        pid: s.session.target.pid,
        verdict: s.session.verdict?.verdict ?? null,
      }));
      const data = fitToBudget(
        {
          inspectors: inspectors.slice(0, limit).map((i) => ({
            address: `${i.host}:${i.port}`,
            title: i.title,
            pid: i.pid,
            attachedElsewhere: i.attachedElsewhere,
          })),
          processes: nodeProcesses.slice(0, limit),
          sessions: sessions.slice(0, limit),
          ...(inspectors.length > limit || nodeProcesses.length > limit
            ? {
                omitted: {
                  inspectors: Math.max(0, inspectors.length - limit),
                  processes: Math.max(0, nodeProcesses.length - limit),
                },
              }
            : {}),
        },
        context.budgetChars,
      );
      const summary =
        `${inspectors.length} inspector(s) listening, ${nodeProcesses.length} Node process(es)` +
        (sessions.length ? `, ${sessions.length} memory session(s)` : '') +
        '.';
      return { summary, data };
    } finally {
      context.signal?.removeEventListener('abort', onAbort);
    }
  },
});
