import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

// The website widget's launcher (web/widget/launcher.ts): a second, separate build into
// web/dist/widget.js — one classic script (IIFE, no imports, no CSS file) that any page can load
// with a plain <script async>. Runs after the SPA's build (which empties web/dist).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: false,
    sourcemap: false,
    target: 'es2019',
    lib: {
      entry: fileURLToPath(new URL('./widget/launcher.ts', import.meta.url)),
      name: 'ChatbotWidget',
      formats: ['iife'],
      fileName: () => 'widget.js',
    },
  },
});
