import { defineConfig } from 'vitest/config';

// Screenshots for the README (`make ui-shots`): not part of `make test`; they drive the same
// harness as the browser suite and write PNGs under docs/.
export default defineConfig({
  test: {
    include: ['e2e/**/*.shots.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
