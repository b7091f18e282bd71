import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { isIPv4 } from 'node:net';
import { KeyedMutex } from '../../../shared/keyed-mutex.ts';

// ECS containers fetch task-role credentials (and metadata) from http://169.254.170.2. The ECS
// agent makes that address answer with host NAT rules (ecs-init/exec/iptables/iptables.go): one
// PREROUTING DNAT to 127.0.0.1:51679 (which needs route_localnet=1) and one OUTPUT REDIRECT. Several
// Berth agents can share a host, each with its own listener, so Berth routes per interface instead:
//
//   nat PREROUTING ─ -d 169.254.170.2/32 -p tcp --dport 80 → BERTH-CREDENTIALS
//        -m mac --mac-source <container's MAC> → DNAT <agent's address on that Docker network>:<port>
//   nat OUTPUT ───── -d 169.254.170.2/32 -p tcp --dport 80 → BERTH-CREDENTIALS-HOST
//        (host network mode) newest first → DNAT 127.0.0.1:<port>
//
// Two chains, because the kernel refuses a mac match in any chain reachable from OUTPUT (there is
// no link-layer source there: "RULE_APPEND failed (Invalid argument)"), and because it keeps the
// host rule out of PREROUTING, where it would catch every container. The DNATs go to a
// non-loopback address or come from the host itself, so no route_localnet is needed. Every rule
// carries the comment "berth <owner> <task id | host>", so an agent finds and removes its own.
// The chains, their jumps and the route made for host mode stay: all agents on the host share them.

export const CREDENTIALS_ADDRESS = '169.254.170.2';
export const CONTAINER_CHAIN = 'BERTH-CREDENTIALS';
export const HOST_CHAIN = 'BERTH-CREDENTIALS-HOST';

export interface ContainerRoute {
  /** The source MAC of the container's interface (a bridge container's, or the awsvpc sandbox's). */
  readonly mac: string;
  /** The agent's metadata listener: its address on the container's Docker network, and port. */
  readonly address: string;
  readonly port: number;
  readonly owner: string;
  readonly taskId: string;
}

export interface HostRoute {
  /** The agent's listener on 127.0.0.1. */
  readonly port: number;
  readonly owner: string;
}

export interface CredentialsRoutes {
  /** Idempotent. Another rule for the same MAC is stale (Docker derives MACs from IPs) and goes. */
  addContainer(route: ContainerRoute): Promise<void>;
  /** An absent rule is fine. */
  removeContainer(route: ContainerRoute): Promise<void>;
  /** Host-mode tasks of this agent; the most recently added owner wins on the host. */
  addHost(route: HostRoute): Promise<void>;
  removeHost(route: HostRoute): Promise<void>;
  /** Every rule whose comment names `owner`: leftovers of a previous run. */
  removeOwned(owner: string): Promise<void>;
}

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs one command with these arguments; a failure is a result (code -1: it could not run), not a throw. */
export type RunCommand = (args: readonly string[]) => Promise<CommandResult>;

export interface CredentialsRoutesOptions {
  readonly log: { warn(obj: object, msg: string): void };
  /** Runs `iptables`; tests put it in a network namespace or fake it. */
  readonly run?: RunCommand;
  /** Runs `ip` (iproute2), for the route that host mode needs on a host without a default route. */
  readonly runIp?: RunCommand;
}

// One queue per process: a compound change (list, then delete) never interleaves with another.
const queue = new KeyedMutex();
const serialized = <T>(work: () => Promise<T>): Promise<T> => queue.run('iptables', work);

const MAC = /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/;
// Comments are space-separated words, and iptables quotes them in its listing.
const WORD = /^[A-Za-z0-9][A-Za-z0-9._:@/-]*$/;
const MAX_COMMENT = 256;

/**
 * The rules and their argument lists; the factory below runs them. Returns undefined, after one
 * warning, when this host cannot have them (no iptables binary, not root, no nat table or mac match).
 */
