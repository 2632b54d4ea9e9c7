// The one way faces get a session: a launched command is observed as the process tree it starts
// (treeSession.ts); any other target is one process (memorySession.ts).
import type { MemorySessionApi, SessionOptions } from './api';
import { MemorySession } from './memorySession';
import { TreeSession } from './treeSession';

export function createMemorySession(options: SessionOptions): MemorySessionApi {
  return options.target.kind === 'launch' ? new TreeSession(options) : new MemorySession(options);
}
