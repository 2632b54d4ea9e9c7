// Asks a freshly announced inspector which process it belongs to (pid, parent, argv, Node's own
// options), with one fixed expression over a short-lived client: enough to tell a wrapper from the
// program before anything heavier (readings, sampling) is set up in it.
import { bounded, openCdpClient, type CdpClient } from '../inspector/cdp';
import { IDENTITY_TREE_EXPRESSION, toProcessIdentity, type ProcessIdentity } from './processRole';

const IDENTIFY_TIMEOUT_MS = 5000;

/** The identity behind `url`, or undefined when it does not answer in time (gone, or not Node). */
export async function identifyInspector(
  url: string,
  signal?: AbortSignal,
): Promise<ProcessIdentity | undefined> {
  let client: CdpClient | undefined;
  try {
    client = await openCdpClient({ target: url, signal, timeoutMs: IDENTIFY_TIMEOUT_MS });
    const reply = await bounded(
      client.send('Runtime.evaluate', { expression: IDENTITY_TREE_EXPRESSION, returnByValue: true }),
      IDENTIFY_TIMEOUT_MS,
      signal,
    );
    return toProcessIdentity(reply.result?.value);
  } catch {
    return undefined;
  } finally {
    await client?.close().catch(() => undefined);
  }
}
