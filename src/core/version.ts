// Kept in step with package.json by hand at release; the report names the tool version that wrote it.
export const HEAPSCOPE_VERSION = '0.1.0';
