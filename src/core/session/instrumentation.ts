// What Heapscope puts into a target (a GC observer reporting through a binding) and takes out again
// when it lets go of a target that lives on. Removal is bounded: a frozen or busy target does not
// hold a stop.
import { bounded, type CdpClient } from '../inspector/cdp';
import {
  GC_BINDING_NAME,
  GC_FLUSH_EXPRESSION,
  GC_INSTALL_EXPRESSION,
  GC_UNINSTALL_EXPRESSION,
} from '../sampling';

/** Installs the GC observer; returns its state word ('ok', 'installed', or why it is unavailable). */
export async function installGcObserver(client: CdpClient): Promise<string> {
  // Runtime.enable reports the main context (for exit detection). In a shared connection it is on
  // already; enabling twice is harmless.
  await client.send('Runtime.enable').catch(() => undefined);
  await client.send('Runtime.addBinding', { name: GC_BINDING_NAME });
  const reply = await client.send('Runtime.evaluate', {
    expression: GC_INSTALL_EXPRESSION,
    returnByValue: true,
  });
  const state: unknown = reply.result?.value;
  return typeof state === 'string' ? state : String(state);
}

/**
 * Flushes and removes the GC observer and the binding, and stops the sampler when it was ours. All
 * at once and within `budgetMs`: what has not answered by then is left (the target may be frozen).
 */
export async function removeInstrumentation(
  client: CdpClient,
  stopSampling: (() => Promise<void>) | undefined,
  budgetMs: number,
): Promise<void> {
  const steps = [
    client
      .send('Runtime.evaluate', { expression: GC_FLUSH_EXPRESSION })
      .then(() =>
        client.send('Runtime.evaluate', { expression: GC_UNINSTALL_EXPRESSION, returnByValue: true }),
      )
      .then(() => client.send('Runtime.removeBinding', { name: GC_BINDING_NAME })),
    stopSampling?.(),
  ];
  await bounded(Promise.allSettled(steps), budgetMs).catch(() => undefined);
}
