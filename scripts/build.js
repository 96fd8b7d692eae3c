// `npm run build`: compiles src/ and bench/ into dist/, copies what the compiled code reads beside it (the
// shipped rules, the built dashboard, the benches' scripts) and stamps the build with its inputs' newest modification time, which
// bin/fraudwatch.js compares before it runs dist/.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STAMP_FILE, newestInputMs } from '../bin/compiled-build.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// taken before compiling: an edit made while tsc runs leaves the build stale, never falsely fresh
const newest = newestInputMs(root);
rmSync(join(root, 'dist'), { recursive: true, force: true });
const tsc = spawnSync(
  process.execPath,
  [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
cpSync(join(root, 'rules'), join(root, 'dist/rules'), { recursive: true });
// the benches' non-TypeScript companions (wrk's Lua script, the scikit-learn peer) sit beside their modules
for (const name of readdirSync(join(root, 'bench')))
  if (!name.endsWith('.ts')) cpSync(join(root, 'bench', name), join(root, 'dist/bench', name));
if (existsSync(join(root, 'web/dist'))) {
  mkdirSync(join(root, 'dist/web'), { recursive: true });
  cpSync(join(root, 'web/dist'), join(root, 'dist/web/dist'), { recursive: true });
} else {
  process.stderr.write(
    'build: web/dist is missing (npm run build:web); the compiled serve will have no dashboard\n',
  );
}
writeFileSync(join(root, STAMP_FILE), JSON.stringify({ newest_input_ms: newest }) + '\n');
