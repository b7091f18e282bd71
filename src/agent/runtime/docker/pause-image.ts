import type { DockerEngine } from './engine-client.ts';
import { tarArchive } from './tar.ts';

// The awsvpc "pause" container holds a task's network namespace; the task's containers join it with
// NetworkMode `container:<id>`. Its image is generated here, so no registry is needed: one static ELF
// executable, /pause, that blocks forever and never touches memory.
//
// ELF64 layout (little-endian), 64-byte file header + one 56-byte PT_LOAD program header, then code;
// the whole file is mapped read+execute at LOAD_ADDRESS.

export const PAUSE_IMAGE = 'berth/pause:1';

const LOAD_ADDRESS = 0x400000n;
const ELF_HEADER_SIZE = 64;
const PROGRAM_HEADER_SIZE = 56;
const CODE_OFFSET = ELF_HEADER_SIZE + PROGRAM_HEADER_SIZE;

interface Machine {
  readonly elfMachine: number;
  readonly code: Buffer;
}

const MACHINES: Readonly<Record<string, Machine>> = {
  x64: {
    elfMachine: 62, // EM_X86_64
    // loop: mov eax, 34 (pause); syscall; jmp loop (-9 bytes)
    code: Buffer.from([0xb8, 0x22, 0x00, 0x00, 0x00, 0x0f, 0x05, 0xeb, 0xf7]),
  },
  arm64: {
    elfMachine: 183, // EM_AARCH64
    // aarch64 has no pause(2). loop: x0..x3 = 0; x8 = 73 (ppoll); svc #0; b loop (-6 instructions)
    code: littleEndianWords([0xd2800000, 0xd2800001, 0xd2800002, 0xd2800003, 0xd2800928, 0xd4000001, 0x17fffffa]),
  },
};

function littleEndianWords(words: readonly number[]): Buffer {
  const buffer = Buffer.alloc(words.length * 4);
  words.forEach((word, index) => buffer.writeUInt32LE(word, index * 4));
  return buffer;
}

/** The /pause executable for `arch` (a `process.arch` value: x64 or arm64). */
export function pauseExecutable(arch: string = process.arch): Buffer {
  const machine = MACHINES[arch];
  if (!machine) throw new Error(`no pause executable for architecture ${arch}`);
  const size = CODE_OFFSET + machine.code.length;
  const file = Buffer.alloc(size);
  file.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0); // \x7fELF, 64-bit, little-endian, version 1, System V ABI
  file.writeUInt16LE(2, 16); // e_type: ET_EXEC
  file.writeUInt16LE(machine.elfMachine, 18);
  file.writeUInt32LE(1, 20); // e_version
  file.writeBigUInt64LE(LOAD_ADDRESS + BigInt(CODE_OFFSET), 24); // e_entry
  file.writeBigUInt64LE(BigInt(ELF_HEADER_SIZE), 32); // e_phoff
  file.writeUInt16LE(ELF_HEADER_SIZE, 52); // e_ehsize
  file.writeUInt16LE(PROGRAM_HEADER_SIZE, 54); // e_phentsize
  file.writeUInt16LE(1, 56); // e_phnum (no section headers: e_shoff, e_shnum stay 0)
  const ph = ELF_HEADER_SIZE;
  file.writeUInt32LE(1, ph); // p_type: PT_LOAD
  file.writeUInt32LE(5, ph + 4); // p_flags: R + X
  file.writeBigUInt64LE(0n, ph + 8); // p_offset
  file.writeBigUInt64LE(LOAD_ADDRESS, ph + 16); // p_vaddr
  file.writeBigUInt64LE(LOAD_ADDRESS, ph + 24); // p_paddr
  file.writeBigUInt64LE(BigInt(size), ph + 32); // p_filesz
  file.writeBigUInt64LE(BigInt(size), ph + 40); // p_memsz
  file.writeBigUInt64LE(0x1000n, ph + 48); // p_align
  file.set(machine.code, CODE_OFFSET);
  return file;
}

/** The root filesystem of the pause image: just /pause, mode 0755. */
export function pauseImageTar(arch: string = process.arch): Buffer {
  return tarArchive([{ name: 'pause', content: pauseExecutable(arch), mode: 0o755 }]);
}

const pending = new WeakMap<DockerEngine, Map<string, Promise<void>>>();

/**
 * Imports the pause image (PAUSE_IMAGE unless `image` names another `repository:tag`) unless the
 * engine has it. Concurrent calls on one engine share one import; two processes racing import
 * identical content under the same tag, which is harmless.
 */
export function ensurePauseImage(engine: DockerEngine, options: { readonly image?: string } = {}): Promise<void> {
  const image = options.image ?? PAUSE_IMAGE;
  let imports = pending.get(engine);
  if (!imports) pending.set(engine, (imports = new Map()));
  let ensured = imports.get(image);
  if (!ensured) {
    ensured = importUnlessPresent(engine, image).finally(() => imports.delete(image));
    imports.set(image, ensured);
  }
  return ensured;
}

async function importUnlessPresent(engine: DockerEngine, image: string): Promise<void> {
  if (await engine.imageExists(image)) return;
  const colon = image.lastIndexOf(':');
  if (colon <= image.lastIndexOf('/')) throw new Error(`pause image ${image} needs a tag`);
  // Docker's import accepts no STOPSIGNAL change: the pause container's create body sets
  // StopSignal SIGKILL instead (PID 1 without a handler ignores SIGTERM).
  await engine.importImage(pauseImageTar(), {
    repository: image.slice(0, colon),
    tag: image.slice(colon + 1),
    changes: ['CMD ["/pause"]'],
  });
}
