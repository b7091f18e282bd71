import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tarArchive } from './tar.ts';

describe('tarArchive', () => {
  const content = Buffer.from('#!/bin/sh\necho hi\n');
  const archive = tarArchive([
    { name: 'pause', content, mode: 0o755 },
    { name: 'etc/empty', content: Buffer.alloc(0), mode: 0o644, mtime: 1_700_000_000 },
  ]);

  it('lays out 512-byte blocks: header, padded data, ..., two zero blocks', () => {
    // pause: header + 1 data block; etc/empty: header only; end: 2 blocks → 5 × 512
    assert.equal(archive.length, 5 * 512);
    assert.equal(archive.subarray(0, 5).toString(), 'pause');
    assert.equal(archive.subarray(257, 263).toString(), 'ustar\0');
    assert.equal(archive.subarray(100, 108).toString(), '0000755\0');
    assert.equal(archive.subarray(124, 136).toString(), `${content.length.toString(8).padStart(11, '0')}\0`);
    assert.deepEqual(archive.subarray(512, 512 + content.length), content);
    assert.ok(archive.subarray(3 * 512).every((byte) => byte === 0));
  });

  it('writes each header checksum as the byte sum with the checksum field read as spaces', () => {
    for (const offset of [0, 2 * 512]) {
      const header = Buffer.from(archive.subarray(offset, offset + 512));
      const stored = parseInt(header.subarray(148, 154).toString(), 8);
      header.fill(' ', 148, 156);
      assert.equal(
        stored,
        header.reduce((sum, byte) => sum + byte, 0),
      );
    }
  });

  it('is read back by tar(1) with names, modes and contents intact', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-tar-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'a.tar'), archive);
    try {
      execFileSync('tar', ['-xf', join(dir, 'a.tar'), '-C', dir], { stdio: 'pipe' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return t.skip('no tar(1)');
      throw error;
    }
    assert.deepEqual(readFileSync(join(dir, 'pause')), content);
    assert.equal(statSync(join(dir, 'pause')).mode & 0o777, 0o755);
    assert.equal(statSync(join(dir, 'etc/empty')).mtimeMs, 1_700_000_000_000);
  });

  it('refuses names longer than the 100-byte field', () => {
    assert.throws(
      () => tarArchive([{ name: 'x'.repeat(101), content: Buffer.alloc(0), mode: 0o644 }]),
      /longer than 100/,
    );
  });
});
