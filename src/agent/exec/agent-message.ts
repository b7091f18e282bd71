import { createHash, randomUUID } from 'node:crypto';

// The Session Manager data channel's binary "agent message", as the session-manager-plugin
// (src/message/clientmessage.go, messageparser.go) and the SSM agent frame it. Big-endian:
//
//   offset  size  field
//        0     4  HeaderLength (116: the bytes before PayloadLength)
//        4    32  MessageType, ASCII, padded with spaces (the plugin trims spaces and NULs)
//       36     4  SchemaVersion
//       40     8  CreatedDate (ms since the epoch)
//       48     8  SequenceNumber (signed)
//       56     8  Flags
//       64    16  MessageId: a UUID's bytes 8..15, then its bytes 0..7 (Java's least, most significant halves)
//       80    32  PayloadDigest: SHA-256 of the payload
//      112     4  PayloadType
//      116     4  PayloadLength
//      120     n  Payload

export const HEADER_LENGTH = 116;
export const PAYLOAD_OFFSET = HEADER_LENGTH + 4;
/** Far above what either side sends (the plugin reads stdin 1 KiB at a time); a bigger message is refused. */
export const MAX_PAYLOAD_BYTES = 1024 * 1024;
const MESSAGE_TYPE_LENGTH = 32;

export type MessageType =
  | 'input_stream_data'
  | 'output_stream_data'
  | 'acknowledge'
  | 'channel_closed'
  | 'start_publication'
  | 'pause_publication';

/** PayloadType values (message.PayloadType in the plugin). */
export const PayloadType = {
  Output: 1,
  Error: 2,
  Size: 3,
  Parameter: 4,
  HandshakeRequest: 5,
  HandshakeResponse: 6,
  HandshakeComplete: 7,
  EncChallengeRequest: 8,
  EncChallengeResponse: 9,
  Flag: 10,
  StdErr: 11,
  ExitCode: 12,
} as const;

export interface AgentMessage {
  /** One of MessageType on the wire; decoding keeps an unknown type for the caller to ignore. */
  readonly messageType: string;
  readonly schemaVersion: number;
  /** Milliseconds since the epoch. */
  readonly createdDate: number;
  readonly sequenceNumber: number;
  readonly flags: number;
  /** Lower-case hyphenated UUID. */
  readonly messageId: string;
  readonly payloadType: number;
  readonly payload: Uint8Array;
}

/** A message that is not a well-formed agent message; the session refuses it. */
export class AgentMessageError extends Error {
  override readonly name = 'AgentMessageError';
}

export function encodeAgentMessage(message: AgentMessage): Uint8Array {
  const { payload } = message;
  if (payload.length > MAX_PAYLOAD_BYTES) throw new AgentMessageError(`payload of ${payload.length} bytes`);
  if (message.messageType.length > MESSAGE_TYPE_LENGTH || !/^[\x21-\x7e]+$/.test(message.messageType)) {
    throw new AgentMessageError(`invalid message type ${JSON.stringify(message.messageType)}`);
  }
  const bytes = Buffer.alloc(PAYLOAD_OFFSET + payload.length);
  bytes.writeUInt32BE(HEADER_LENGTH, 0);
  bytes.write(message.messageType.padEnd(MESSAGE_TYPE_LENGTH, ' '), 4, 'latin1');
  bytes.writeUInt32BE(message.schemaVersion, 36);
  bytes.writeBigUInt64BE(BigInt(message.createdDate), 40);
  bytes.writeBigInt64BE(BigInt(message.sequenceNumber), 48);
  bytes.writeBigUInt64BE(BigInt(message.flags), 56);
  uuidToWire(message.messageId).copy(bytes, 64);
  createHash('sha256').update(payload).digest().copy(bytes, 80);
  bytes.writeUInt32BE(message.payloadType, 112);
  bytes.writeUInt32BE(payload.length, 116);
  bytes.set(payload, PAYLOAD_OFFSET);
  return bytes;
}

