import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { channelClosedMessage } from '../agent/index.ts';
import type { ExecSessions } from '../ecs/index.ts';
import type { Logger } from '../shared/logger.ts';

/** The path of a session's stream, as the streamUrl names it: the Session Manager plugin opens it. */
export const PLUGIN_STREAM_PATH = '/berth/exec/data-channel/';
/** The path the agent running the task opens to join the session (SigV4-signed). */
export const AGENT_STREAM_PATH = '/berth/agent/exec/';

/** One end of a session's relay: the plugin's WebSocket, or the agent's (over the network or in process). */
export interface RelayEnd {
  send(data: Buffer): void;
  close(code?: number, reason?: string): void;
}

export interface ExecRelayOptions {
  readonly sessions: ExecSessions;
  readonly log: Logger;
  /**
   * Decides an agent's upgrade (its SigV4 signature, ecs:Poll on its container instance): resolves
   * with the agent's key (its instance id), or throws an error carrying `status` and `message`.
   */
  readonly authorizeAgent: (request: IncomingMessage) => Promise<string>;
  /** How long one side waits for the other (the agent hears of the session at its next poll). */
  readonly pairWithinMs?: number;
  /** How long the plugin has to send its OpenDataChannelInput. */
  readonly openWithinMs?: number;
  /** The most one side may send before the other joined; past it the session ends. */
  readonly maxBufferedBytes?: number;
  /** Both sides joined: the session is Connected. */
  readonly onConnected?: (sessionId: string) => void;
  /** The session ended (either side closed, it timed out, or it was terminated); `connected`: both had joined. */
  readonly onEnded?: (sessionId: string, ended: { readonly connected: boolean }) => void;
}

interface Pair {
  plugin?: RelayEnd;
  agent?: RelayEnd;
  readonly pending: { plugin: Buffer[]; agent: Buffer[] };
  buffered: number;
  readonly timer: NodeJS.Timeout;
  ended: boolean;
  connected: boolean;
}

/**
 * ECS Exec's stream endpoint: a relay, not a party to the data channel protocol. The plugin opens
 * the session's streamUrl and sends OpenDataChannelInput with the session's one-use token; the
 * agent running the task joins the same session; then every frame one sends, the other receives,
 * and one side closing closes the other. What a side sends before the other has joined is held, up
 * to a bound; a side nobody joins is closed after `pairWithinMs`.
 */
export class ExecRelay {
  readonly #options: ExecRelayOptions;
  readonly #wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  readonly #pairs = new Map<string, Pair>();

  constructor(options: ExecRelayOptions) {
    this.#options = options;
  }

