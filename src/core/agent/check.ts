// heapscope_check (observe a process for N seconds and say whether it leaks, with the top suspects
// and what holds them) and heapscope_session_state (the same answer, as of now, for a session the
// face already runs). Both drive MemorySession through its public API, like `heapscope check`.
import { HeapscopeError } from '../errors';
import { isLoopbackHost, parseInspectorAddress } from '../inspector/address';
import { processArgv } from '../inspector/processes';
import { createMemorySession } from '../session';
import { DEFAULT_HOLDERS_BUDGET_MS } from '../session/holderSnapshots';
import type { MemorySessionApi, TargetSpec } from '../session/api';
import type { ReportV1 } from '../types';
import { formatBytes } from '../leak';
import { compactReport, fitToBudget, sourceLink } from './budget';
import { asInput, optionalBoolean, optionalInteger, optionalString, optionalStringArray } from './input';
import { defineTool, type AgentToolContext, type ToolAnswer } from './tool';

const CHECK = 'heapscope_check';
const STATE = 'heapscope_session_state';

export const MAX_CHECK_SECONDS = 600;

export interface CheckParams {
  target: TargetSpec;
  durationSeconds: number;
  holders: boolean;
  suspects: number;
}

/** The one-line answer: verdict, rate, and the top suspect with its place. */
export function reportSummary(report: ReportV1): string {
  const rate = report.growth.heapBytesPerMinute;
  const top = report.suspects[0];
  const where = top
    ? `; top suspect ${top.functionName || '(anonymous)'} at ${sourceLink(top.url, top.allocation?.line ?? top.line, top.allocation?.column ?? top.column)} (+${formatBytes(top.growthBytesPerMinute)}/min` +
      (top.holder ? `, held by ${top.holder.kind} ${top.holder.name}` : '') +
      ')'
    : '';
  const verdict =
    report.verdict === 'leak'
      ? `Leak: heap floor growing ${formatBytes(rate)}/min`
      : report.verdict === 'no-leak'
        ? 'No leak'
        : 'Inconclusive';
  return `${verdict} after ${report.durationSeconds} s (${report.reason.replace(/\.$/, '')})${where}.`;
}

export function checkAnswer(report: ReportV1, suspects: number, context: AgentToolContext): ToolAnswer {
  return {
    summary: reportSummary(report),
    data: fitToBudget(compactReport(report, { suspects }), context.budgetChars),
  };
}

