import {
  acknowledgementPayload,
  decodeAgentMessage,
  encodeAgentMessage,
  newAgentMessage,
  parseAcknowledgement,
  type AgentMessage,
} from './agent-message.ts';

// The agent's end of the data channel's reliable stream, as the SSM agent keeps it
// (agent/session/datachannel/datachannel.go) and the plugin expects it:
// - what we send as output_stream_data is numbered from 0 (flag 1 on the first), kept until the
//   plugin acknowledges it, and sent again when unacknowledged after the retransmission timeout
//   (the plugin drops output that arrives before its shell handler is ready, unacknowledged);
// - what the plugin sends as input_stream_data is acknowledged and delivered in sequence order:
//   later messages wait in a bounded buffer, earlier (repeated) ones are acknowledged again only.

/** Round-trip estimate as the plugin's config.go sets it: RTO starts at 200 ms, stays within 10 ms..1 s. */
const INITIAL_RTO_MS = 200;
const MAX_RTO_MS = 1000;
const CLOCK_GRANULARITY_MS = 10;
const RESEND_TICK_MS = 100;

export interface DataChannelOptions {
  /** Unacknowledged output kept at most (sendStream waits for room beyond it). */
  readonly maxUnacknowledged?: number;
  /** Input messages ahead of the next expected one kept at most; more are dropped unacknowledged. */
  readonly maxOutOfOrder?: number;
  /** Sends of one message at most before the channel gives up (onStalled). */
  readonly maxSends?: number;
  /** Called once when a message stayed unacknowledged through maxSends sends. */
  readonly onStalled?: () => void;
}

interface Outgoing {
  readonly bytes: Uint8Array;
  sentAt: number;
  sends: number;
}

export class DataChannel {
  readonly #send: (bytes: Uint8Array) => void;
  readonly #maxUnacknowledged: number;
  readonly #maxOutOfOrder: number;
  readonly #maxSends: number;
  readonly #onStalled: (() => void) | undefined;
  /** Unacknowledged output by sequence number, oldest first (Map keeps insertion order). */
  readonly #outgoing = new Map<number, Outgoing>();
  readonly #outOfOrder = new Map<number, AgentMessage>();
  readonly #waiters: (() => void)[] = [];
  #nextSequence = 0;
  #expectedSequence = 0;
  #srtt = 100;
  #rttvar = 0;
  #rto = INITIAL_RTO_MS;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #stalled = false;

  constructor(send: (bytes: Uint8Array) => void, options: DataChannelOptions = {}) {
    this.#send = send;
    this.#maxUnacknowledged = options.maxUnacknowledged ?? 1000;
    this.#maxOutOfOrder = options.maxOutOfOrder ?? 1000;
    this.#maxSends = options.maxSends ?? 300;
    this.#onStalled = options.onStalled;
  }

  get unacknowledged(): number {
    return this.#outgoing.size;
  }

