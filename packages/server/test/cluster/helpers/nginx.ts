import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../../helpers/wait-for.js';
import { freePort, type ClusterNode } from './cluster.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../..');
/** The sample configuration the README tells people to use: the tests run that very file. */
export const SAMPLE_CONFIG = path.join(root, 'deploy/nginx/salon.conf');
const NGINX = '/usr/sbin/nginx';

export interface Balancer {
  /** http://127.0.0.1:PORT */
  url: string;
  wsUrl: string;
  close(): Promise<void>;
}

/**
 * Debian's nginx in front of the nodes n1..n3 with deploy/nginx/salon.conf, its node addresses
 * and listen port replaced by this test's. Runs in the foreground in a temp prefix.
 */
export async function startNginx(nodes: readonly ClusterNode[]): Promise<Balancer> {
  if (!fs.existsSync(NGINX))
    throw new Error(`${NGINX} is missing: install it with  apt-get install -y nginx`);
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'salon-nginx-'));
  // nginx's workers run as nobody: they write their temp files here.
  fs.chmodSync(dir, 0o777);
  let conf = fs.readFileSync(SAMPLE_CONFIG, 'utf8');
  conf = conf
    .replace(/listen \[::\]:8080;\n/, '')
    .replace('listen 8080;', `listen 127.0.0.1:${String(port)};`);
  for (const node of nodes) {
    const n = Number(node.name.replace(/^n/, ''));
    conf = conf.replaceAll(`127.0.0.1:${String(3000 + n)}`, `127.0.0.1:${String(node.port)}`);
  }
  fs.writeFileSync(path.join(dir, 'salon.conf'), conf);
  fs.writeFileSync(
    path.join(dir, 'nginx.conf'),
    `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  include ${dir}/salon.conf;
}
`,
  );
  const child = spawn(NGINX, ['-p', dir, '-c', path.join(dir, 'nginx.conf')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${String(port)}`;
  await waitFor(
    'nginx answering',
    async () => {
      if (child.exitCode !== null) throw new Error(`nginx exited: ${stderr}`);
      try {
        return (await fetch(`${url}/healthz`)).status === 200;
      } catch {
        return false;
      }
    },
    10_000,
    50,
  );
  return {
    url,
    wsUrl: `ws://127.0.0.1:${String(port)}`,
    async close() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
