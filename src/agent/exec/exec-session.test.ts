import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExecProcess, ExecRequest } from '../runtime.ts';
import {
  PayloadType,
  acknowledgementPayload,
  decodeAgentMessage,
  encodeAgentMessage,
  newAgentMessage,
  parseAcknowledgement,
  terminalSizePayload,
  type AgentMessage,
} from './agent-message.ts';
import { DataChannel } from './data-channel.ts';
import { runExecSession, type DataChannelSocket } from './exec-session.ts';

/** A plugin played by the test: what the agent sent, and a way to send it messages. */
class ScriptedPlugin implements DataChannelSocket {
  readonly sent: AgentMessage[] = [];
  closed = false;
  readonly #inbox: Uint8Array[] = [];
  #wake: (() => void) | undefined;
  #listeners = new Set<() => void>();
  /** Acknowledge each output_stream_data as it comes (off: the plugin is not ready yet). */
  acknowledging = true;

  send(bytes: Uint8Array): void {
    const message = decodeAgentMessage(bytes);
    this.sent.push(message);
    if (this.acknowledging && message.messageType === 'output_stream_data') {
      this.deliver(
        newAgentMessage('acknowledge', { sequenceNumber: 0, flags: 3, payload: acknowledgementPayload(message) }),
      );
    }
    for (const listener of this.#listeners) listener();
  }

  readonly messages: AsyncIterable<Uint8Array> = (async function* (self: ScriptedPlugin) {
    for (;;) {
      const next = self.#inbox.shift();
      if (next) yield next;
      else if (self.closed) return;
      else await new Promise<void>((resolve) => (self.#wake = resolve));
    }
  })(this);

  close(): void {
    this.closed = true;
    this.#wake?.();
  }

  deliver(message: AgentMessage): void {
    this.deliverRaw(encodeAgentMessage(message));
  }

  deliverRaw(bytes: Uint8Array): void {
    this.#inbox.push(bytes);
    this.#wake?.();
  }

  input(sequenceNumber: number, payloadType: number, payload: Uint8Array | string): void {
    const bytes = typeof payload === 'string' ? Buffer.from(payload) : payload;
    this.deliver(newAgentMessage('input_stream_data', { sequenceNumber, flags: 0, payloadType, payload: bytes }));
  }

  /** Resolves with the first message sent that matches (already sent, or when it is). */
  waitFor(predicate: (message: AgentMessage) => boolean): Promise<AgentMessage> {
    return new Promise((resolve) => {
      const check = (): void => {
        const found = this.sent.find(predicate);
        if (!found) return;
        this.#listeners.delete(check);
        resolve(found);
      };
      this.#listeners.add(check);
      check();
    });
  }

  output(): string {
    const chunks = this.sent.filter(
      (m) => m.messageType === 'output_stream_data' && m.payloadType === PayloadType.Output,
    );
    const unique = new Map(chunks.map((m) => [m.sequenceNumber, m.payload]));
    return Buffer.concat([...unique.values()]).toString('utf8');
  }

  /** Answers the handshake as the plugin does. */
  async shakeHands(): Promise<void> {
    await this.waitFor((m) => m.payloadType === PayloadType.HandshakeRequest);
    const response = {
      ClientVersion: '1.2.0.0',
      ProcessedClientActions: [{ ActionType: 'SessionType', ActionStatus: 1 }],
    };
    this.input(0, PayloadType.HandshakeResponse, JSON.stringify(response));
    await this.waitFor((m) => m.payloadType === PayloadType.HandshakeComplete);
  }
}

/** A process whose output the test writes, recording its input and sizes. */
function fakeProcess() {
  const written: string[] = [];
  const sizes: [number, number][] = [];
  const output: Uint8Array[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  let exit: (code: number) => void = () => {};
  const process: ExecProcess = {
    write: (data) => void written.push(Buffer.from(data).toString('utf8')),
    resize: (cols, rows) => void sizes.push([cols, rows]),
    output: (async function* () {
      for (;;) {
        const next = output.shift();
        if (next) yield next;
        else if (ended) return;
        else await new Promise<void>((resolve) => (wake = resolve));
      }
    })(),
    exited: new Promise((resolve) => (exit = resolve)),
    close: () => {
      ended = true;
      wake?.();
    },
  };
  return {
    process,
    written,
    sizes,
    print(text: string | Uint8Array) {
      output.push(typeof text === 'string' ? Buffer.from(text) : text);
      wake?.();
    },
    exit(code: number) {
      ended = true;
      wake?.();
      exit(code);
    },
  };
}

describe('runExecSession', () => {
  it('shakes hands, runs the split command, relays input in sequence order, and closes after the output is acknowledged', async () => {
    const plugin = new ScriptedPlugin();
    const fake = fakeProcess();
    const requests: ExecRequest[] = [];
    const logged: string[] = [];
    const session = runExecSession(
      plugin,
      { sessionId: 'ecs-execute-command-1', command: `sh -c 'read a b; echo "$a$b"'`, interactive: true },
      async (request) => (requests.push(request), fake.process),
      { onOutput: (chunk) => void logged.push(Buffer.from(chunk).toString()) },
    );
    await plugin.shakeHands();
    plugin.input(1, PayloadType.Size, terminalSizePayload({ cols: 90, rows: 20 }));
    // Input #3 before #2: held until #2 comes; both acknowledged on arrival.
    plugin.input(3, PayloadType.Output, 'b\r');
    plugin.input(2, PayloadType.Output, 'a ');
    plugin.input(2, PayloadType.Output, 'a '); // a repeat: acknowledged again, not written again
    await plugin.waitFor(
      (m) => m.messageType === 'acknowledge' && parseAcknowledgement(m.payload).sequenceNumber === 3,
    );
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.deepEqual(requests, [{ command: ['sh', '-c', 'read a b; echo "$a$b"'], tty: true }]);
    assert.deepEqual(fake.sizes, [[90, 20]]);
    assert.deepEqual(fake.written, ['a ', 'b\r']);
    fake.print('x'.repeat(2500));
    fake.exit(0);
    assert.deepEqual(await session, { exitCode: 0 });
    assert.equal(plugin.output(), 'x'.repeat(2500));
    assert.deepEqual(
      plugin.sent.filter((m) => m.payloadType === PayloadType.Output).map((m) => m.payload.length),
      [1024, 1024, 452],
    );
    assert.equal(logged.join(''), 'x'.repeat(2500));
    const last = plugin.sent.at(-1)!;
    assert.equal(last.messageType, 'channel_closed');
    assert.equal(JSON.parse(Buffer.from(last.payload).toString()).SessionId, 'ecs-execute-command-1');
    assert.equal(plugin.closed, true);
  });

  it('sends output again until the plugin acknowledges it, then closes', async () => {
    const plugin = new ScriptedPlugin();
    const fake = fakeProcess();
    const session = runExecSession(
      plugin,
      { sessionId: 's', command: 'true', interactive: false },
      async () => fake.process,
    );
    await plugin.shakeHands();
    plugin.acknowledging = false; // the plugin's shell handler is not ready: output is dropped
    fake.print('late');
    const first = await plugin.waitFor((m) => m.payloadType === PayloadType.Output);
    fake.exit(0);
    await plugin.waitFor((m) => m.payloadType === PayloadType.Output && m !== first); // resent after the RTO
    plugin.acknowledging = true;
    plugin.deliver(
      newAgentMessage('acknowledge', { sequenceNumber: 0, flags: 3, payload: acknowledgementPayload(first) }),
    );
    assert.deepEqual(await session, { exitCode: 0 });
    const resent = plugin.sent.filter((m) => m.messageId === first.messageId);
    assert.ok(resent.length >= 2);
    assert.equal(plugin.sent.at(-1)!.messageType, 'channel_closed');
  });

  it('ends an idle session with the timeout message, and refuses malformed messages without ending', async () => {
    const plugin = new ScriptedPlugin();
    const fake = fakeProcess();
    const session = runExecSession(
      plugin,
      { sessionId: 's', command: 'sh', interactive: false, idleTimeoutMs: 300 },
      async () => fake.process,
    );
    await plugin.shakeHands();
    const garbage = Buffer.from(
      encodeAgentMessage(
        newAgentMessage('input_stream_data', {
          sequenceNumber: 1,
          flags: 0,
          payloadType: 1,
          payload: Buffer.from('y'),
        }),
      ),
    );
    garbage[garbage.length - 1] = 0x7a; // the digest no longer matches
    plugin.deliverRaw(garbage);
    assert.deepEqual(await session, { exitCode: undefined });
    const closed = plugin.sent.at(-1)!;
    assert.equal(closed.messageType, 'channel_closed');
    assert.match(JSON.parse(Buffer.from(closed.payload).toString()).Output, /timed out due to inactivity/);
    assert.equal(fake.written.length, 0);
    const acknowledged = plugin.sent.filter((m) => m.messageType === 'acknowledge');
    assert.deepEqual(
      acknowledged.map((m) => parseAcknowledgement(m.payload).sequenceNumber),
      [0], // the handshake only
    );
  });

  it('says why when the command cannot be split or started', async () => {
    for (const [command, start, why] of [
      [`echo 'open`, async () => fakeProcess().process, /unterminated quote/],
      [
        'nope',
        async () => Promise.reject(new Error('executable file not found')),
        /Unable to start command: executable file not found/,
      ],
    ] as const) {
      const plugin = new ScriptedPlugin();
      const session = runExecSession(plugin, { sessionId: 's', command, interactive: false }, start);
      await plugin.shakeHands();
      assert.deepEqual(await session, { exitCode: undefined });
      assert.match(JSON.parse(Buffer.from(plugin.sent.at(-1)!.payload).toString()).Output, why);
    }
  });
});

describe('DataChannel', () => {
  it('keeps at most maxOutOfOrder messages ahead, and drops the rest unacknowledged', () => {
    const sent: AgentMessage[] = [];
    const channel = new DataChannel((bytes) => void sent.push(decodeAgentMessage(bytes)), { maxOutOfOrder: 2 });
    const input = (n: number) =>
      encodeAgentMessage(
        newAgentMessage('input_stream_data', {
          sequenceNumber: n,
          flags: 0,
          payloadType: 1,
          payload: Buffer.from(String(n)),
        }),
      );
    assert.deepEqual(channel.receive(input(3)), []);
    assert.deepEqual(channel.receive(input(2)), []);
    assert.deepEqual(channel.receive(input(1)), []); // no room: dropped, not acknowledged
    assert.deepEqual(
      sent.map((m) => parseAcknowledgement(m.payload).sequenceNumber),
      [3, 2],
    );
    assert.deepEqual(
      channel.receive(input(0)).map((m) => m.sequenceNumber),
      [0],
    );
    assert.deepEqual(
      channel.receive(input(1)).map((m) => m.sequenceNumber),
      [1, 2, 3],
    );
    channel.close();
  });

  it('waits for room when maxUnacknowledged messages are out', async () => {
    const sent: AgentMessage[] = [];
    const channel = new DataChannel((bytes) => void sent.push(decodeAgentMessage(bytes)), { maxUnacknowledged: 2 });
    channel.sendStream(1, Buffer.from('a'));
    channel.sendStream(1, Buffer.from('b'));
    let roomy = false;
    const room = channel.room().then(() => (roomy = true));
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.equal(roomy, false);
    channel.receive(
      encodeAgentMessage(
        newAgentMessage('acknowledge', { sequenceNumber: 0, flags: 3, payload: acknowledgementPayload(sent[0]!) }),
      ),
    );
    await room;
    assert.equal(channel.unacknowledged, 1);
    assert.equal(sent[0]!.flags, 1); // the first of the stream
    channel.close();
  });
});
