import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  AgentMessageError,
  MAX_PAYLOAD_BYTES,
  PAYLOAD_OFFSET,
  PayloadType,
  acknowledgementPayload,
  channelClosedMessage,
  decodeAgentMessage,
  encodeAgentMessage,
  parseAcknowledgement,
  parseHandshakeResponse,
  parseTerminalSize,
  terminalSizePayload,
  type AgentMessage,
} from './agent-message.ts';

// Sent by session-manager-plugin 1.2.0.0 (/work/shared/tools) to runExecSession, captured off the socket.
const CAPTURED = {
  // input_stream_data #0: the HandshakeResponse to our SessionType request.
  handshakeResponse:
    '00000074696e7075745f73747265616d5f6461746120202020202020202020202020202000000001000001a23dfd80f100000000000000000000000000000000863e16be9f7259a86bc65456ba7e4ad02004d04ad8209c74502be0483e137a249199ff8258766dfd64644ec06ddbf66a00000006000000917b22436c69656e7456657273696f6e223a22312e322e302e30222c2250726f636573736564436c69656e74416374696f6e73223a5b7b22416374696f6e54797065223a2253657373696f6e54797065222c22416374696f6e537461747573223a312c22416374696f6e526573756c74223a6e756c6c2c224572726f72223a22227d5d2c224572726f7273223a6e756c6c7d',
  // input_stream_data #1: its terminal's size.
  size: '00000074696e7075745f73747265616d5f6461746120202020202020202020202020202000000001000001a23dfd80f900000000000000010000000000000000aad6c87e7f76b4680cdbac9e0ac04fa2d53ca1ea7dce87c11432052a8550ed2615cf715ca843c89710ed83325b691cba00000003000000157b22636f6c73223a38302c22726f7773223a32347d',
  // The acknowledgement of our output_stream_data #0.
  acknowledge:
    '0000007461636b6e6f776c6564676520202020202020202020202020202020202020202000000001000001a23dfd80f100000000000000000000000000000003ac23efbcc36f1351799376bf9a524130a21b95f66e6274ea7439680ac305c582e517f63cf4eea1f5961195e732b5cb7b00000000000000b07b2241636b6e6f776c65646765644d65737361676554797065223a226f75747075745f73747265616d5f64617461222c2241636b6e6f776c65646765644d6573736167654964223a2261303534346233312d633138342d343739622d613337612d376332353938396432373031222c2241636b6e6f776c65646765644d65737361676553657175656e63654e756d626572223a302c22497353657175656e7469616c4d657373616765223a747275657d',
};

const hex = (text: string): Uint8Array => Buffer.from(text, 'hex');

describe('decodeAgentMessage of what the real plugin sent', () => {
  it('reads its HandshakeResponse', () => {
    const message = decodeAgentMessage(hex(CAPTURED.handshakeResponse));
    assert.equal(message.messageType, 'input_stream_data');
    assert.equal(message.schemaVersion, 1);
    assert.equal(message.sequenceNumber, 0);
    assert.equal(message.flags, 0);
    assert.equal(message.payloadType, PayloadType.HandshakeResponse);
    assert.equal(new Date(message.createdDate).getUTCFullYear() >= 2024, true);
    assert.match(message.messageId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/); // a v4 UUID, halves swapped back
    assert.deepEqual(parseHandshakeResponse(message.payload), {
      clientVersion: '1.2.0.0',
      actions: [{ actionType: 'SessionType', actionStatus: 1, error: '' }],
      errors: [],
    });
  });

  it('reads its size and its acknowledgement', () => {
    const size = decodeAgentMessage(hex(CAPTURED.size));
    assert.equal(size.sequenceNumber, 1);
    assert.equal(size.payloadType, PayloadType.Size);
    assert.deepEqual(parseTerminalSize(size.payload), { cols: 80, rows: 24 });
    const ack = decodeAgentMessage(hex(CAPTURED.acknowledge));
    assert.equal(ack.messageType, 'acknowledge');
    assert.equal(ack.flags, 3);
    assert.deepEqual(parseAcknowledgement(ack.payload), {
      messageType: 'output_stream_data',
      messageId: 'a0544b31-c184-479b-a37a-7c25989d2701',
      sequenceNumber: 0,
    });
  });

  it('encodes the same bytes back', () => {
    for (const captured of Object.values(CAPTURED)) {
      assert.equal(Buffer.from(encodeAgentMessage(decodeAgentMessage(hex(captured)))).toString('hex'), captured);
    }
  });
});

