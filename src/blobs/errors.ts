/**
 * The blob store cannot take or give the bytes now (the S3 endpoint does not answer, fewer servers
 * than the copies a push needs are live): the registry answers 503 UNAVAILABLE and the client
 * retries. Nothing acknowledged is lost; the request simply was not done.
 */
export class BlobsUnavailableError extends Error {
  override readonly name = 'BlobsUnavailableError';
}
