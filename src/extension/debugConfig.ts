// The `heapscope` debug type's launch.json entries, turned into the engine's TargetSpec. Pure: the
// debug adapter and the quick pick both use it, and unit tests check every shape and every mistake.
import * as path from 'node:path';
import { describeError, HeapscopeError } from '../core/errors';
import { isContextName, parsePodRef } from '../core/k8s/podRef';
import type { TargetSpec } from '../core/session/api';

export interface HeapscopeLaunchConfig {
  type?: string;
  request?: string;
  name?: string;
  /** launch: the script to run with Node (absolute, or relative to cwd). */
  program?: string;
  args?: string[];
  cwd?: string;
  env?: Record<string, string | null>;
  /** launch: run this instead of `node` (e.g. "npm", "tsx"); `program` then becomes an argument. */
  runtimeExecutable?: string;
  runtimeArgs?: string[];
  /** attach: ws:// URL, host:port, or a port on 127.0.0.1. */
  address?: string;
  port?: number;
  /** attach: a running Node process (its inspector is woken with SIGUSR1). */
  pid?: number | string;
  /** attach: "namespace/pod" or "namespace/pod/container". */
  pod?: string;
  kubeContext?: string;
  /** Sampling heap profiler interval in bytes; overrides the setting. */
  samplingIntervalBytes?: number;
  metricsIntervalMs?: number;
}

function usage(message: string): HeapscopeError {
  return new HeapscopeError('usage', `launch.json (type "heapscope"): ${message}`);
}

/** Environment for the launched process: launch.json's `null` removes a variable (as js-debug does). */
function cleanEnv(env: HeapscopeLaunchConfig['env']): Record<string, string> | undefined {
  if (!env) return undefined;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (typeof value === 'string') out[key] = value;
  return out;
}

/**
 * `nodePath` is the `node` to run when no runtimeExecutable is given (the extension passes the one on
 * PATH, "node"); `folder` resolves relative paths and `${workspaceFolder}` left unresolved.
 */
export function targetFromDebugConfig(
  config: HeapscopeLaunchConfig,
  folder: string | undefined,
  nodePath = 'node',
): TargetSpec {
  const request = config.request ?? 'launch';
  if (request === 'launch') {
    const cwd = config.cwd ? path.resolve(folder ?? process.cwd(), config.cwd) : folder;
    const args = config.args ?? [];
    if (!Array.isArray(args) || args.some((a) => typeof a !== 'string'))
      throw usage('"args" must be an array of strings.');
    const runtimeArgs = config.runtimeArgs ?? [];
    if (config.runtimeExecutable) {
      const programArgs = config.program ? [config.program] : [];
      return {
        kind: 'launch',
        command: config.runtimeExecutable,
        args: [...runtimeArgs, ...programArgs, ...args],
        cwd,
        env: cleanEnv(config.env),
      };
    }
    if (!config.program)
      throw usage(
        'a "launch" entry needs "program" (a script) or "runtimeExecutable" (e.g. "npm" with runtimeArgs ["run", "start"]).',
      );
    const program = path.resolve(cwd ?? folder ?? process.cwd(), config.program);
    return {
      kind: 'launch',
      command: nodePath,
      args: [...runtimeArgs, program, ...args],
      cwd,
      env: cleanEnv(config.env),
    };
  }
  if (request === 'attach') {
    const chosen = [
      config.address !== undefined || config.port !== undefined,
      config.pid !== undefined,
      config.pod !== undefined,
    ].filter(Boolean).length;
    if (chosen === 0) throw usage('an "attach" entry needs one of "address"/"port", "pid" or "pod".');
    if (chosen > 1) throw usage('an "attach" entry takes only one of "address"/"port", "pid" or "pod".');
    if (config.pid !== undefined) {
      const pid = typeof config.pid === 'string' ? Number(config.pid) : config.pid;
      if (!Number.isInteger(pid) || pid <= 0)
        throw usage(
          `"pid" must be a process id, not ${JSON.stringify(config.pid)}. Use "\${command:pickProcess}" to choose one.`,
        );
      return config.port !== undefined ? { kind: 'pid', pid, port: config.port } : { kind: 'pid', pid };
    }
    if (config.pod !== undefined) {
      let ref: { namespace: string; pod: string; container?: string };
      try {
        ref = parsePodRef(String(config.pod));
      } catch (error) {
        throw usage(`"pod" ${describeError(error)}`);
      }
      if (
        config.kubeContext !== undefined &&
        (typeof config.kubeContext !== 'string' || !isContextName(config.kubeContext))
      )
        throw usage(
          `"kubeContext" must be a kubeconfig context name (no spaces, not starting with "-"), not ${JSON.stringify(config.kubeContext)}.`,
        );
      const { namespace, pod, container } = ref;
      return {
        kind: 'k8s',
        namespace,
        pod,
        ...(container ? { container } : {}),
        ...(config.kubeContext ? { context: config.kubeContext } : {}),
      };
    }
    if (config.address !== undefined && config.port !== undefined && !/^wss?:/.test(config.address)) {
      return { kind: 'attach', address: `${config.address}:${config.port}` };
    }
    if (config.address !== undefined) return { kind: 'attach', address: config.address };
    return { kind: 'attach', address: String(config.port) };
  }
  throw usage(`"request" must be "launch" or "attach", not "${request}".`);
}

/** Snippets and the initial configuration offered in launch.json (also contributed in package.json). */
export const INITIAL_CONFIGURATION: HeapscopeLaunchConfig = {
  type: 'heapscope',
  request: 'launch',
  name: 'Memory: api server',
  program: '${workspaceFolder}/server.js',
};
