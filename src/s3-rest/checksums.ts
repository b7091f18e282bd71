import {
  BadDigest,
  IncompleteBody,
  InvalidDigest,
  InvalidRequest,
  XAmzContentSHA256Mismatch,
  type ComputedDigests,
} from '../s3/index.ts';

type Headers = Readonly<Record<string, string | string[] | undefined>>;

const CHECKSUM_NAMES = { crc32: 'CRC32', sha1: 'SHA1', sha256: 'SHA256', crc32c: 'CRC32C', crc64nvme: 'CRC64NVME' };

/**
 * What a PUT's bytes must match, from its headers and (aws-chunked) trailers: Content-MD5,
 * x-amz-content-sha256 when it is a hash, and the flexible checksum x-amz-checksum-<algorithm>.
 * CRC32C and CRC64NVME are accepted unverified (node:zlib has CRC32 only).
 */
export function payloadCheck(headers: Headers, trailers: () => Readonly<Record<string, string>>) {
  const md5 = header(headers, 'content-md5');
  if (md5 !== undefined && Buffer.from(md5, 'base64').length !== 16) throw new InvalidDigest();
  const sha256 = header(headers, 'x-amz-content-sha256');
  const decodedLength = header(headers, 'x-amz-decoded-content-length');
  return (computed: ComputedDigests): void => {
    if (decodedLength !== undefined && Number(decodedLength) !== computed.size) throw new IncompleteBody();
    if (md5 !== undefined && Buffer.from(md5, 'base64').compare(computed.md5) !== 0) {
      throw new BadDigest('The Content-MD5 you specified did not match what we received.');
    }
    if (sha256 !== undefined && /^[0-9a-f]{64}$/i.test(sha256)) {
      const actual = computed.sha256.toString('hex');
      if (sha256.toLowerCase() !== actual) throw new XAmzContentSHA256Mismatch(sha256, actual);
    }
    const all = { ...trailers(), ...definedHeaders(headers) };
    for (const [algorithm, name] of Object.entries(CHECKSUM_NAMES)) {
      const claimed = all[`x-amz-checksum-${algorithm}`];
      if (claimed === undefined) continue;
      const actual = checksumOf(computed, algorithm);
      if (actual !== undefined && actual !== claimed) {
        throw new BadDigest(`The ${name} you specified did not match the calculated checksum.`);
      }
    }
  };
}

/** x-amz-content-sha256 values whose body is aws-chunked, and which of them Berth reads. */
export function streamingMode(headers: Headers): 'plain' | 'aws-chunked' {
  const sha256 = header(headers, 'x-amz-content-sha256');
  if (sha256 === undefined || !sha256.startsWith('STREAMING-')) return 'plain';
  if (sha256 === 'STREAMING-UNSIGNED-PAYLOAD-TRAILER') return 'aws-chunked';
  // Signed chunks would need each chunk's signature verified; no client Berth supports sends them.
  throw new InvalidRequest(
    `x-amz-content-sha256 ${sha256} is not supported by this server; use a signed or unsigned payload.`,
  );
}

function checksumOf(computed: ComputedDigests, algorithm: string): string | undefined {
  if (algorithm === 'crc32') {
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32BE(computed.crc32 >>> 0);
    return bytes.toString('base64');
  }
  if (algorithm === 'sha1') return computed.sha1.toString('base64');
  if (algorithm === 'sha256') return computed.sha256.toString('base64');
  return undefined;
}

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function definedHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith('x-amz-checksum-') && typeof value === 'string') out[name] = value;
  }
  return out;
}
