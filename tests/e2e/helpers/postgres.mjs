// A private PostgreSQL 15 for one node test process, through tests/support/postgres-server.sh
// (the same helper the C++ tests use). The server is stopped and its folder removed when this
// process exits in any way: the helper watches its stdin pipe, which closes with us.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '../../support/postgres-server.sh');

let shared = null;
let dbCount = 0;

// Starts the server (once per process) and resolves to { url, freshDatabase(), kill(), revive() }.
export function startPostgres() {
  if (shared) return shared;
  shared = new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', [SCRIPT], { stdio: ['pipe', 'pipe', 'inherit'] });
    child.unref(); // the pipe, not this handle, decides the helper's lifetime
    const lines = createInterface({ input: child.stdout });
    const waiting = [];
    lines.on('line', (line) => waiting.shift()?.(line));
    const next = () => new Promise((r) => waiting.push(r));
    const command = async (cmd, expect) => {
      const answer = next();
      child.stdin.write(`${cmd}\n`);
      const line = await answer;
      if (line !== expect) throw new Error(`postgres helper ${cmd}: ${line}`);
    };
    next().then((line) => {
      if (!line.startsWith('ready ')) return reject(new Error(`postgres helper: ${line}`));
      const url = line.slice(6);
      const base = url.slice(0, url.lastIndexOf('/') + 1);
      resolve({
        url,
        // A new empty database on this server, by URL (created with the psql next to initdb).
        async freshDatabase() {
          const name = `e${process.pid}_${++dbCount}`;
          await new Promise((ok, fail) => {
            const psql = spawn('/usr/lib/postgresql/15/bin/psql',
              [url, '-qAtc', `CREATE DATABASE ${name} TEMPLATE template0 STRATEGY file_copy`],
              { stdio: ['ignore', 'ignore', 'inherit'] });
            psql.on('exit', (code) => (code === 0 ? ok() : fail(new Error(`createdb: ${code}`))));
          });
          return base + name;
        },
        kill: () => command('stop', 'stopped'),
        revive: () => command('start', 'started'),
        stop() { child.stdin.end(); },
      });
    }, reject);
    child.on('exit', (code) => reject(new Error(`postgres helper exited with ${code}`)));
  });
  return shared;
}
