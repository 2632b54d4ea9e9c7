// Placeholder worker entry; replaced by the heap snapshot engine.
export {};