const messages = fc.record({
  messageType: fc.constantFrom('input_stream_data', 'output_stream_data', 'acknowledge', 'channel_closed'),
  schemaVersion: fc.integer({ min: 0, max: 0xffffffff }),
  createdDate: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  sequenceNumber: fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
  flags: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  messageId: fc.uuid(),
  payloadType: fc.integer({ min: 0, max: 0xffffffff }),
  payload: fc.uint8Array({ maxLength: 2048 }),
}) satisfies fc.Arbitrary<AgentMessage>;

describe('encodeAgentMessage and decodeAgentMessage', () => {
  it('round-trip every message', () => {
    fc.assert(
      fc.property(messages, (message) => {
        const decoded = decodeAgentMessage(encodeAgentMessage(message));
        assert.deepEqual({ ...decoded, payload: [...decoded.payload] }, { ...message, payload: [...message.payload] });
      }),
    );
  });

  it('refuse any flipped payload byte (the digest) and any other length', () => {
    fc.assert(
      fc.property(messages, fc.nat(), fc.integer({ min: 1, max: 255 }), (message, at, xor) => {
        const bytes = Buffer.from(
          encodeAgentMessage({ ...message, payload: Buffer.concat([message.payload, Buffer.from('x')]) }),
        );
        const flipped = Buffer.from(bytes);
        const index = PAYLOAD_OFFSET + (at % (bytes.length - PAYLOAD_OFFSET));
        flipped[index] = flipped[index]! ^ xor;
        assert.throws(() => decodeAgentMessage(flipped), AgentMessageError);
        assert.throws(() => decodeAgentMessage(bytes.subarray(0, bytes.length - 1)), AgentMessageError);
        assert.throws(() => decodeAgentMessage(Buffer.concat([bytes, Buffer.from([0])])), AgentMessageError);
      }),
    );
  });

  it('refuse a short message, another header length, a payload over 1 MiB, a type that is not ASCII', () => {
    const good = Buffer.from(encodeAgentMessage(decodeAgentMessage(hex(CAPTURED.size))));
    assert.throws(() => decodeAgentMessage(good.subarray(0, PAYLOAD_OFFSET - 1)), /message of 119 bytes/);
    const header = Buffer.from(good);
    header.writeUInt32BE(117, 0);
    assert.throws(() => decodeAgentMessage(header), /header length 117/);
    const huge = Buffer.from(good);
    huge.writeUInt32BE(MAX_PAYLOAD_BYTES + 1, 116);
    assert.throws(() => decodeAgentMessage(huge), /payload of 1048577 bytes/);
    const blank = Buffer.from(good);
    blank.fill(0x20, 4, 36);
    assert.throws(() => decodeAgentMessage(blank), /invalid message type/);
    const payload = Buffer.alloc(MAX_PAYLOAD_BYTES + 1);
    assert.throws(() => encodeAgentMessage({ ...decodeAgentMessage(good), payload }), AgentMessageError);
  });
});

describe('payloads', () => {
  it('acknowledge a message by type, id and sequence number', () => {
    const message = decodeAgentMessage(hex(CAPTURED.size));
    assert.deepEqual(parseAcknowledgement(acknowledgementPayload(message)), {
      messageType: 'input_stream_data',
      messageId: message.messageId,
      sequenceNumber: 1,
    });
  });

  it('take terminal sizes within 0..65535 only', () => {
    assert.deepEqual(parseTerminalSize(terminalSizePayload({ cols: 65535, rows: 0 })), { cols: 65535, rows: 0 });
    for (const bad of [
      '{"cols":-1,"rows":2}',
      '{"cols":1.5,"rows":2}',
      '{"cols":65536,"rows":2}',
      '{"cols":"80"}',
      '[]',
      'x',
    ]) {
      assert.throws(() => parseTerminalSize(Buffer.from(bad)), AgentMessageError, bad);
    }
  });
});

describe('channelClosedMessage', () => {
  it('is a whole channel_closed outside the numbered stream, naming the session', () => {
    const message = decodeAgentMessage(channelClosedMessage('ecs-execute-command-0a1b', 'Session terminated.'));
    assert.equal(message.messageType, 'channel_closed');
    assert.equal(message.sequenceNumber, 0);
    assert.equal(message.flags, 3);
    const payload = JSON.parse(Buffer.from(message.payload).toString('utf8')) as Record<string, unknown>;
    assert.equal(payload.SessionId, 'ecs-execute-command-0a1b');
    assert.equal(payload.MessageId, message.messageId);
    assert.equal(payload.Output, 'Session terminated.');
  });
});
