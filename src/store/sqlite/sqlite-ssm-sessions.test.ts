import { runSsmSessionStoreContract } from '../../../testing/ssm-session-store-contract.ts';
import { SqliteStore } from './sqlite-store.ts';

runSsmSessionStoreContract('sqlite', () => SqliteStore.open(':memory:'));
