import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import { fileURLToPath } from 'node:url';

// The API listens on 127.0.0.1 by default (HOST): name it, since `localhost` may resolve to ::1 first.
const apiTarget = 'http://127.0.0.1:3000';

// The SPA is served by the API server in production (server/dist serves web/dist); in development
// Vite proxies the API so cookies stay same-origin.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [vue()],
  server: {
    port: 5173,
    proxy: {
      '/api': { target: apiTarget, changeOrigin: false },
      '/healthz': apiTarget,
      '/readyz': apiTarget,
    },
  },
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
  },
});
