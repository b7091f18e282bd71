import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { BUSYBOX, type DockerSession } from './docker.ts';

const PROJECT = join(import.meta.dirname, '..');

/**
 * An image in which a script runs on the project's own Node binary with AWS SDK packages from the
 * project's node_modules, built FROM scratch (nothing can be pulled): busybox, the Node binary and
 * the shared libraries it links to (as ldd lists them), the packages' dependency closure, and the
 * scripts under /app. Run a script as ["/usr/local/bin/node", "/app/NAME"].
 */
export async function buildSdkImage(
  docker: DockerSession,
  tag: string,
  options: { readonly packages: readonly string[]; readonly scripts: Readonly<Record<string, string>> },
): Promise<string> {
  const context = mkdtempSync(join(tmpdir(), 'berth-sdk-image-'));
  try {
    const root = join(context, 'rootfs');
    const put = (source: string, target: string) => {
      mkdirSync(dirname(join(root, target)), { recursive: true });
      copyFileSync(source, join(root, target));
    };
    put(BUSYBOX, '/bin/busybox');
    put(process.execPath, '/usr/local/bin/node');
    for (const library of sharedLibraries(process.execPath)) put(library, library);
    for (const dir of dependencyClosure(options.packages)) {
      cpSync(dir, join(root, 'app', relative(PROJECT, dir)), { recursive: true, dereference: true });
    }
    for (const [name, text] of Object.entries(options.scripts)) {
      mkdirSync(join(root, 'app'), { recursive: true });
      writeFileSync(join(root, 'app', name), text);
    }
    mkdirSync(join(root, 'tmp'), { recursive: true });
    writeFileSync(join(context, 'Dockerfile'), ['FROM scratch', 'COPY rootfs/ /', 'WORKDIR /app', ''].join('\n'));
    docker.track(tag);
    const built = await docker.docker(['build', '--quiet', '--tag', tag, context], { env: { DOCKER_BUILDKIT: '0' } });
    if (built.code !== 0) throw new Error(`docker build failed (${built.code}): ${built.stderr}`);
    return tag;
  } finally {
    rmSync(context, { recursive: true, force: true, maxRetries: 3 });
  }
}

/** The absolute paths ldd names for a binary (the loader included). */
function sharedLibraries(binary: string): string[] {
  const listing = execFileSync('ldd', [binary], { encoding: 'utf8' });
  return [...listing.matchAll(/(\/\S+\.so[.\d]*)/g)].map((match) => match[1]!).filter((path) => existsSync(path));
}

/** The package folders `names` need at run time (dependencies and optional ones), as Node resolves them. */
function dependencyClosure(names: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const visit = (name: string, from: string) => {
    const dir = resolvePackage(name, from);
    if (dir === undefined || seen.has(dir)) return;
    seen.add(dir);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    for (const dependency of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies })) {
      visit(dependency, dir);
    }
  };
  for (const name of names) visit(name, PROJECT);
  return seen;
}

/** Node's lookup: FROM/node_modules/NAME, then each parent's, up to the project. */
function resolvePackage(name: string, from: string): string | undefined {
  for (let dir = from; dir.startsWith(PROJECT); dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === PROJECT) break;
  }
  return undefined;
}
