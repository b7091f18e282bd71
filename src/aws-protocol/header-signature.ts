import {
  ALGORITHM_IDENTIFIER,
  createScope,
  getCanonicalHeaders,
  getPayloadHash,
  getSigningKey,
  SignatureV4Base,
} from '@smithy/signature-v4';
import type { HttpRequest } from '@smithy/types';
import { Sha256 } from './sha256.ts';

interface Claimed {
  readonly accessKeyId: string;
  readonly region: string;
  readonly service: string;
  readonly amzDate: string; // YYYYMMDDTHHMMSSZ
}

/**
 * The signature a header-signed request must carry, computed with the AWS SDK's own SigV4 pieces
 * (@smithy/signature-v4: canonical headers, canonical request, string to sign, signing key) and
 * node:crypto's HMAC-SHA256. We call the pieces instead of `SignatureV4.sign()` because sign()
 * clones the request and re-derives a key-cache entry (one extra HMAC) on every call: on the hot
 * path of every API request that was a third of the server's time. The result is byte for byte
 * what sign() produces (sigv4.test.ts signs with the SDK's signer and verifies with this).
 */
class HeaderSignature extends SignatureV4Base {
  readonly #keys = new Map<string, Uint8Array>();

  /** uriEscapePath false: S3 signs the path as sent, where other services normalize and encode it again. */
  constructor(uriEscapePath: boolean) {
    // Credentials, region and service come with each call; the base class only keeps the hasher.
    super({
      service: 'unused',
      region: 'unused',
      credentials: { accessKeyId: '', secretAccessKey: '' },
      sha256: Sha256,
      uriEscapePath,
      applyChecksum: false,
    });
  }

  async compute(
    request: HttpRequest,
    options: {
      claim: Claimed;
      secret: string;
      signedHeaders: ReadonlySet<string>;
      /** The payload hash to sign instead of x-amz-content-sha256 or the body's (S3's presigned UNSIGNED-PAYLOAD). */
      payloadHash?: string;
    },
  ): Promise<string> {
    const { claim, secret } = options;
    const shortDate = claim.amzDate.slice(0, 8);
    const scope = createScope(shortDate, claim.region, claim.service);
    const canonicalHeaders = getCanonicalHeaders(request, undefined, options.signedHeaders as Set<string>);
    const payloadHash = options.payloadHash ?? (await getPayloadHash(request, Sha256));
    const canonicalRequest = this.createCanonicalRequest(request, canonicalHeaders, payloadHash);
    const stringToSign = await this.createStringToSign(claim.amzDate, scope, canonicalRequest, ALGORITHM_IDENTIFIER);
    const hmac = new Sha256(await this.#signingKey(claim, secret, shortDate));
    hmac.update(stringToSign);
    return Buffer.from(await hmac.digest()).toString('hex');
  }

  async #signingKey(claim: Claimed, secret: string, shortDate: string): Promise<Uint8Array> {
    const cacheKey = `${claim.accessKeyId}\u0000${secret}\u0000${shortDate}\u0000${claim.region}\u0000${claim.service}`;
    let key = this.#keys.get(cacheKey);
    if (!key) {
      if (this.#keys.size >= 1000) this.#keys.clear();
      key = await getSigningKey(
        Sha256,
        { accessKeyId: claim.accessKeyId, secretAccessKey: secret },
        shortDate,
        claim.region,
        claim.service,
      );
      this.#keys.set(cacheKey, key);
    }
    return key;
  }
}

export const headerSignature = new HeaderSignature(true);
export const s3HeaderSignature = new HeaderSignature(false);
