import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// `npm run dev` proxies the API to a running `hooklens serve` (HOOKLENS_API, default :4781).
const api = process.env.HOOKLENS_API ?? 'http://127.0.0.1:4781';

export default defineConfig({
  plugins: [svelte()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // No inline script or style: the engine's Content-Security-Policy forbids both.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: 'es2022',
  },
  server: {
    proxy: {
      '/api': { target: api, changeOrigin: true },
      '/login': { target: api, changeOrigin: true },
      '/favicon.svg': { target: api, changeOrigin: true },
    },
  },
  test: {
    include: ['src/**/*.test.ts'],
  },
});
