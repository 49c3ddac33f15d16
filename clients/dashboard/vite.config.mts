import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * The operators' dashboard, served by the service at /dashboard/ (src/dashboard/). Hashed file
 * names under assets/ are cached for a year; index.html is revalidated. No inline script or
 * style is emitted (the Content-Security-Policy allows only 'self'), and the module-preload
 * polyfill (an inline script in older Vite) is off: every supported browser preloads modules.
 */
export default defineConfig({
  root,
  base: '/dashboard/',
  publicDir: false,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: 'es2022',
    rollupOptions: {
      // React Router marks its modules "use client" for server-component bundlers; meaningless in a browser bundle.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  server: { host: '127.0.0.1' },
});
