// Bundles the example with esbuild (no CDN: everything comes from node_modules), or serves it.
//
//   PASSGATE_PROJECT_ID=P2… node build.mjs           writes www/build/app.js
//   PASSGATE_PROJECT_ID=P2… node build.mjs --serve   serves www/ on http://localhost:$PORT,
//                                                    rebuilding the bundle when src/ changes
// Environment: PASSGATE_PROJECT_ID (required: the project ID `scripts/serve` printed),
// PASSGATE_URL (passgate's base URL, default http://localhost:4000), PORT (default 5173).
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = fileURLToPath(new URL('.', import.meta.url));
const projectId = process.env.PASSGATE_PROJECT_ID;
const baseUrl = process.env.PASSGATE_URL || 'http://localhost:4000';
const port = Number(process.env.PORT || 5173);

if (!projectId) {
  console.error('Set PASSGATE_PROJECT_ID to the project ID that scripts/serve printed, e.g.');
  console.error('  PASSGATE_PROJECT_ID=P2… npm start');
  process.exit(1);
}

const options = {
  absWorkingDir: here,
  entryPoints: ['src/main.jsx'],
  outfile: 'www/build/app.js',
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2020',
  jsx: 'automatic',
  minify: true,
  logLevel: 'warning',
  define: {
    'process.env.NODE_ENV': '"production"',
    'process.env.PASSGATE_PROJECT_ID': JSON.stringify(projectId),
    'process.env.PASSGATE_URL': JSON.stringify(baseUrl),
  },
};

if (process.argv.includes('--serve')) {
  const context = await esbuild.context(options);
  await context.serve({ servedir: `${here}www`, host: '127.0.0.1', port });
  console.log(`react-otp example: http://localhost:${port}/  (passgate ${baseUrl}, project ${projectId})`);
} else {
  await esbuild.build(options);
  console.log('built www/build/app.js; serve www/ with any static server');
}