  /** Sends one output_stream_data message, numbered and kept until acknowledged. */
  sendStream(payloadType: number, payload: Uint8Array): void {
    if (this.#closed) return;
    const sequenceNumber = this.#nextSequence++;
    const message = newAgentMessage('output_stream_data', {
      sequenceNumber,
      flags: sequenceNumber === 0 ? 1 : 0,
      payloadType,
      payload,
    });
    const bytes = encodeAgentMessage(message);
    this.#outgoing.set(sequenceNumber, { bytes, sentAt: performance.now(), sends: 1 });
    this.#send(bytes);
    this.#timer ??= setInterval(() => this.#resend(), RESEND_TICK_MS);
  }

  /** Sends a message outside the numbered stream (channel_closed), as the SSM agent does: sequence 0, flags 3. */
  sendControl(messageType: 'channel_closed', payload: Uint8Array, messageId?: string): void {
    if (this.#closed) return;
    const message = newAgentMessage(messageType, { sequenceNumber: 0, flags: 3, payload });
    this.#send(encodeAgentMessage(messageId ? { ...message, messageId } : message));
  }

  /** Resolves once fewer than maxUnacknowledged messages wait for acknowledgement (or the channel closed or stalled). */
  async room(): Promise<void> {
    while (!this.#closed && !this.#stalled && this.#outgoing.size >= this.#maxUnacknowledged) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** Resolves true once every message sent is acknowledged, false after `timeoutMs` or on close. */
  async flushed(timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    while (this.#outgoing.size > 0 && !this.#closed && !this.#stalled) {
      const left = deadline - performance.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(left, RESEND_TICK_MS));
        this.#waiters.push(done);
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
      });
    }
    return this.#outgoing.size === 0;
  }

  /**
   * Takes one binary message from the plugin; returns the input_stream_data messages now
   * deliverable, in sequence order. Throws AgentMessageError for a malformed message.
   */
  receive(bytes: Uint8Array): AgentMessage[] {
    const message = decodeAgentMessage(bytes);
    switch (message.messageType) {
      case 'acknowledge':
        this.#acknowledged(parseAcknowledgement(message.payload).sequenceNumber);
        return [];
      case 'input_stream_data':
        return this.#input(message);
      default:
        // start_publication, pause_publication and anything newer: nothing to do for the agent here.
        return [];
    }
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#wake();
  }

  #input(message: AgentMessage): AgentMessage[] {
    const { sequenceNumber } = message;
    if (sequenceNumber > this.#expectedSequence) {
      if (this.#outOfOrder.size >= this.#maxOutOfOrder && !this.#outOfOrder.has(sequenceNumber)) return [];
      this.#outOfOrder.set(sequenceNumber, message);
      this.#acknowledge(message);
      return [];
    }
    this.#acknowledge(message);
    if (sequenceNumber < this.#expectedSequence) return [];
    const ready = [message];
    this.#expectedSequence++;
    for (
      let next = this.#outOfOrder.get(this.#expectedSequence);
      next;
      next = this.#outOfOrder.get(this.#expectedSequence)
    ) {
      this.#outOfOrder.delete(this.#expectedSequence);
      ready.push(next);
      this.#expectedSequence++;
    }
    return ready;
  }

  #acknowledge(message: AgentMessage): void {
    if (this.#closed) return;
    const ack = newAgentMessage('acknowledge', {
      sequenceNumber: 0,
      flags: 3,
      payload: acknowledgementPayload(message),
    });
    this.#send(encodeAgentMessage(ack));
  }

  #acknowledged(sequenceNumber: number): void {
    const outgoing = this.#outgoing.get(sequenceNumber);
    if (!outgoing) return;
    this.#outgoing.delete(sequenceNumber);
    // Only first sends measure the round trip (Karn's rule); the plugin's own estimator (RFC 6298 style).
    if (outgoing.sends === 1) this.#measure(performance.now() - outgoing.sentAt);
    this.#wake();
  }

  #measure(rtt: number): void {
    this.#rttvar = 0.75 * this.#rttvar + 0.25 * Math.abs(this.#srtt - rtt);
    this.#srtt = 0.875 * this.#srtt + 0.125 * rtt;
    this.#rto = Math.min(MAX_RTO_MS, this.#srtt + Math.max(CLOCK_GRANULARITY_MS, 4 * this.#rttvar));
  }

  #resend(): void {
    if (this.#closed) return;
    const now = performance.now();
    for (const outgoing of this.#outgoing.values()) {
      if (now - outgoing.sentAt < this.#rto) continue;
      if (outgoing.sends >= this.#maxSends) {
        if (!this.#stalled) {
          this.#stalled = true;
          this.#wake();
          this.#onStalled?.();
        }
        return;
      }
      outgoing.sends++;
      outgoing.sentAt = now;
      this.#send(outgoing.bytes);
    }
  }

  #wake(): void {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }
}
