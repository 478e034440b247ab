// Builds the dashboard into crates/api/assets, which the API embeds (see crates/api/build.rs), so
// `cargo build` needs neither Node nor the network. index.html refers to its script and style by
// relative URLs (`./assets/…`), so the page works under any path prefix, e.g. API Gateway's
// stage (`/prod/`). The script and style carry a content hash in their names (the server lets
// browsers cache them for a year) and get precompressed copies next to them (precompress.js).
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import precompress from './precompress.js'

export default defineConfig({
  plugins: [vue(), precompress()],
  base: './',
  build: {
    chunkSizeWarningLimit: 700,
    outDir: '../crates/api/assets',
    emptyOutDir: true,
    assetsDir: 'assets',
    cssCodeSplit: false,
    rollupOptions: {
      output: {
        entryFileNames: 'assets/app-[hash].js',
        chunkFileNames: 'assets/app-[name]-[hash].js',
        assetFileNames: 'assets/app-[hash].[ext]',
        inlineDynamicImports: true,
      },
    },
  },
  test: {
    include: ['src/**/*.test.js'],
  },
})
