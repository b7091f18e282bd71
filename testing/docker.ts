import { execFile, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliResult } from './aws-cli.ts';

/** Debian's skopeo and busybox-static, as `.ci/run` installs them. */
export const SKOPEO = '/usr/bin/skopeo';
export const BUSYBOX = '/bin/busybox';

/**
 * Pushes and pulls of a 2 MB image over loopback take seconds. The margin covers dockerd retrying a
 * failed layer upload (5 tries, 5 s more back-off each) before it gives up.
 */
const COMMAND_TIMEOUT_MS = 120_000;

// In CI (.ci/run installs and starts everything) a missing tool is a failure, not a skip.
function missing(what: string, reason: string): string {
  if (process.env.CI === 'true') throw new Error(`CI=true but ${what}: ${reason}`);
  return reason;
}

/** False when a Docker engine answers `docker info`, else why the docker tests skip. */
export function dockerSkipReason(): string | false {
  try {
    const version = execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 30_000,
    }).trim();
    if (version) return false;
    return missing('the Docker engine did not answer', 'docker info printed no server version');
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
    return missing('the Docker engine did not answer', `no Docker engine (docker info: ${detail})`);
  }
}

export function skopeoSkipReason(): string | false {
  if (existsSync(SKOPEO)) return false;
  return missing(`${SKOPEO} is not installed`, 'skopeo not installed (apt-get install skopeo)');
}

export function busyboxSkipReason(): string | false {
  if (existsSync(BUSYBOX)) return false;
  return missing(`${BUSYBOX} is not installed`, 'busybox not installed (apt-get install busybox-static)');
}

export interface RunOptions {
  readonly env?: Record<string, string>;
  /** Written to the child's stdin, which is then closed (docker login --password-stdin). */
  readonly input?: string;
  readonly timeoutMs?: number;
}

/** Runs a command to completion; a non-zero exit, a timeout or a missing binary is a result, not a throw. */
export function runCommand(file: string, args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  const timeout = options.timeoutMs ?? COMMAND_TIMEOUT_MS;
  return new Promise((resolve) => {
    const child = execFile(
      file,
      [...args],
      { env: { ...process.env, ...options.env }, timeout, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (!error) return resolve({ code: 0, stdout, stderr });
        const e = error as NodeJS.ErrnoException & { killed?: boolean; signal?: string | null };
        const note = e.killed ? `\n[${file} ${args.join(' ')}: killed after ${timeout} ms]` : '';
        const code = typeof e.code === 'number' ? e.code : -1;
        resolve({ code, stdout, stderr: `${stderr}${note}` || e.message });
      },
    );
    // Errors writing to stdin (the binary does not exist, or exited early) surface through the callback.
    child.stdin?.on('error', () => {});
    child.stdin?.end(options.input ?? '');
  });
}

export interface BuiltImage {
  /** The local tag it was built as. */
  readonly tag: string;
  /** sha256:<config digest>: the same on every machine that pulls it intact. */
  readonly id: string;
  /** The unique content of /hello.txt, the image's second layer. */
  readonly hello: string;
}

/**
 * A Docker client with its own DOCKER_CONFIG folder, so `docker login` never reads or writes
 * ~/.docker, and a record of the images it made so `cleanup()` removes them.
 */
export class DockerSession {
  readonly configDir: string;
  private readonly images = new Set<string>();
  private readonly workDir: string;

  constructor() {
    this.workDir = mkdtempSync(join(tmpdir(), 'berth-docker-'));
    this.configDir = join(this.workDir, 'config');
    // skopeo copy refuses to run without a signature policy; keep it hermetic instead of /etc/containers.
    writeFileSync(join(this.workDir, 'policy.json'), JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
  }

  docker(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
    return runCommand('docker', args, { ...options, env: { DOCKER_CONFIG: this.configDir, ...options.env } });
  }

  skopeo(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
    return runCommand(SKOPEO, ['--policy', join(this.workDir, 'policy.json'), ...args], {
      ...options,
      env: {
        DOCKER_CONFIG: this.configDir,
        REGISTRY_AUTH_FILE: join(this.workDir, 'auth.json'),
        ...options.env,
      },
    });
  }

  /** The `auths` of this session's config.json: what `docker login` stored. */
  storedAuths(): Record<string, unknown> {
    const file = join(this.configDir, 'config.json');
    if (!existsSync(file)) return {};
    return (JSON.parse(readFileSync(file, 'utf8')) as { auths?: Record<string, unknown> }).auths ?? {};
  }

  /**
   * Builds `FROM scratch` + a copy of /bin/busybox + a /hello.txt with random content, so nothing is
   * pulled from the internet and every run pushes at least one blob the registry has never seen.
   * The classic builder (DOCKER_BUILDKIT=0) works with Debian's docker.io, which has no buildx.
   */
  async buildBusyboxImage(tag: string): Promise<BuiltImage> {
    const context = mkdtempSync(join(this.workDir, 'context-'));
    const hello = `hello from berth ${randomUUID()}\n`;
    copyFileSync(BUSYBOX, join(context, 'busybox'));
    writeFileSync(join(context, 'hello.txt'), hello);
    writeFileSync(
      join(context, 'Dockerfile'),
      [
        'FROM scratch',
        'COPY busybox /bin/busybox',
        'COPY hello.txt /hello.txt',
        'ENTRYPOINT ["/bin/busybox"]',
        '',
      ].join('\n'),
    );
    const idFile = join(context, 'image-id');
    this.images.add(tag);
    const built = await this.docker(['build', '--quiet', '--iidfile', idFile, '--tag', tag, context], {
      env: { DOCKER_BUILDKIT: '0' },
    });
    const id = existsSync(idFile) ? readFileSync(idFile, 'utf8').trim() : '';
    rmSync(context, { recursive: true, force: true, maxRetries: 3 });
    if (built.code !== 0) throw new Error(`docker build failed (${built.code}): ${built.stderr}`);
    if (!/^sha256:[0-9a-f]{64}$/.test(id)) throw new Error(`docker build wrote no image id: ${built.stdout}`);
    this.images.add(id);
    return { tag, id, hello };
  }

  /** `docker tag`, remembering the new name for cleanup. */
  async tag(source: string, target: string): Promise<CliResult> {
    this.images.add(target);
    return this.docker(['tag', source, target]);
  }

  /** Remembers an image reference (pulled or tagged elsewhere) for cleanup. */
  track(reference: string): void {
    this.images.add(reference);
  }

  /** Removes every image this session built, tagged or tracked, then its temporary folders. */
  async cleanup(): Promise<void> {
    const references = [...this.images];
    this.images.clear();
    if (references.length > 0) await this.docker(['rmi', '--force', ...references]);
    rmSync(this.workDir, { recursive: true, force: true, maxRetries: 3 });
  }
}
