import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { WebSocket } from 'ws';
import type { CredentialSource, ExecStreamLink } from '../agent/index.ts';
import { dataChannelSocket } from './exec-websocket.ts';
import { endpointNow, type ServerEndpoint } from './server-endpoints.ts';

/** The path `berth agent` opens to join a session (the server's relay, exec-relay.ts). */
const AGENT_STREAM_PATH = '/berth/agent/exec/';

/**
 * `berth agent`'s way into an ECS Exec session: a WebSocket to the server's relay, its upgrade
 * request signed with SigV4 (service ecs) like the agent's poll and naming its container instance,
 * which the server authorizes as ecs:Poll on that instance.
 */
export function httpExecLink(options: {
  readonly endpoint: ServerEndpoint;
  readonly credentials: CredentialSource;
  readonly region: string;
  readonly cluster: string;
  readonly containerInstance: string;
}): ExecStreamLink {
  const signer = new SignatureV4({
    credentials: () => options.credentials.current(),
    region: options.region,
    service: 'ecs',
    sha256: Hash.bind(null, 'sha256'),
  });
  return async (session) => {
    const endpoint = endpointNow(options.endpoint);
    const path = `${AGENT_STREAM_PATH}${encodeURIComponent(session.sessionId)}`;
    const query = { cluster: options.cluster, containerInstance: options.containerInstance };
    const signed = await signer.sign({
      method: 'GET',
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      ...(endpoint.port ? { port: Number(endpoint.port) } : {}),
      path,
      query,
      headers: { host: endpoint.host },
    });
    const headers = { ...(signed.headers as Record<string, string>) };
    delete headers.host;
    const url = new URL(path, endpoint);
    url.protocol = endpoint.protocol === 'https:' ? 'wss:' : 'ws:';
    url.search = new URLSearchParams(query).toString();
    const ws = new WebSocket(url, { headers, handshakeTimeout: 30_000 });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_request, response) => {
        reject(new Error(`the server refused to join the session: HTTP ${response.statusCode}`));
        response.resume();
        ws.terminate();
      });
      ws.once('error', reject);
    });
    return dataChannelSocket(ws);
  };
}
