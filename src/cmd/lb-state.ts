import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DataPlaneConfig, configHash } from '../elb/index.ts';
import { writeFileAtomic } from '../shared/atomic-file.ts';

/**
 * What a `berth lb` keeps in its state folder (0700): config.json, the last configuration it
 * applied (0600: it holds the HTTPS listeners' private keys), replaced atomically after each apply
 * so an lb restarted while the server is down serves it; and, for the lb a server started,
 * server.json, where that server says it listens (rewritten at each server start).
 */
const CONFIG_FILE = 'config.json';
const SERVER_FILE = 'server.json';

export function readSavedConfig(stateDir: string): { hash: string; config: DataPlaneConfig } | undefined {
  let text: string;
  try {
    text = readFileSync(join(stateDir, CONFIG_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const config = JSON.parse(text) as DataPlaneConfig;
  if (!Array.isArray(config.listeners) || !Array.isArray(config.targetGroups))
    throw new Error(`${join(stateDir, CONFIG_FILE)} is not a load balancer configuration`);
  return { hash: configHash(config), config };
}

export function saveConfig(stateDir: string, saved: { config: DataPlaneConfig }): void {
  writeFileAtomic(join(stateDir, CONFIG_FILE), JSON.stringify(saved.config));
}

export function stateFolderGone(stateDir: string): boolean {
  return !existsSync(stateDir);
}

export function serverFile(stateDir: string): string {
  return join(stateDir, SERVER_FILE);
}

/** The server's URL as server.json has it, or undefined while there is none. */
export function readServerEndpoint(file: string): URL | undefined {
  try {
    const { endpoint } = JSON.parse(readFileSync(file, 'utf8')) as { endpoint?: string };
    return endpoint ? new URL(endpoint) : undefined;
  } catch {
    return undefined;
  }
}

export function writeServerEndpoint(stateDir: string, endpoint: string): void {
  writeFileAtomic(serverFile(stateDir), JSON.stringify({ endpoint }));
}
