// bench/https.ts's reference: nginx terminating TLS with the same certificate, key and security
// policy as the Berth listener, proxying to the same targets.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { ListenerPolicy } from './https-berth.ts';
import { cleanups, type Endpoint } from './proxy-processes.ts';

export interface TlsNginxSetup {
  readonly port: number;
  readonly certFile: string;
  readonly keyFile: string;
  readonly policy: ListenerPolicy;
  readonly targets: readonly Endpoint[];
}

const READY_WITHIN_MS = 15_000;

/** The nginx.conf: one worker, TLS as the policy says (server order), a keepalive upstream. */
export function tlsNginxConf(prefix: string, setup: TlsNginxSetup): string {
  // OpenSSL takes TLS 1.3 suites apart from the TLS 1.2 cipher list (ELB lists both as ciphers).
  const suites = setup.policy.ciphers.filter((cipher) => cipher.startsWith('TLS_'));
  const ciphers = setup.policy.ciphers.filter((cipher) => !cipher.startsWith('TLS_'));
  const servers = setup.targets.map((target) => `    server ${target.address}:${target.port};`).join('\n');
  return `daemon off;
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log stderr warn;
events { worker_connections 4096; }
http {
  access_log off;
  # Like Berth (and ALB), no cap on the requests a client connection may carry.
  keepalive_requests 1000000;
  client_body_temp_path ${prefix}/body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  upstream targets {
${servers}
    keepalive 64;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:${setup.port} ssl;
    ssl_certificate ${setup.certFile};
    ssl_certificate_key ${setup.keyFile};
    # ${setup.policy.name}, as DescribeSSLPolicies describes it.
    ssl_protocols ${setup.policy.protocols.join(' ')};
    ssl_ciphers ${ciphers.join(':')};
    ssl_conf_command Ciphersuites ${suites.join(':')};
    ssl_prefer_server_ciphers on;
    location / {
      proxy_pass http://targets;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto https;
      proxy_set_header X-Forwarded-Port ${setup.port};
    }
  }
}
`;
}

/** Starts nginx with tlsNginxConf (stopped on exit) and resolves once its TLS port accepts connections. */
export async function startTlsNginx(nginx: string, work: string, setup: TlsNginxSetup): Promise<ChildProcess> {
  const prefix = join(work, 'nginx-tls');
  mkdirSync(prefix, { recursive: true });
  writeFileSync(join(prefix, 'nginx.conf'), tlsNginxConf(prefix, setup));
  const child = spawn(nginx, ['-p', prefix, '-c', join(prefix, 'nginx.conf')], { stdio: 'inherit' });
  // SIGTERM: nginx's master stops its worker (SIGKILL would leave the worker running).
  cleanups.push(() => child.kill('SIGTERM'));
  const deadline = Date.now() + READY_WITHIN_MS;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(setup.port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return child;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error('nginx did not start (see its error above)');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
