import { createHash, timingSafeEqual } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { headerSignature, s3HeaderSignature } from './header-signature.ts';
import type { Clock } from '../shared/clock.ts';
import type { Principal } from '../shared/principal.ts';
import { Sha256 } from './sha256.ts';
import {
  ExpiredTokenException,
  IncompleteSignatureException,
  InvalidSecurityTokenException,
  InvalidSignatureException,
  MissingAuthenticationTokenException,
  UnrecognizedClientException,
} from './errors.ts';

/**
 * AWS Signature Version 4 verification, header and query-string (presigned) forms. We parse what
 * the client claims (key, scope, signed headers, date), then let the maintained signer that the AWS
 * SDK itself uses compute the signature over exactly those headers, and compare in constant time.
 */

/**
 * Where the verifier finds secrets: long-term keys (root, IAM users) and temporary credentials (STS
 * sessions, ASIA… keys). secretFor and principalOf answer only for a key that may sign now: an
 * expired session's key has neither, so whatever resolves a caller later (the registry's passwords)
 * stops with it.
 */
export interface SecretLookup {
  secretFor(accessKeyId: string): string | undefined;
  /** Who owns the key (known whenever secretFor knows the key). */
  principalOf(accessKeyId: string): Principal | undefined;
  /** The session of temporary credentials, live or expired; undefined for a long-term or unknown key. */
  sessionOf?(accessKeyId: string): SessionCredential | undefined;
  /** A live session's token, for presigning a URL with its credentials (which must carry it). */
  sessionTokenFor?(accessKeyId: string): string | undefined;
}

/** What a request signed with temporary credentials must carry, and until when it may. */
export interface SessionCredential {
  readonly expiresAt: Date;
  /** Whether `token` (X-Amz-Security-Token) is this session's token. */
  hasToken(token: string): boolean;
  /** Signing names this session may not call (IAM refuses GetSessionToken credentials got without MFA). */
  readonly refusedServices?: readonly string[];
}

export interface SignedRequest {
  readonly method: string;
  /** The path as received, still percent-encoded, without the query string. */
  readonly path: string;
  readonly query: Readonly<Record<string, string | string[]>>;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: Uint8Array | undefined;
  /** The caller's address and whether it came over TLS (aws:SourceIp, aws:SecureTransport). */
  readonly sourceIp?: string;
  readonly secureTransport?: boolean;
}

export interface VerifiedCaller {
  readonly accessKeyId: string;
  readonly service: string;
}

