// The session: one MemorySession per observed target, recordings on disk, read-only reopening.
export { MemorySession, createMemorySession } from './memorySession';
export { openRecording, RecordedSession } from './recordedSession';
export { readRecording, RecordingWriter, EVENTS_FILE, META_FILE, REPORT_FILE } from './recording';
export type { RecordingData, RecordingLine, RecordingMeta } from './recording';
export type * from './api';
