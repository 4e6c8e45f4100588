#!/usr/bin/env node
// Builds the portal (web/dist) when it is missing or older than its sources, so `npm start` serves it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const dist = path.join(root, 'web/dist/index.html');
const newest = (dir) => {
  let t = 0;
  if (!fs.existsSync(dir)) return t;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(full) : fs.statSync(full).mtimeMs);
  }
  return t;
};
const sourcesChanged = () => {
  const built = fs.statSync(dist).mtimeMs;
  return [path.join(root, 'web/src'), path.join(root, 'web/index.html')].some((p) =>
    fs.existsSync(p) && (fs.statSync(p).isDirectory() ? newest(p) : fs.statSync(p).mtimeMs) > built,
  );
};
if (fs.existsSync(dist) && !sourcesChanged()) process.exit(0);
console.log('building the portal (web/dist)…');
const result = spawnSync(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
