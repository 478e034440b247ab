// Builds the dashboard into crates/api/assets with fixed file names, so the API embeds them
// with include_bytes! and `cargo build` needs neither Node nor the network.
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

export default defineConfig({
  plugins: [vue()],
  base: './',
  build: {
    chunkSizeWarningLimit: 700,
    outDir: '../crates/api/assets',
    emptyOutDir: true,
    assetsDir: '',
    cssCodeSplit: false,
    rollupOptions: {
      output: {
        entryFileNames: 'app.js',
        chunkFileNames: 'app-[name].js',
        assetFileNames: 'app.[ext]',
        inlineDynamicImports: true,
      },
    },
  },
})
