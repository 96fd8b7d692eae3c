import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Built into web/dist, which `fraudwatch serve` serves at `/`; everything is bundled (no CDN, no web fonts).
export default defineConfig({
  root: new URL('.', import.meta.url).pathname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/health': 'http://127.0.0.1:8080',
      '/metrics': 'http://127.0.0.1:8080',
    },
  },
});