  /** The front door's upgrade route: resolves with the operation's name, or undefined for other paths. */
  async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer, path: string): Promise<string | undefined> {
    if (path.startsWith(PLUGIN_STREAM_PATH)) {
      const sessionId = decodeURIComponent(path.slice(PLUGIN_STREAM_PATH.length));
      this.#wss.handleUpgrade(request, socket, head, (ws) => this.#acceptPlugin(sessionId, ws));
      return 'ExecuteCommandStream';
    }
    if (path.startsWith(AGENT_STREAM_PATH)) {
      const sessionId = decodeURIComponent(path.slice(AGENT_STREAM_PATH.length));
      let agentKey: string;
      try {
        agentKey = await this.#options.authorizeAgent(request);
      } catch (error) {
        const { status = 403, message = 'denied' } = error as { status?: number; message?: string };
        refuse(socket, status, message);
        return 'JoinExecuteCommandSession';
      }
      const session = this.#options.sessions.joinAgent(sessionId, agentKey);
      if (!session) {
        refuse(socket, 404, 'no such session waiting for this agent');
        return 'JoinExecuteCommandSession';
      }
      this.#wss.handleUpgrade(request, socket, head, (ws) => this.#attach(session.sessionId, 'agent', wsEnd(ws), ws));
      return 'JoinExecuteCommandSession';
    }
    return undefined;
  }

  /**
   * Managed capacity's agent joins in process: `deliver` receives what the plugin sends; the
   * returned end is what the agent sends and closes through.
   */
  joinInProcess(sessionId: string, agentKey: string, deliver: RelayEnd): RelayEnd | undefined {
    if (!this.#options.sessions.joinAgent(sessionId, agentKey)) return undefined;
    const pair = this.#pairOf(sessionId);
    const receive = this.#attachEnd(sessionId, pair, 'agent', deliver);
    return {
      send: (data) => receive(data),
      close: () => this.#end(sessionId, pair),
    };
  }

  /**
   * TerminateSession: the plugin is told channel_closed (it exits, as when SSM ends a session),
   * then both sides are closed. A session still waiting for a side is forgotten: its token and
   * its agent's listing end. Resolves with whether the session was live here.
   */
  terminate(sessionId: string): boolean {
    const waiting = this.#options.sessions.end(sessionId);
    const pair = this.#pairs.get(sessionId);
    if (!pair) return waiting;
    pair.plugin?.send(Buffer.from(channelClosedMessage(sessionId)));
    this.#end(sessionId, pair, 1000, 'the session was terminated');
    return true;
  }

  /** Closes every session (the server is stopping). */
  close(): void {
    for (const [id, pair] of this.#pairs) this.#end(id, pair, 1001, 'the server is stopping');
    this.#wss.close();
  }

  #acceptPlugin(sessionId: string, ws: WebSocket): void {
    const timer = setTimeout(() => ws.close(1008, 'no OpenDataChannelInput'), this.#options.openWithinMs ?? 10_000);
    ws.once('message', (data, isBinary) => {
      clearTimeout(timer);
      const token = isBinary ? undefined : tokenOf(data);
      const session = token === undefined ? undefined : this.#options.sessions.redeemToken(sessionId, token);
      if (!session) {
        this.#options.log.warn({ sessionId }, 'execute command stream: token refused');
        ws.close(1008, 'the token is not valid for this session');
        return;
      }
      this.#attach(sessionId, 'plugin', wsEnd(ws), ws);
    });
    ws.once('close', () => clearTimeout(timer));
  }

  #attach(sessionId: string, role: 'plugin' | 'agent', end: RelayEnd, ws: WebSocket): void {
    const pair = this.#pairOf(sessionId);
    const receive = this.#attachEnd(sessionId, pair, role, end);
    ws.on('message', (data) => receive(toBuffer(data)));
    ws.on('close', () => this.#end(sessionId, pair));
    ws.on('error', () => this.#end(sessionId, pair));
  }

  /** Attaches one side; returns what it sends through. */
  #attachEnd(sessionId: string, pair: Pair, role: 'plugin' | 'agent', end: RelayEnd): (data: Buffer) => void {
    pair[role] = end;
    const peer = role === 'plugin' ? 'agent' : 'plugin';
    if (pair.plugin && pair.agent) {
      clearTimeout(pair.timer);
      for (const data of pair.pending.plugin.splice(0)) pair.plugin.send(data);
      for (const data of pair.pending.agent.splice(0)) pair.agent.send(data);
      pair.buffered = 0;
      pair.connected = true;
      this.#options.log.info({ sessionId }, 'execute command session connected');
      this.#options.onConnected?.(sessionId);
    }
    return (data) => {
      if (pair.ended) return;
      const target = pair[peer];
      if (target) return target.send(data);
      pair.pending[peer].push(data);
      pair.buffered += data.length;
      if (pair.buffered > (this.#options.maxBufferedBytes ?? 1 << 20)) this.#end(sessionId, pair, 1011, 'buffer full');
    };
  }

  #pairOf(sessionId: string): Pair {
    let pair = this.#pairs.get(sessionId);
    if (!pair) {
      const timer = setTimeout(() => {
        this.#options.log.warn({ sessionId }, 'execute command session: the other side never joined');
        this.#end(sessionId, pair!, 1011, 'the other side of the session never connected');
      }, this.#options.pairWithinMs ?? 30_000);
      pair = { pending: { plugin: [], agent: [] }, buffered: 0, timer, ended: false, connected: false };
      this.#pairs.set(sessionId, pair);
    }
    return pair;
  }

  #end(sessionId: string, pair: Pair, code = 1000, reason = ''): void {
    if (pair.ended) return;
    pair.ended = true;
    clearTimeout(pair.timer);
    this.#pairs.delete(sessionId);
    this.#options.sessions.end(sessionId);
    pair.plugin?.close(code, reason);
    pair.agent?.close(code, reason);
    this.#options.log.info({ sessionId }, 'execute command session closed');
    this.#options.onEnded?.(sessionId, { connected: pair.connected });
  }
}

function wsEnd(ws: WebSocket): RelayEnd {
  return {
    send: (data) => ws.send(data, { binary: true }),
    close: (code, reason) => ws.close(code, reason),
  };
}

function tokenOf(data: RawData): string | undefined {
  try {
    const input = JSON.parse(toBuffer(data).toString('utf8')) as { TokenValue?: unknown };
    return typeof input.TokenValue === 'string' ? input.TokenValue : undefined;
  } catch {
    return undefined;
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

function refuse(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ message });
  socket.end(
    `HTTP/1.1 ${status} ${status === 404 ? 'Not Found' : 'Forbidden'}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
