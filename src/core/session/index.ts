// The session: one MemorySession per observed target, recordings on disk, read-only reopening.
export { MemorySession } from './memorySession';
export { createMemorySession } from './createSession';
export { TreeSession } from './treeSession';
export { openRecording, RecordedSession } from './recordedSession';
export { readRecording, RecordingWriter, EVENTS_FILE, META_FILE, REPORT_FILE } from './recording';
export type { RecordingData, RecordingLine, RecordingMeta } from './recording';
export type * from './api';