export const checkTool = defineTool<CheckParams>({
  name: CHECK,
  title: 'Check a Node.js process for memory leaks',
  description:
    'Observe a Node.js process for some seconds and say whether its memory leaks: verdict with its reason, heap ' +
    'growth per minute, and the top suspects (allocation sites whose live bytes grow, with file:line) and what ' +
    'holds them. Give exactly one target: "command" (launch it, e.g. ["node","server.js"], inspector on ' +
    '127.0.0.1; stopped at the end), "attach" (an inspector on loopback, e.g. "9229"), or "pid" (a running ' +
    'Node process: its inspector is woken with SIGUSR1). The process must be doing its usual work meanwhile ' +
    '(serving requests, running a load); 30-120 s gives a confident verdict.',
  inputSchema: {
    type: 'object',
    properties: {
      command: {
        type: 'array',
        items: { type: 'string' },
        description: 'Command to launch, e.g. ["node", "server.js"].',
      },
      cwd: { type: 'string', description: 'Working directory for "command" (default: the workspace).' },
      attach: { type: 'string', description: 'Inspector on loopback: port, 127.0.0.1:port or ws:// URL.' },
      pid: { type: 'integer', minimum: 1, description: 'A running Node process.' },
      durationSeconds: {
        type: 'integer',
        minimum: 5,
        maximum: MAX_CHECK_SECONDS,
        description: 'How long to observe (default 60).',
      },
      holders: {
        type: 'boolean',
        description: 'Take heap snapshots at the end to name what holds the suspects (default true).',
      },
      suspects: { type: 'integer', minimum: 1, maximum: 20, description: 'Suspects to return (default 5).' },
    },
  },
  touchesProcess: true,
  readOnly: false,
  parse(input) {
    const i = asInput(CHECK, input);
    const command = optionalStringArray(i, 'command', CHECK, { min: 1, max: 100 });
    const attach = optionalString(i, 'attach', CHECK);
    const pid = optionalInteger(i, 'pid', CHECK, { min: 1, max: 2 ** 31 - 1 });
    const chosen = [command, attach, pid].filter((x) => x !== undefined).length;
    if (chosen !== 1)
      throw new HeapscopeError(
        'usage',
        `${CHECK}: give exactly one target: "command" (to launch), "attach" (an inspector address) or "pid".`,
      );
    let target: TargetSpec;
    if (command)
      target = {
        kind: 'launch',
        command: command[0],
        args: command.slice(1),
        cwd: optionalString(i, 'cwd', CHECK),
      };
    else if (attach) {
      const { host } = parseInspectorAddress(attach);
      // The inspector runs any code it is sent: an agent is only ever pointed at this machine's.
      if (!isLoopbackHost(host))
        throw new HeapscopeError(
          'usage',
          `${CHECK}: "${attach}" is not on loopback; agents may only attach to inspectors on 127.0.0.1 (forward a remote one with SSH or kubectl port-forward).`,
        );
      target = { kind: 'attach', address: attach };
    } else target = { kind: 'pid', pid: pid! };
    return {
      target,
      durationSeconds: optionalInteger(i, 'durationSeconds', CHECK, { min: 5, max: MAX_CHECK_SECONDS }) ?? 60,
      holders: optionalBoolean(i, 'holders', CHECK) ?? true,
      suspects: optionalInteger(i, 'suspects', CHECK, { min: 1, max: 20 }) ?? 5,
    };
  },
  async confirmation({ target, durationSeconds, holders }, context) {
    const seconds =
      `for ${durationSeconds} s` + (holders ? ' (heap snapshots at the end pause it briefly)' : '');
    switch (target.kind) {
      case 'launch':
        return `Launch \`${[target.command, ...target.args].join(' ')}\` in ${target.cwd ?? context.projectRoot ?? process.cwd()} with the inspector on 127.0.0.1 and observe its memory ${seconds} (it is stopped at the end).`;
      case 'attach':
        return `Attach to the Node.js inspector at ${target.address} and observe that process's memory ${seconds}.`;
      case 'pid': {
        const argv = await processArgv(target.pid).catch(() => undefined);
        return `Send SIGUSR1 to process ${target.pid}${argv ? ` (${argv.join(' ').slice(0, 120)})` : ''} to open its inspector on 127.0.0.1 (it stays open until the process exits), and observe its memory ${seconds}.`;
      }
      default:
        return `Observe ${target.kind} ${seconds}.`;
    }
  },
  async run(params, context) {
    const target: TargetSpec =
      params.target.kind === 'launch'
        ? { ...params.target, cwd: params.target.cwd ?? context.projectRoot }
        : params.target;
    const options = { target, projectRoot: context.projectRoot, log: context.log };
    if (context.signal?.aborted) throw new HeapscopeError('cancelled', `${CHECK} was cancelled.`);
    let session: MemorySessionApi | undefined;
    let report: ReportV1 | undefined;
    try {
      if (context.startSession)
        session = await context.startSession(options, `agent check: ${describeTarget(target)}`);
      else {
        session = (context.createSession ?? createMemorySession)(options);
        await session.start();
      }
      const observed = session;
      const why = await new Promise<string>((resolve) => {
        const timer = setTimeout(() => done('duration reached'), params.durationSeconds * 1000);
        const onStatus = (status: { state: string; message?: string }) => {
          if (status.state === 'target-exited') done(status.message ?? 'target exited');
          // Stopped by someone else (the user, in the editor): answer with what was seen.
          if (status.state === 'stopped' || status.state === 'stopping') done('stopped by the user');
        };
        const onAbort = () => done('cancelled');
        function done(reason: string) {
          clearTimeout(timer);
          observed.off('status', onStatus);
          context.signal?.removeEventListener('abort', onAbort);
          resolve(reason);
        }
        observed.on('status', onStatus);
        context.signal?.addEventListener('abort', onAbort, { once: true });
        if (observed.status.state === 'target-exited') done(observed.status.message ?? 'target exited');
      });
      // Like `heapscope check`: holders are named after the observation, within the same budget.
      if (params.holders && why === 'duration reached' && !context.signal?.aborted)
        await observed.nameHolders({
          final: true,
          budgetMs: DEFAULT_HOLDERS_BUDGET_MS,
          signal: context.signal,
        });
      report = await observed.stop(why);
    } finally {
      if (session && !report) await session.stop('check failed').catch(() => undefined);
    }
    return checkAnswer(report, params.suspects, context);
  },
});

function describeTarget(target: TargetSpec): string {
  switch (target.kind) {
    case 'launch':
      return [target.command, ...target.args].join(' ');
    case 'attach':
      return target.address;
    case 'pid':
      return `pid ${target.pid}`;
    default:
      return target.kind;
  }
}

export const sessionStateTool = defineTool<{ sessionId?: string; suspects: number }>({
  name: STATE,
  title: 'Read a running memory session',
  description:
    'Read the memory verdict and top suspects of a Heapscope session that is already running in the editor ' +
    '(started from the Heapscope view or a debug session), as of now, without touching the process. Without ' +
    '"sessionId", the most recent session. Use heapscope_list_targets to see the sessions.',
  inputSchema: {
    type: 'object',
    properties: {
      sessionId: { type: 'string', description: 'Session id (from heapscope_list_targets).' },
      suspects: { type: 'integer', minimum: 1, maximum: 20, description: 'Suspects to return (default 5).' },
    },
  },
  touchesProcess: false,
  readOnly: true,
  parse(input) {
    const i = asInput(STATE, input);
    return {
      sessionId: optionalString(i, 'sessionId', STATE),
      suspects: optionalInteger(i, 'suspects', STATE, { min: 1, max: 20 }) ?? 5,
    };
  },
  async run({ sessionId, suspects }, context) {
    const sessions = context.sessions?.() ?? [];
    if (!sessions.length)
      throw new HeapscopeError(
        'usage',
        `${STATE}: no memory session is running here; use heapscope_check to start one.`,
      );
    const chosen = sessionId ? sessions.find((s) => s.id === sessionId) : sessions[sessions.length - 1];
    if (!chosen)
      throw new HeapscopeError(
        'usage',
        `${STATE}: no session "${sessionId}"; running: ${sessions.map((s) => s.id).join(', ')}.`,
      );
    const answer = checkAnswer(chosen.session.report(), suspects, context);
    return {
      summary: `${chosen.name} (${chosen.session.status.state}): ${answer.summary}`,
      data: { sessionId: chosen.id, name: chosen.name, state: chosen.session.status.state, ...answer.data },
    };
  },
});
