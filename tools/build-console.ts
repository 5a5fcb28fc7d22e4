// `npm run build:console [out-dir]`: the console's page built once (default dist/console-web/),
// for a console that serves it as it is (BATON_CONSOLE_ASSETS_DIR) — the container image builds
// it this way, so the image needs no Vite. `npm start` builds its own as it starts.
import { resolve } from 'node:path';
import { buildConsoleApp } from '../services/console/src/build-console-app.js';

const outDir = resolve(process.argv[2] ?? 'dist/console-web');
await buildConsoleApp(outDir);
console.log(`console page built: ${outDir}`);
