// A minimal ustar writer (POSIX.1-1988), enough to hand Docker a root filesystem of a few regular
// files without shelling out to tar. Layout of one 512-byte header block:
//   name 0..100  mode 100..108  uid 108..116  gid 116..124  size 124..136  mtime 136..148
//   chksum 148..156  typeflag 156  linkname 157..257  magic 257..263 "ustar\0"  version 263..265 "00"
//   uname 265..297  gname 297..329  devmajor 329..337  devminor 337..345  prefix 345..500
// Numbers are zero-padded octal ending in NUL. The checksum is the byte sum of the header with the
// chksum field read as eight spaces. The archive ends with two zero blocks.

const BLOCK = 512;

export interface TarEntry {
  /** A path inside the archive, without a leading slash: `pause`, `etc/hosts`. At most 100 bytes. */
  readonly name: string;
  readonly content: Uint8Array;
  /** Permission bits, e.g. 0o755. */
  readonly mode: number;
  /** Seconds since the epoch; 0 keeps archives byte-for-byte reproducible. */
  readonly mtime?: number;
}

/** A ustar archive of regular files, owned by root. */
export function tarArchive(entries: readonly TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    blocks.push(tarHeader(entry));
    const data = Buffer.alloc(Math.ceil(entry.content.length / BLOCK) * BLOCK);
    data.set(entry.content);
    blocks.push(data);
  }
  blocks.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(blocks);
}

function tarHeader(entry: TarEntry): Buffer {
  const header = Buffer.alloc(BLOCK);
  if (Buffer.byteLength(entry.name) > 100) throw new Error(`tar entry name longer than 100 bytes: ${entry.name}`);
  header.write(entry.name, 0, 100, 'utf8');
  writeOctal(header, 100, 8, entry.mode);
  writeOctal(header, 108, 8, 0);
  writeOctal(header, 116, 8, 0);
  writeOctal(header, 124, 12, entry.content.length);
  writeOctal(header, 136, 12, entry.mtime ?? 0);
  header.write('0', 156, 'ascii');
  header.write('ustar\0', 257, 'ascii');
  header.write('00', 263, 'ascii');
  header.write('root', 265, 'ascii');
  header.write('root', 297, 'ascii');
  header.write(' '.repeat(8), 148, 'ascii');
  let sum = 0;
  for (const byte of header) sum += byte;
  // Six octal digits, NUL, space: what GNU tar writes.
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return header;
}

function writeOctal(header: Buffer, offset: number, width: number, value: number): void {
  const digits = value.toString(8);
  if (digits.length > width - 1) throw new Error(`tar field too small for ${value}`);
  header.write(`${digits.padStart(width - 1, '0')}\0`, offset, 'ascii');
}