export interface VerifyOptions {
  readonly secrets: SecretLookup;
  readonly clock: Clock;
  readonly region: string;
  /** The signing name the scope must carry (ecs, ecr, ...); undefined accepts the scope's own. */
  readonly service: string | undefined;
  /**
   * S3's signing rules: the path is signed as sent (not normalized, not encoded again), presigned
   * URLs sign UNSIGNED-PAYLOAD, and the body is streamed, so checking x-amz-content-sha256 against
   * it is the caller's job once it has read it.
   */
  readonly s3?: boolean;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const MAX_SKEW_MS = 15 * 60 * 1000;
const MAX_PRESIGNED_SECONDS = 7 * 24 * 3600;

interface Claim {
  accessKeyId: string;
  date: string; // YYYYMMDD from the scope
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
  amzDate: string; // YYYYMMDDTHHMMSSZ
  expiresSeconds: number | undefined; // presigned only
}

export function isPresigned(request: Pick<SignedRequest, 'query'>): boolean {
  return request.query['X-Amz-Algorithm'] !== undefined;
}

/**
 * The access key and service a request's SigV4 credential scope names
 * (KEY/DATE/REGION/SERVICE/aws4_request, from the Authorization header or a presigned query),
 * before anything is verified: for routing, and for bounding what an unknown caller may send.
 */
export function claimedCredential(
  request: Pick<SignedRequest, 'headers' | 'query'>,
): { accessKeyId: string; service: string | undefined } | undefined {
  let credential: string | undefined;
  if (isPresigned(request)) {
    const value = request.query['X-Amz-Credential'];
    credential = typeof value === 'string' ? value : undefined;
  } else {
    credential = /Credential=([^,\s]+)/.exec(request.headers.authorization ?? '')?.[1];
  }
  if (credential === undefined) return undefined;
  const parts = credential.split('/');
  return { accessKeyId: parts[0]!, service: parts[3] };
}

export function hasAuthentication(request: SignedRequest): boolean {
  return request.headers.authorization !== undefined || isPresigned(request);
}

const presigners = new Map<string, SignatureV4>();

export async function verifySignature(request: SignedRequest, options: VerifyOptions): Promise<VerifiedCaller> {
  const presigned = isPresigned(request);
  if (!presigned && request.headers.authorization === undefined) throw new MissingAuthenticationTokenException();
  const claim = presigned ? parseQueryClaim(request.query) : parseHeaderClaim(request.headers);
  checkScope(claim, options);
  // Before the clock skew: a session's expiry is what its holder needs to hear of.
  checkSessionToken(request, claim, options);
  checkTime(claim, options.clock.now(), presigned);
  const secret = options.secrets.secretFor(claim.accessKeyId);
  if (secret === undefined) throw new UnrecognizedClientException();

  if (!options.s3) checkPayloadHash(request);
  const expected = await computeSignature(request, claim, secret, { presigned, s3: options.s3 === true });
  const given = Buffer.from(claim.signature, 'utf8');
  const wanted = Buffer.from(expected, 'utf8');
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) throw InvalidSignatureException.mismatch();
  return { accessKeyId: claim.accessKeyId, service: claim.service };
}

/**
 * Temporary credentials sign with their session token beside them (X-Amz-Security-Token, a header,
 * or a query parameter of a presigned URL); a long-term key sent with a token is refused, as AWS
 * refuses it (a stale AWS_SESSION_TOKEN beside new keys: "The security token included in the
 * request is invalid"). The token is checked before the expiry, so only its holder learns that a
 * session has expired.
 */
function checkSessionToken(request: SignedRequest, claim: Claim, options: VerifyOptions): void {
  const header = request.headers['x-amz-security-token'];
  const param = request.query['X-Amz-Security-Token'];
  const token = header ?? (typeof param === 'string' ? param : undefined);
  const session = options.secrets.sessionOf?.(claim.accessKeyId);
  if (session === undefined) {
    if (token !== undefined || param !== undefined) throw new InvalidSecurityTokenException();
    return;
  }
  if (token === undefined || !session.hasToken(token)) throw new InvalidSecurityTokenException();
  if (options.clock.now().getTime() >= session.expiresAt.getTime()) throw new ExpiredTokenException();
  if (session.refusedServices?.includes(claim.service)) throw new InvalidSecurityTokenException();
}

