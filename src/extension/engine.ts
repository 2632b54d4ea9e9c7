// The engine pieces the extension uses, in one place: the MemorySession, reopening recordings, and
// target discovery — all from src/core. The extension adds no second implementation of any of them.
import { listInspectors, listNodeProcesses } from '../core/inspector';
import { createMemorySession, openRecording as openRecordedSession } from '../core/session';
import type { MemorySessionApi } from '../core/session/api';
import type { TargetDiscovery } from './startCommand';

export { createMemorySession };

export const openRecording = (dir: string): Promise<MemorySessionApi> => openRecordedSession(dir);

export const discovery: TargetDiscovery = {
  listInspectors: (signal) => listInspectors({ signal }),
  listNodeProcesses: (signal) => listNodeProcesses(signal),
};
