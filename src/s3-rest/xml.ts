import type { ListObjectsOutput } from '../s3/index.ts';

/* S3's XML documents (namespace http://s3.amazonaws.com/doc/2006-03-01/), as the API reference shows them. */

const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]!};`);
}

function element(name: string, value: string | number | boolean | undefined): string {
  return value === undefined ? '' : `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** S3 timestamps in XML: ISO 8601 with milliseconds. */
function timestamp(date: Date): string {
  return date.toISOString();
}

export interface Owner {
  readonly id: string;
  readonly displayName: string;
}

export function errorDocument(error: {
  code: string;
  message: string;
  details: Readonly<Record<string, string>>;
  requestId: string;
}): string {
  const details = Object.entries(error.details)
    .map(([name, value]) => element(name, value))
    .join('');
  return `${DECLARATION}<Error>${element('Code', error.code)}${element('Message', error.message)}${details}${element('RequestId', error.requestId)}</Error>`;
}

export function listBucketsDocument(
  buckets: readonly { name: string; region: string; createdAt: Date }[],
  owner: Owner,
): string {
  const items = buckets
    .map(
      (b) =>
        `<Bucket>${element('Name', b.name)}${element('CreationDate', timestamp(b.createdAt))}${element('BucketRegion', b.region)}</Bucket>`,
    )
    .join('');
  return `${DECLARATION}<ListAllMyBucketsResult xmlns="${NS}"><Owner>${element('ID', owner.id)}${element('DisplayName', owner.displayName)}</Owner><Buckets>${items}</Buckets></ListAllMyBucketsResult>`;
}

export interface ListRequestEcho {
  readonly bucket: string;
  readonly prefix: string;
  readonly delimiter: string;
  readonly maxKeys: number;
  readonly continuationToken: string | undefined;
  readonly startAfter: string | undefined;
  /** encoding-type=url: keys and prefixes are URL-encoded in the answer. */
  readonly urlEncoded: boolean;
}

export function listObjectsV2Document(request: ListRequestEcho, result: ListObjectsOutput): string {
  const encode = (text: string): string => (request.urlEncoded ? encodeURIComponent(text) : text);
  const contents = result.contents
    .map(
      (o) =>
        `<Contents>${element('Key', encode(o.key))}${element('LastModified', timestamp(o.lastModified))}${element('ETag', `"${o.etag}"`)}${element('Size', o.size)}${element('StorageClass', 'STANDARD')}</Contents>`,
    )
    .join('');
  const prefixes = result.commonPrefixes
    .map((p) => `<CommonPrefixes>${element('Prefix', encode(p))}</CommonPrefixes>`)
    .join('');
  return (
    `${DECLARATION}<ListBucketResult xmlns="${NS}">` +
    element('Name', request.bucket) +
    element('Prefix', encode(request.prefix)) +
    (request.delimiter === '' ? '' : element('Delimiter', encode(request.delimiter))) +
    element('MaxKeys', request.maxKeys) +
    (request.urlEncoded ? element('EncodingType', 'url') : '') +
    element('KeyCount', result.contents.length + result.commonPrefixes.length) +
    element('IsTruncated', result.isTruncated) +
    element('ContinuationToken', request.continuationToken) +
    element('NextContinuationToken', result.nextContinuationToken) +
    element('StartAfter', request.startAfter === undefined ? undefined : encode(request.startAfter)) +
    contents +
    prefixes +
    '</ListBucketResult>'
  );
}

/** GetBucketLocation: empty for us-east-1, as S3 answers. */
export function locationDocument(region: string): string {
  return `${DECLARATION}<LocationConstraint xmlns="${NS}">${region === 'us-east-1' ? '' : escapeXml(region)}</LocationConstraint>`;
}

/** The LocationConstraint of a CreateBucket body, if any. */
export function locationConstraintOf(body: string): string | undefined {
  return /<LocationConstraint>([^<]*)<\/LocationConstraint>/.exec(body)?.[1];
}
