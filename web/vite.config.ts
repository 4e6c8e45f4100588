import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The config lives in web/ but is run from the repository root
// (`vite build --config web/vite.config.ts`), so every path is anchored here.
const webRoot = fileURLToPath(new URL('.', import.meta.url));

// TIANSHU_API lets a developer point the dev proxy at a server on another port
// (e.g. a throw-away node started with --port 3900) without editing this file.
const apiTarget = process.env.TIANSHU_API ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: webRoot,
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    // antd alone is ~1 MB minified; warn only on something clearly wrong.
    chunkSizeWarningLimit: 1500,
    rolldownOptions: {
      output: {
        // Long-lived vendor chunks: they change far less often than the portal's own code, so
        // browsers keep them cached across portal releases. The SM2/SM3 code is left to the
        // default splitting so that it stays inside the lazily loaded ledger page.
        codeSplitting: {
          groups: [
            { name: 'vendor-react', test: /node_modules[\\/](react|react-dom|react-router|react-router-dom|scheduler)[\\/]/ },
            { name: 'vendor-antd', test: /node_modules[\\/](antd|@ant-design|@rc-component|rc-[^\\/]+|dayjs|@babel[\\/]runtime|clsx|classnames)[\\/]/ },
          ],
        },
      },
    },
  },
  server: {
    proxy: {
      '/api': { target: apiTarget, changeOrigin: false },
    },
  },
});