export async function iptablesCredentialsRoutes(
  options: CredentialsRoutesOptions,
): Promise<CredentialsRoutes | undefined> {
  const iptables = options.run ?? commandRunner('iptables');
  const ip = options.runIp ?? commandRunner('ip');
  const problem = await serialized(() => prepareChains(iptables));
  if (problem) {
    options.log.warn(
      { problem },
      `No route to ${CREDENTIALS_ADDRESS} on this host: its containers get no task role credentials or metadata from it`,
    );
    return undefined;
  }
  return {
    addContainer: (route) => {
      const spec = containerRuleSpec(route);
      return serialized(async () => {
        if (await hasRule(iptables, CONTAINER_CHAIN, spec)) return;
        for (const stale of staleRulesFor(await listRules(iptables, CONTAINER_CHAIN), spec)) {
          await deleteRule(iptables, CONTAINER_CHAIN, stale);
        }
        await expectSuccess(iptables, natArgs('-I', CONTAINER_CHAIN, spec, 1));
      });
    },
    removeContainer: (route) => {
      const spec = containerRuleSpec(route);
      return serialized(() => deleteRule(iptables, CONTAINER_CHAIN, spec));
    },
    addHost: (route) => {
      const spec = hostRuleSpec(route);
      return serialized(async () => {
        await ensureLocalRoute(ip, options.log);
        if (await hasRule(iptables, HOST_CHAIN, spec)) return;
        await expectSuccess(iptables, natArgs('-I', HOST_CHAIN, spec, 1));
      });
    },
    removeHost: (route) => {
      const spec = hostRuleSpec(route);
      return serialized(() => deleteRule(iptables, HOST_CHAIN, spec));
    },
    removeOwned: (owner) => {
      checkWord('owner', owner);
      return serialized(async () => {
        for (const chain of [CONTAINER_CHAIN, HOST_CHAIN]) {
          for (const rule of await listRules(iptables, chain)) {
            if (isOwnedBy(rule, owner)) await deleteRule(iptables, chain, rule.spec);
          }
        }
      });
    },
  };
}