function parseHeaderClaim(headers: SignedRequest['headers']): Claim {
  const authorization = headers.authorization!;
  const space = authorization.indexOf(' ');
  const algorithm = space === -1 ? authorization : authorization.slice(0, space);
  if (algorithm !== ALGORITHM) {
    throw new IncompleteSignatureException(`Unsupported AWS 'algorithm': '${algorithm}'. Expected ${ALGORITHM}.`);
  }
  const fields = new Map<string, string>();
  for (const part of authorization.slice(space + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  for (const name of ['Credential', 'SignedHeaders', 'Signature']) {
    if (!fields.has(name)) {
      throw new IncompleteSignatureException(
        `Authorization header requires '${name}' parameter. Authorization=${authorization.slice(0, 60)}`,
      );
    }
  }
  const amzDate = headers['x-amz-date'];
  if (amzDate === undefined) {
    throw new IncompleteSignatureException("Authorization header requires existence of a 'X-Amz-Date' header.");
  }
  return {
    ...parseCredential(fields.get('Credential')!),
    signedHeaders: fields.get('SignedHeaders')!.split(';'),
    signature: fields.get('Signature')!,
    amzDate,
    expiresSeconds: undefined,
  };
}

function parseQueryClaim(query: SignedRequest['query']): Claim {
  const get = (name: string): string => {
    const value = query[name];
    if (typeof value !== 'string') {
      throw new IncompleteSignatureException(
        `AWS query-string parameters must include '${name}'. Re-examine the query-string parameters.`,
      );
    }
    return value;
  };
  if (get('X-Amz-Algorithm') !== ALGORITHM) {
    throw new IncompleteSignatureException(
      `Unsupported AWS 'algorithm': '${get('X-Amz-Algorithm')}'. Expected ${ALGORITHM}.`,
    );
  }
  const expires = Number(get('X-Amz-Expires'));
  if (!Number.isInteger(expires) || expires < 1 || expires > MAX_PRESIGNED_SECONDS) {
    throw new IncompleteSignatureException(`X-Amz-Expires must be an integer from 1 to ${MAX_PRESIGNED_SECONDS}.`);
  }
  return {
    ...parseCredential(get('X-Amz-Credential')),
    signedHeaders: get('X-Amz-SignedHeaders').split(';'),
    signature: get('X-Amz-Signature'),
    amzDate: get('X-Amz-Date'),
    expiresSeconds: expires,
  };
}

function parseCredential(credential: string): Pick<Claim, 'accessKeyId' | 'date' | 'region' | 'service'> {
  const parts = credential.split('/');
  if (parts.length !== 5 || parts[4] !== 'aws4_request' || parts.some((p) => p === '')) {
    throw new IncompleteSignatureException(
      `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`,
    );
  }
  const [accessKeyId, date, region, service] = parts as [string, string, string, string];
  return { accessKeyId, date, region, service };
}

function checkScope(claim: Claim, options: VerifyOptions): void {
  if (options.service !== undefined && claim.service !== options.service) {
    throw new InvalidSignatureException(`Credential should be scoped to correct service: '${options.service}'. `);
  }
  if (claim.region !== options.region) {
    throw new InvalidSignatureException(
      `Credential should be scoped to a valid region. This server serves '${options.region}', not '${claim.region}'.`,
    );
  }
  if (!/^\d{8}T\d{6}Z$/.test(claim.amzDate)) {
    throw new IncompleteSignatureException(`Date must be in ISO-8601 'basic format'. Got '${claim.amzDate}'.`);
  }
  if (claim.amzDate.slice(0, 8) !== claim.date) {
    throw new InvalidSignatureException(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${claim.date}' != '${claim.amzDate.slice(0, 8)}', from '${claim.amzDate}'.`,
    );
  }
}

function parseAmzDate(amzDate: string): Date {
  const n = (from: number, to: number): number => Number(amzDate.slice(from, to));
  return new Date(Date.UTC(n(0, 4), n(4, 6) - 1, n(6, 8), n(9, 11), n(11, 13), n(13, 15)));
}

function formatAmzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

function checkTime(claim: Claim, now: Date, presigned: boolean): void {
  const signedAt = parseAmzDate(claim.amzDate);
  if (Number.isNaN(signedAt.getTime())) {
    throw new IncompleteSignatureException(`Date must be in ISO-8601 'basic format'. Got '${claim.amzDate}'.`);
  }
  // The messages format dates only on these error paths: this check runs on every request.
  if (presigned) {
    if (now.getTime() > signedAt.getTime() + claim.expiresSeconds! * 1000) {
      throw new InvalidSignatureException(
        `Signature expired: ${claim.amzDate} + ${claim.expiresSeconds} s is now earlier than ${formatAmzDate(now)}.`,
      );
    }
  } else if (signedAt.getTime() < now.getTime() - MAX_SKEW_MS) {
    const limit = formatAmzDate(new Date(now.getTime() - MAX_SKEW_MS));
    throw new InvalidSignatureException(
      `Signature expired: ${claim.amzDate} is now earlier than ${limit} (${formatAmzDate(now)} - 15 min.)`,
    );
  }
  if (signedAt.getTime() > now.getTime() + MAX_SKEW_MS) {
    const limit = formatAmzDate(new Date(now.getTime() + MAX_SKEW_MS));
    throw new InvalidSignatureException(
      `Signature not yet current: ${claim.amzDate} is still later than ${limit} (${formatAmzDate(now)} + 15 min.)`,
    );
  }
}

/**
 * A client may send the body's hash in x-amz-content-sha256; the signer then trusts that header, so
 * we check it against the body we received (UNSIGNED-PAYLOAD leaves the body out of the signature).
 */
function checkPayloadHash(request: SignedRequest): void {
  const claimed = request.headers['x-amz-content-sha256'];
  if (claimed === undefined || claimed === 'UNSIGNED-PAYLOAD') return;
  const actual = createHash('sha256')
    .update(request.body ?? new Uint8Array())
    .digest('hex');
  if (claimed !== actual) {
    throw new InvalidSignatureException("The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
}

function presignerFor(accessKeyId: string, secretAccessKey: string, claim: Claim): SignatureV4 {
  const cacheKey = `${accessKeyId}\u0000${secretAccessKey}`;
  let signer = presigners.get(cacheKey);
  if (!signer) {
    if (presigners.size > 1000) presigners.clear();
    signer = new SignatureV4({
      credentials: { accessKeyId, secretAccessKey },
      region: claim.region,
      service: claim.service,
      sha256: Sha256,
      applyChecksum: false,
      uriEscapePath: true,
    });
    presigners.set(cacheKey, signer);
  }
  return signer;
}

async function computeSignature(
  request: SignedRequest,
  claim: Claim,
  secret: string,
  options: { presigned: boolean; s3: boolean },
): Promise<string> {
  const { presigned } = options;
  const headers: Record<string, string> = {};
  for (const name of claim.signedHeaders) {
    const value = request.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(request.query)) {
    if (name !== 'X-Amz-Signature') query[name] = value;
  }
  const toSign = {
    method: request.method,
    protocol: 'http:',
    hostname: headers.host ?? '',
    path: request.path,
    query,
    headers,
    body: request.body,
  };
  const signedHeaders = new Set(claim.signedHeaders);
  if (options.s3) {
    // A presigned URL's X-Amz-* parameters are in the canonical query: the same computation applies.
    const payloadHash = presigned ? 'UNSIGNED-PAYLOAD' : undefined;
    return s3HeaderSignature.compute(toSign, { claim, secret, signedHeaders, ...(payloadHash ? { payloadHash } : {}) });
  }
  if (!presigned) return headerSignature.compute(toSign, { claim, secret, signedHeaders });
  const out = await presignerFor(claim.accessKeyId, secret, claim).presign(toSign, {
    signingDate: parseAmzDate(claim.amzDate),
    signingRegion: claim.region,
    signingService: claim.service,
    signableHeaders: signedHeaders,
    expiresIn: claim.expiresSeconds!,
    unhoistableHeaders: new Set(Object.keys(headers)),
  });
  return String(out.query?.['X-Amz-Signature']);
}

/** A presigned URL (SigV4 query form) for a GET, as S3 and ECR hand them out. */
export async function presignGetUrl(
  url: URL,
  options: {
    accessKeyId: string;
    secretAccessKey: string;
    /** Temporary credentials' token: the URL carries it as X-Amz-Security-Token. */
    sessionToken?: string | undefined;
    region: string;
    service: string;
    expiresInSeconds: number;
  },
): Promise<string> {
  const { accessKeyId, secretAccessKey, sessionToken } = options;
  const signer = new SignatureV4({
    credentials: { accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }) },
    region: options.region,
    service: options.service,
    sha256: Sha256,
    uriEscapePath: true,
  });
  const presigned = await signer.presign(
    {
      method: 'GET',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { host: url.host },
    },
    { expiresIn: options.expiresInSeconds },
  );
  const query = new URLSearchParams(presigned.query as Record<string, string>);
  return `${url.protocol}//${url.host}${url.pathname}?${query.toString()}`;
}
