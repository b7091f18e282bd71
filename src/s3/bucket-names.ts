import { InvalidBucketName, InvalidURI, KeyTooLongError } from './errors.ts';

/**
 * S3's general purpose bucket naming rules: 3 to 63 characters of lower-case letters, digits,
 * dots and hyphens; a letter or digit at each end; no two adjacent dots; not an IPv4 address; not
 * one of the reserved prefixes or suffixes.
 */
export function isValidBucketName(name: string): boolean {
  if (name.length < 3 || name.length > 63) return false;
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) return false;
  if (name.includes('..')) return false;
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return false;
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(name)) return false;
  return !/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name);
}

export function requireValidBucketName(name: string): void {
  if (!isValidBucketName(name)) throw new InvalidBucketName(name);
}

/**
 * Keys are 1 to 1024 bytes of UTF-8 text. S3 stores any character but NUL, control characters
 * included (CR, LF, ESC...); text that is not UTF-8 (here: a lone surrogate) it refuses as an
 * unparsable URI, as it does NUL.
 */
export function isValidKey(key: string): boolean {
  return key.isWellFormed() && !key.includes('\0');
}

export function requireValidKey(key: string): void {
  if (!isValidKey(key)) throw new InvalidURI();
  if (Buffer.byteLength(key) > 1024) throw new KeyTooLongError();
}
