import { ConfigError, parseServerConfig, SERVER_FLAGS_HELP } from '../shared/config.ts';
import { DockerEngine, DockerRuntime } from '../agent/index.ts';
import { runAdminCommand, type AdminCommand } from './admin-command.ts';
import { runAgentCommand } from './agent-command.ts';
import { runLbCommand } from './lb-command.ts';
import { startServer, type RunningServer } from './server.ts';
import { createLogger, type Logger } from '../shared/logger.ts';

const USAGE = `Usage: berth <command> [flags]

Commands:
  server    serve the AWS APIs (ECS, ECR) and the registry on one port
  agent     join this host to a cluster and run its tasks on Docker (berth agent --help)
  lb        run the load balancers' listeners, configured by a server (berth lb --help;
            the server starts one itself unless BERTH_LB is off)
  gc        collect registry garbage now on a running server [--endpoint URL]
  lifecycle apply the ECR lifecycle policies now on a running server [--endpoint URL]
            (these two are signed with the root AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, and
            find the server at --endpoint, BERTH_ENDPOINT, or BERTH_HOST:BERTH_PORT)
  help      this text; \`berth <command> --help\` for a command's own

Server flags (each also read from the environment variable shown; flags win):
${SERVER_FLAGS_HELP}
`;

const ADMIN_COMMANDS: Readonly<Record<string, AdminCommand>> = {
  gc: {
    name: 'gc',
    path: '/berth/registry/garbage-collection',
    summary: 'Collects registry garbage now on a running server (unreferenced blobs older than the grace period).',
  },
  lifecycle: {
    name: 'lifecycle',
    path: '/berth/registry/lifecycle-evaluation',
    summary: "Applies the repositories' ECR lifecycle policies now on a running server.",
  },
};

/** Runs the `berth` command; resolves with the exit code once a server has started (or failed). */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command === 'agent') {
    return runAgentCommand(
      rest,
      process.env,
      (owner, registryAuth, options) =>
        new DockerRuntime({ engine: new DockerEngine(), owner, registryAuth, bridgeDns: options.bridgeDns }),
    );
  }
  if (command === 'lb') return runLbCommand(rest, process.env);
  const admin = ADMIN_COMMANDS[command];
  if (admin) return runAdminCommand(admin, rest, process.env);
  if (command !== 'server') {
    process.stderr.write(
      command === 'iam'
        ? "berth: 'berth iam' is gone: manage users, keys and policies with the IAM API (aws iam ..., signed with the root keys)\n"
        : `berth: unknown command '${command}' (berth --help lists them)\n`,
    );
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(
      `Usage: berth server [flags]\n\nServes the AWS APIs and the registry on one port.\n\nFlags (each also read from the environment variable shown; flags win):\n${SERVER_FLAGS_HELP}`,
    );
    return 0;
  }
  let config;
  try {
    config = parseServerConfig(rest, process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`berth: invalid configuration: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  // Everything the server creates is private to its user (0700 folders, 0600 files), whatever
  // creates it; the data folder's existing content is repaired at start (shared/data-folder.ts).
  process.umask(0o077);
  const logger = createLogger(config.logLevel);
  // Handlers go in before the server starts: a signal during start-up stops it once it is up.
  let signals = 0;
  let stopRequested: NodeJS.Signals | undefined;
  let running: RunningServer | undefined;
  const shutDown = (server: RunningServer, signal: NodeJS.Signals): void => {
    server.logger.info({ signal }, 'shutting down: finishing in-flight requests');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        server.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals > 1) {
      running?.logger.warn({ signal }, 'second signal: exiting at once');
      process.exit(130);
    }
    if (running) shutDown(running, signal);
    else stopRequested = signal;
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  handleStrayErrors(logger, () => running);
  try {
    running = await startServer(config, { logger });
  } catch (error) {
    logger.error({ err: error }, 'cannot start');
    process.stderr.write(`berth: cannot start: ${oneLine(error)}\n`);
    // startServer closed what it opened; exiting here also ends whatever it could not (a listener
    // some component left open), instead of serving on after a failed start.
    process.exit(1);
  }
  if (stopRequested) shutDown(running, stopRequested);
  return 0;
}

/**
 * The process-wide policy for errors no caller handled (src/cmd/README.md says why):
 * - an unhandled rejection is logged, with its stack, and the server keeps serving: it is one
 *   request's or one background job's promise that nobody awaited, and what it was doing is over;
 * - an uncaught exception is logged and the server stops (as on SIGTERM, but at most 10 s for
 *   in-flight requests) and exits 1 for its supervisor to restart it: it was thrown out of
 *   code that did not finish, which may hold a lock or a transaction that nothing will release.
 */
function handleStrayErrors(logger: Logger, running: () => RunningServer | undefined): void {
  process.on('unhandledRejection', (reason) => {
    logger.error({ err: reason }, 'unhandled promise rejection (logged; the server keeps serving)');
  });
  let stopping = false;
  process.on('uncaughtException', (error, origin) => {
    logger.fatal({ err: error, origin }, 'uncaught exception: stopping the server, exit code 1');
    const server = running();
    if (stopping || !server) process.exit(1);
    stopping = true;
    setTimeout(() => process.exit(1), 10_000).unref();
    server.close().finally(() => process.exit(1));
  });
}

/** An error's message on one line, for stderr. */
function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\n\s*/g, ' ').trim();
}
