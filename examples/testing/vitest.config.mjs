// Runs only the vitest example (the repository's own tests are mocha's).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { root: import.meta.dirname, include: ['vitest.test.mjs'] },
});