/** A random locally administered unicast MAC, outside Docker's own 02:42: prefix. */
export function newContainerMac(): string {
  const bytes = randomBytes(6);
  bytes[0] = (bytes[0]! & 0xfc) | 0x02; // unicast (bit 0 clear), locally administered (bit 1 set)
  if (bytes[0] === 0x02 && bytes[1] === 0x42) bytes[1] = 0x43;
  return [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join(':');
}

// ── argument lists (pure) ─────────────────────────────────────────────────────────────────────

/** `iptables -w -t nat <action> <chain> [position] <spec>`; -w waits for the xtables lock. */
export function natArgs(action: '-A' | '-I' | '-C' | '-D', chain: string, spec: readonly string[], position?: number) {
  return ['-w', '-t', 'nat', action, chain, ...(position === undefined ? [] : [String(position)]), ...spec];
}

/** What jumps from a built-in chain to one of Berth's: only TCP to 169.254.170.2:80. */
export function jumpSpec(chain: string): string[] {
  return ['-d', `${CREDENTIALS_ADDRESS}/32`, '-p', 'tcp', '--dport', '80', '-j', chain];
}

/** DNAT with a port needs `-p tcp` in the rule itself, whatever the jump to its chain matched. */
export function containerRuleSpec(route: ContainerRoute): string[] {
  const mac = route.mac.toLowerCase();
  if (!MAC.test(mac)) throw new Error(`Not a MAC address: '${route.mac}'`);
  return [
    '-p',
    'tcp',
    '-m',
    'mac',
    '--mac-source',
    mac,
    ...commentArgs(route.owner, route.taskId),
    '-j',
    'DNAT',
    '--to-destination',
    destination(route.address, route.port),
  ];
}

/** DNAT to 127.0.0.1 on OUTPUT is what ECS's `REDIRECT --to-ports` does for local packets. */
export function hostRuleSpec(route: HostRoute): string[] {
  return [
    '-p',
    'tcp',
    ...commentArgs(route.owner, 'host'),
    '-j',
    'DNAT',
    '--to-destination',
    destination('127.0.0.1', route.port),
  ];
}

export interface ListedRule {
  /** The rule's arguments after `-A <chain>`: what -C and -D take. */
  readonly spec: readonly string[];
  readonly comment?: string | undefined;
  readonly mac?: string | undefined;
}

/** The rules of `iptables -S <chain>` output (its `-N`/`-P` lines are skipped). */
export function parseRules(listing: string, chain: string): ListedRule[] {
  const rules: ListedRule[] = [];
  for (const line of listing.split('\n')) {
    const words = splitWords(line);
    if (words[0] !== '-A' || words[1] !== chain) continue;
    const spec = words.slice(2);
    rules.push({ spec, comment: valueAfter(spec, '--comment'), mac: valueAfter(spec, '--mac-source')?.toLowerCase() });
  }
  return rules;
}

export function isOwnedBy(rule: ListedRule, owner: string): boolean {
  const words = rule.comment?.split(' ') ?? [];
  return words[0] === 'berth' && words[1] === owner;
}

/** Rules for the same MAC as `spec` but not `spec` itself: an earlier interface's, now stale. */
export function staleRulesFor(rules: readonly ListedRule[], spec: readonly string[]): (readonly string[])[] {
  const mac = valueAfter(spec, '--mac-source');
  return rules.filter((rule) => rule.mac === mac && !sameSpec(rule.spec, spec)).map((rule) => rule.spec);
}

function commentArgs(owner: string, what: string): string[] {
  checkWord('owner', owner);
  checkWord('task id', what);
  const comment = `berth ${owner} ${what}`;
  if (comment.length > MAX_COMMENT)
    throw new Error(`An iptables comment holds ${MAX_COMMENT} characters: '${comment}'`);
  return ['-m', 'comment', '--comment', comment];
}

function destination(address: string, port: number): string {
  if (!isIPv4(address)) throw new Error(`Not an IPv4 address: '${address}'`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`Not a port: ${port}`);
  return `${address}:${port}`;
}

function checkWord(what: string, value: string): void {
  if (!WORD.test(value))
    throw new Error(`An ${what} in an iptables comment is one word of [A-Za-z0-9._:@/-]: '${value}'`);
}

function valueAfter(words: readonly string[], flag: string): string | undefined {
  const at = words.indexOf(flag);
  return at === -1 ? undefined : words[at + 1];
}

function sameSpec(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((word, i) => word === b[i]);
}

/** Splits a listing line into words; iptables double-quotes a comment, escaping `"` and `\` inside. */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined; // undefined between words; '' is a word ("")
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted && c === '\\') {
      word += line[++i] ?? '';
    } else if (c === '"') {
      quoted = !quoted;
      word ??= '';
    } else if (!quoted && (c === ' ' || c === '\t' || c === '\r')) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

// ── running them ──────────────────────────────────────────────────────────────────────────────

