import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../shared/clock.ts';

/** Where a session's output is logged (the cluster's executeCommandConfiguration), if anywhere. */
export interface ExecSessionLog {
  readonly group: string;
  readonly stream: string;
}

/** One ECS Exec session, as ExecuteCommand opened it (docs/agent-channel.md: the agent hears of it). */
export interface ExecSession {
  readonly sessionId: string;
  readonly cluster: string;
  readonly taskArn: string;
  readonly containerName: string;
  readonly containerArn: string;
  readonly command: string;
  readonly interactive: boolean;
  /** The container's runtime id: SSM names the session's target by it. */
  readonly containerRuntimeId: string;
  /** Which agent runs it: a container instance id, or MANAGED_CAPACITY. */
  readonly agentKey: string;
  readonly log?: ExecSessionLog | undefined;
  /** Who opened it (the caller of ExecuteCommand). */
  readonly principalArn: string;
  readonly createdAt: Date;
  /** The token and the agent's connection are good until then; a session neither side joined ends there. */
  readonly expiresAt: Date;
}

/** What ExecuteCommand asks for: the session less what opening it decides. */
export type ExecSessionSpec = Omit<ExecSession, 'sessionId' | 'createdAt' | 'expiresAt' | 'log'> & {
  readonly logGroup?: string | undefined;
};

interface Entry {
  readonly session: ExecSession;
  readonly tokenHash: Buffer;
  tokenUsed: boolean;
  agentJoined: boolean;
}

/**
 * The sessions ExecuteCommand opened, in this server's memory (not shared between servers yet):
 * each has a one-use token the Session Manager plugin presents (bound to the session, expiring),
 * and is listed to its agent until the agent joins it. A session is forgotten once both sides
 * joined (the relay holds it from then on), when it ends, or when it expires.
 */
export class ExecSessions {
  readonly #clock: Clock;
  readonly #joinWithinMs: number;
  readonly #entries = new Map<string, Entry>();

  constructor(clock: Clock, options: { readonly joinWithinMs?: number } = {}) {
    this.#clock = clock;
    this.#joinWithinMs = options.joinWithinMs ?? 60_000;
  }

  /** Opens a session; the token is returned once and kept only as a hash. */
  open(spec: ExecSessionSpec): { session: ExecSession; token: string } {
    this.#prune();
    const now = this.#clock.now();
    // ECS's form: ecs-execute-command-<hex>.
    const sessionId = `ecs-execute-command-${randomBytes(9).toString('hex')}`;
    const token = randomBytes(32).toString('base64url');
    const { logGroup, ...rest } = spec;
    const session: ExecSession = {
      ...rest,
      sessionId,
      // ECS names the stream after the session.
      ...(logGroup !== undefined ? { log: { group: logGroup, stream: sessionId } } : {}),
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.#joinWithinMs),
    };
    this.#entries.set(sessionId, { session, tokenHash: hash(token), tokenUsed: false, agentJoined: false });
    return { session, token };
  }

  /** The plugin's OpenDataChannelInput: its token, once, before the session expires. */
  redeemToken(sessionId: string, token: string): ExecSession | undefined {
    const entry = this.#live(sessionId);
    if (!entry || entry.tokenUsed || !timingSafeEqual(entry.tokenHash, hash(token))) return undefined;
    entry.tokenUsed = true;
    this.#forgetIfJoined(entry);
    return entry.session;
  }

  /** The agent that runs the session's task joins it, once. */
  joinAgent(sessionId: string, agentKey: string): ExecSession | undefined {
    const entry = this.#live(sessionId);
    if (!entry || entry.agentJoined || entry.session.agentKey !== agentKey) return undefined;
    entry.agentJoined = true;
    this.#forgetIfJoined(entry);
    return entry.session;
  }

  /** The sessions an agent has yet to join (level-triggered: listed in every poll until it joins). */
  pending(agentKey: string): ExecSession[] {
    this.#prune();
    return [...this.#entries.values()]
      .filter((entry) => !entry.agentJoined && entry.session.agentKey === agentKey)
      .map((entry) => entry.session);
  }

  /** Forgets a session (its relay ended it, or it was terminated); resolves whether one side had yet to join. */
  end(sessionId: string): boolean {
    return this.#entries.delete(sessionId);
  }

  #live(sessionId: string): Entry | undefined {
    const entry = this.#entries.get(sessionId);
    if (!entry) return undefined;
    if (entry.session.expiresAt.getTime() <= this.#clock.now().getTime()) {
      this.#entries.delete(sessionId);
      return undefined;
    }
    return entry;
  }

  #forgetIfJoined(entry: Entry): void {
    if (entry.tokenUsed && entry.agentJoined) this.#entries.delete(entry.session.sessionId);
  }

  #prune(): void {
    const now = this.#clock.now().getTime();
    for (const [id, entry] of this.#entries) if (entry.session.expiresAt.getTime() <= now) this.#entries.delete(id);
  }
}

function hash(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
