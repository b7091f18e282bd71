import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pauseExecutable, pauseImageTar } from './pause-image.ts';

describe('pauseExecutable', () => {
  const cases = [
    // x86_64: mov eax, 34; syscall; jmp -9
    { arch: 'x64', machine: 62, code: 'b8220000000f05ebf7' },
    // aarch64: mov x0..x3, #0; mov x8, #73; svc #0; b -6 instructions (little-endian words)
    { arch: 'arm64', machine: 183, code: '000080d2010080d2020080d2030080d2280980d2010000d4faffff17' },
  ];
  for (const { arch, machine, code } of cases) {
    it(`builds a static ELF64 executable for ${arch} whose entry point is its loop`, () => {
      const elf = pauseExecutable(arch);
      assert.deepEqual([...elf.subarray(0, 7)], [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
      assert.equal(elf.readUInt16LE(16), 2); // ET_EXEC
      assert.equal(elf.readUInt16LE(18), machine);
      assert.equal(elf.readUInt16LE(56), 1); // one program header
      assert.equal(elf.readUInt32LE(64), 1); // PT_LOAD
      assert.equal(elf.readBigUInt64LE(64 + 32), BigInt(elf.length)); // p_filesz: the whole file
      // e_entry = load address + 64 (ELF header) + 56 (program header)
      assert.equal(elf.readBigUInt64LE(24), 0x400000n + 120n);
      assert.equal(elf.subarray(120).toString('hex'), code);
    });
  }

  it('refuses an architecture it has no code for', () => {
    assert.throws(() => pauseExecutable('ppc64'), /no pause executable/);
  });

  it('packs /pause, mode 0755, as the only file of the image', () => {
    const tar = pauseImageTar('x64');
    assert.equal(tar.subarray(0, 6).toString(), 'pause\0');
    assert.equal(tar.subarray(100, 108).toString(), '0000755\0');
    assert.equal(tar.length, 512 + 512 + 1024); // header, 129 bytes of ELF padded, end blocks
  });
});
