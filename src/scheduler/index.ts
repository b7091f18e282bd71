export { placeTasks, DYNAMIC_PORTS } from './place-tasks.ts';
export { seededRandom } from './seeded-random.ts';
export type * from './types.ts';
