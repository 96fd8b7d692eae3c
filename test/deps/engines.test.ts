/**
 * Every package the lock file installs for production runs on the Node.js this project supports (package.json
 * `engines`): `npm ci` warns of nothing, and nothing in use relies on a newer runtime.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

// npm's own range semantics (semver is installed with the dev tools); typed here for the two calls used.
const semver = createRequire(import.meta.url)('semver') as {
  minVersion(range: string): { version: string } | null;
  satisfies(version: string, range: string): boolean;
};

interface LockPackage {
  version?: string;
  dev?: boolean;
  engines?: { node?: string };
}

test('each runtime dependency in package-lock.json supports the oldest Node.js we run on', () => {
  const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } };
  const oldest = semver.minVersion(manifest.engines.node)!.version;
  const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
    packages: Record<string, LockPackage>;
  };
  const refusing = Object.entries(lock.packages)
    .filter(([path, p]) => path !== '' && !p.dev && p.engines?.node !== undefined)
    .filter(([, p]) => !semver.satisfies(oldest, p.engines!.node!))
    .map(
      ([path, p]) => `${path.replace(/^.*node_modules\//, '')}@${p.version} wants node ${p.engines!.node}`,
    );
  assert.deepEqual(refusing, [], `Node ${oldest}`);
});
