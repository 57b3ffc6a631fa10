import { resolve } from 'node:path';
import { defineConfig } from 'vite';

/**
 * The web application's build. Preact through Vite's own JSX transform (no framework plugin), Monaco
 * and Chart.js bundled (the app needs no network beyond its server), Monaco's workers as `?worker`
 * modules. `npm run editor:dev` proxies the API to FRAUDGUARD_API (default http://127.0.0.1:8080).
 */
const root = import.meta.dirname;
const api = process.env['FRAUDGUARD_API'] ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root,
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: resolve(root, 'dist'),
    emptyOutDir: true,
    // Monaco is one large chunk by nature; it is loaded only on the rule editor's screens.
    chunkSizeWarningLimit: 5000,
    reportCompressedSize: false,
  },
  worker: { format: 'es' },
  server: {
    port: 5173,
    // The JSON Schema lives in rules/ at the repository root, outside the app's folder.
    fs: { allow: [resolve(root, '..')] },
    proxy: {
      '/v1': {
        target: api,
        changeOrigin: true,
        // The API refuses cookie-signed changes from another origin; through the proxy the page is same-origin in spirit.
        configure: (proxy) => proxy.on('proxyReq', (req) => { req.removeHeader('origin'); }),
      },
    },
  },
});