/** Decodes and validates one message: exact lengths, a payload under MAX_PAYLOAD_BYTES, its digest. */
export function decodeAgentMessage(input: Uint8Array): AgentMessage {
  if (input.length < PAYLOAD_OFFSET) throw new AgentMessageError(`message of ${input.length} bytes`);
  const bytes = Buffer.from(input.buffer, input.byteOffset, input.length);
  const headerLength = bytes.readUInt32BE(0);
  if (headerLength !== HEADER_LENGTH) throw new AgentMessageError(`header length ${headerLength}`);
  const payloadLength = bytes.readUInt32BE(116);
  if (payloadLength > MAX_PAYLOAD_BYTES) throw new AgentMessageError(`payload of ${payloadLength} bytes`);
  if (payloadLength !== bytes.length - PAYLOAD_OFFSET) {
    throw new AgentMessageError(`payload length ${payloadLength} in a message of ${bytes.length} bytes`);
  }
  const messageType = bytes
    .subarray(4, 4 + MESSAGE_TYPE_LENGTH)
    .toString('latin1')
    .replace(/^[\0 ]+|[\0 ]+$/g, '');
  if (!/^[\x21-\x7e]+$/.test(messageType)) throw new AgentMessageError('invalid message type');
  const payload = bytes.subarray(PAYLOAD_OFFSET);
  const digest = bytes.subarray(80, 112);
  // The plugin checks the digest of non-empty payloads only (Validate in messageparser.go).
  if (payloadLength > 0 && !createHash('sha256').update(payload).digest().equals(digest)) {
    throw new AgentMessageError('payload digest does not match');
  }
  return {
    messageType,
    schemaVersion: bytes.readUInt32BE(36),
    createdDate: safeNumber(bytes.readBigUInt64BE(40), 'created date'),
    sequenceNumber: safeNumber(bytes.readBigInt64BE(48), 'sequence number'),
    flags: safeNumber(bytes.readBigUInt64BE(56), 'flags'),
    messageId: uuidFromWire(bytes.subarray(64, 80)),
    payloadType: bytes.readUInt32BE(112),
    payload: Uint8Array.from(payload),
  };
}

function safeNumber(value: bigint, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new AgentMessageError(`${what} ${value} out of range`);
  }
  return Number(value);
}

function uuidToWire(id: string): Buffer {
  const hex = id.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new AgentMessageError(`invalid message id ${id}`);
  const raw = Buffer.from(hex, 'hex');
  return Buffer.concat([raw.subarray(8, 16), raw.subarray(0, 8)]);
}