/** The chains and jumps every agent on the host shares; a reason when the host cannot have them. */
async function prepareChains(iptables: RunCommand): Promise<string | undefined> {
  const listed = await iptables(['-w', '-t', 'nat', '-S', 'PREROUTING']);
  if (listed.code !== 0) return describe('iptables -t nat -S PREROUTING', listed);
  for (const [hook, chain] of [
    ['PREROUTING', CONTAINER_CHAIN],
    ['OUTPUT', HOST_CHAIN],
  ] as const) {
    const created = await iptables(['-w', '-t', 'nat', '-N', chain]);
    // Another agent may have created it since: that is success too.
    if (created.code !== 0 && !/already exists/i.test(created.stderr)) return describe(`iptables -N ${chain}`, created);
    try {
      // First in the hook: Docker's own rules (and an ECS agent's DNAT) come after ours. Two agents
      // starting at once may both insert it; the second copy is harmless (a connection is NATed once).
      if (!(await hasRule(iptables, hook, jumpSpec(chain)))) {
        await expectSuccess(iptables, natArgs('-I', hook, jumpSpec(chain), 1));
      }
    } catch (error) {
      return (error as Error).message;
    }
  }
  // The mac match and DNAT are kernel modules of their own: add and delete a rule nothing sends from.
  const probe = containerRuleSpec({
    mac: '02:00:00:00:00:00',
    address: '127.0.0.1',
    port: 9,
    owner: 'probe',
    taskId: 'probe',
  });
  const added = await iptables(natArgs('-A', CONTAINER_CHAIN, probe));
  if (added.code !== 0) return describe('iptables -m mac … -j DNAT', added);
  await iptables(natArgs('-D', CONTAINER_CHAIN, probe));
  return undefined;
}

/** -C: 0 present, 1 absent (or no such chain); anything else is a problem with the command itself. */
async function hasRule(iptables: RunCommand, chain: string, spec: readonly string[]): Promise<boolean> {
  const checked = await iptables(natArgs('-C', chain, spec));
  if (checked.code === 0 || checked.code === 1) return checked.code === 0;
  throw new Error(describe(`iptables -C ${chain}`, checked));
}

/** Deletes one copy of a rule; one already gone (another agent's cleanup, a flushed table) is fine. */
async function deleteRule(iptables: RunCommand, chain: string, spec: readonly string[]): Promise<void> {
  const deleted = await iptables(natArgs('-D', chain, spec));
  if (deleted.code === 0 || !(await hasRule(iptables, chain, spec))) return;
  throw new Error(describe(`iptables -D ${chain}`, deleted));
}

async function listRules(iptables: RunCommand, chain: string): Promise<ListedRule[]> {
  const listed = await iptables(['-w', '-t', 'nat', '-S', chain]);
  if (listed.code === 1) return []; // no such chain (flushed by a firewall reload): nothing to find
  if (listed.code !== 0) throw new Error(describe(`iptables -S ${chain}`, listed));
  return parseRules(listed.stdout, chain);
}

async function expectSuccess(iptables: RunCommand, args: readonly string[]): Promise<void> {
  const result = await iptables(args);
  if (result.code !== 0) throw new Error(describe(`iptables ${args.slice(3, 5).join(' ')}`, result));
}

/**
 * A local connect to 169.254.170.2 needs a route before nat OUTPUT can rewrite it (without one,
 * connect() fails with ENETUNREACH). A host with a default route has one; elsewhere, a /32 on lo
 * with source 127.0.0.1 (without it, a host whose only address is 127.0.0.1 picks no source).
 */
async function ensureLocalRoute(ip: RunCommand, log: CredentialsRoutesOptions['log']): Promise<void> {
  const found = await ip(['-4', 'route', 'get', CREDENTIALS_ADDRESS]);
  if (found.code === 0) return;
  if (found.code === -1) {
    log.warn({ problem: found.stderr }, `Cannot check for a route to ${CREDENTIALS_ADDRESS} without iproute2's ip`);
    return;
  }
  const added = await ip(['-4', 'route', 'add', `${CREDENTIALS_ADDRESS}/32`, 'dev', 'lo', 'src', '127.0.0.1']);
  if (added.code !== 0 && !/File exists/i.test(added.stderr)) throw new Error(describe('ip route add', added));
}

function describe(command: string, result: CommandResult): string {
  return `${command} failed (${result.code}): ${result.stderr.trim() || result.stdout.trim()}`;
}

function commandRunner(file: string): RunCommand {
  return (args) =>
    new Promise((resolve) => {
      execFile(file, [...args], { timeout: 60_000, encoding: 'utf8' }, (error, stdout, stderr) => {
        if (!error) return resolve({ code: 0, stdout, stderr });
        const code = typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr: stderr || error.message });
      });
    });
}
