// The slice of a chrome-remote-interface client the engine uses. Methods are sent by name: the engine
// speaks a handful of CDP methods, and a string-keyed surface keeps the wrappers (js-debug's proxy,
// tests' second client) interchangeable.
import CDP from 'chrome-remote-interface';
import { HeapscopeError, describeError } from '../errors';

export interface CdpClient {
  // CDP replies are protocol-defined JSON; callers narrow them where they read them.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  send(method: string, params?: object): Promise<any>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  on(event: string, listener: (params: any) => void): unknown;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  removeListener(event: string, listener: (...args: any[]) => void): unknown;
  close(): Promise<void>;
}

/** Opens a client on an inspector WebSocket URL (or with options passed through as they are). */
export async function openCdpClient(options: { target: string; local?: boolean }): Promise<CdpClient> {
  try {
    // local: use the protocol descriptor bundled with chrome-remote-interface instead of asking the
    // target for /json/protocol (Node does not serve it over every transport, e.g. js-debug's proxy).
    const client = await CDP({ target: options.target, local: options.local ?? true });
    return client as unknown as CdpClient;
  } catch (error) {
    throw new HeapscopeError(
      'target-unreachable',
      `Cannot connect to the inspector at ${options.target}: ${describeError(error)}. ` +
        'Check that the process is running with --inspect and that the address is right.',
      { cause: error },
    );
  }
}
