import { defineConfig } from 'vitest/config';

// The browser suite: real `hooklens serve` processes and Debian's Chromium (see e2e/harness.ts).
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // One engine and one browser per file; files run one after another on a small machine.
    fileParallelism: false,
  },
});
