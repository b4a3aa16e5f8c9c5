import { defineConfig } from 'vitest/config';

// Tools that drive the real app but are not tests of `make test`: the 100k-request figures
// (`make ui-perf`, e2e/perf.bench.ts) and the README screenshots (`make ui-screenshots`,
// e2e/docs.shots.ts). Run one by naming its file.
export default defineConfig({
  test: {
    include: ['e2e/**/*.bench.ts', 'e2e/**/*.shots.ts'],
    testTimeout: 900_000,
    hookTimeout: 600_000,
  },
});