function uuidFromWire(wire: Buffer): string {
  const hex = Buffer.concat([wire.subarray(8, 16), wire.subarray(0, 8)]).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A message of the given type with a fresh id, stamped now (schema version 1, as both sides send). */
export function newAgentMessage(
  messageType: MessageType,
  fields: { sequenceNumber: number; flags: number; payloadType?: number; payload: Uint8Array; now?: number },
): AgentMessage {
  return {
    messageType,
    schemaVersion: 1,
    createdDate: fields.now ?? Date.now(),
    sequenceNumber: fields.sequenceNumber,
    flags: fields.flags,
    messageId: randomUUID(),
    payloadType: fields.payloadType ?? 0,
    payload: fields.payload,
  };
}

// ---- Payloads (JSON, field names as the plugin's structs spell them) ----

export interface Acknowledgement {
  readonly messageType: string;
  readonly messageId: string;
  readonly sequenceNumber: number;
}

export function acknowledgementPayload(of: AgentMessage): Uint8Array {
  return json({
    AcknowledgedMessageType: of.messageType,
    AcknowledgedMessageId: of.messageId,
    AcknowledgedMessageSequenceNumber: of.sequenceNumber,
    IsSequentialMessage: true,
  });
}

export function parseAcknowledgement(payload: Uint8Array): Acknowledgement {
  const value = parseObject(payload, 'acknowledge');
  const sequenceNumber = value.AcknowledgedMessageSequenceNumber;
  if (!Number.isSafeInteger(sequenceNumber)) throw new AgentMessageError('acknowledge without a sequence number');
  return {
    messageType: String(value.AcknowledgedMessageType ?? ''),
    messageId: String(value.AcknowledgedMessageId ?? ''),
    sequenceNumber: sequenceNumber as number,
  };
}

/** What the SSM agent asks of the client: its session type (ECS Exec: InteractiveCommands). */
export function handshakeRequestPayload(request: {
  agentVersion: string;
  sessionType: string;
  properties: unknown;
}): Uint8Array {
  return json({
    AgentVersion: request.agentVersion,
    RequestedClientActions: [
      {
        ActionType: 'SessionType',
        ActionParameters: { SessionType: request.sessionType, Properties: request.properties },
      },
    ],
  });
}

export interface HandshakeResponse {
  readonly clientVersion: string;
  readonly actions: readonly { actionType: string; actionStatus: number; error: string }[];
  readonly errors: readonly string[];
}

export function parseHandshakeResponse(payload: Uint8Array): HandshakeResponse {
  const value = parseObject(payload, 'handshake response');
  const actions = Array.isArray(value.ProcessedClientActions) ? (value.ProcessedClientActions as unknown[]) : [];
  return {
    clientVersion: String(value.ClientVersion ?? ''),
    actions: actions.map((action) => {
      const a = (action ?? {}) as Record<string, unknown>;
      return {
        actionType: String(a.ActionType ?? ''),
        actionStatus: Number(a.ActionStatus),
        error: String(a.Error ?? ''),
      };
    }),
    errors: Array.isArray(value.Errors) ? value.Errors.map(String) : [],
  };
}

/** HandshakeTimeToComplete is a Go time.Duration: nanoseconds. */
export function handshakeCompletePayload(complete: { elapsedMs: number; customerMessage?: string }): Uint8Array {
  return json({
    HandshakeTimeToComplete: Math.round(complete.elapsedMs * 1_000_000),
    CustomerMessage: complete.customerMessage ?? '',
  });
}

export interface TerminalSize {
  readonly cols: number;
  readonly rows: number;
}

/** A Size payload: `{"cols":80,"rows":24}`; each a terminal dimension (0 to 65535). */
export function parseTerminalSize(payload: Uint8Array): TerminalSize {
  const value = parseObject(payload, 'size');
  const { cols, rows } = value;
  const valid = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 0 && (n as number) <= 0xffff;
  if (!valid(cols) || !valid(rows)) throw new AgentMessageError('invalid terminal size');
  return { cols, rows };
}

export function terminalSizePayload(size: TerminalSize): Uint8Array {
  return json({ cols: size.cols, rows: size.rows });
}

/** channel_closed's payload; a non-empty `output` is what the plugin prints instead of "Exiting session". */
export function channelClosedPayload(closed: {
  messageId: string;
  sessionId: string;
  createdDate: number;
  output?: string;
}): Uint8Array {
  return json({
    MessageId: closed.messageId,
    CreatedDate: new Date(closed.createdDate).toISOString(),
    DestinationId: closed.sessionId,
    SessionId: closed.sessionId,
    MessageType: 'channel_closed',
    SchemaVersion: 1,
    Output: closed.output ?? '',
  });
}

function json(value: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(value));
}

function parseObject(payload: Uint8Array, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    throw new AgentMessageError(`${what} payload is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AgentMessageError(`${what} payload is not an object`);
  }
  return value as Record<string, unknown>;
}

/**
 * A whole channel_closed message for `sessionId`, as the SSM agent sends it outside the numbered
 * stream (sequence 0, flags 3): what ends the plugin's session when TerminateSession ends it.
 */
export function channelClosedMessage(sessionId: string, output?: string): Uint8Array {
  const message = newAgentMessage('channel_closed', { sequenceNumber: 0, flags: 3, payload: new Uint8Array(0) });
  const payload = channelClosedPayload({
    messageId: message.messageId,
    sessionId,
    createdDate: message.createdDate,
    ...(output !== undefined && { output }),
  });
  return encodeAgentMessage({ ...message, payload });
}
