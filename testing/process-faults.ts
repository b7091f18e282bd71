/*
 * Faults only a whole `berth server` process can show, for process tests: loaded with
 * `node --import testing/process-faults.ts bin/berth.js server`, chosen by BERTH_TEST_FAULT.
 *   start-after-listen  managed capacity fails with ENOSPC once the listener is open
 *   rejection           SIGUSR2 makes a promise reject with no handler
 *   exception           SIGUSR2 throws out of an event listener
 */
const fault = process.env.BERTH_TEST_FAULT;

if (fault === 'start-after-listen') {
  const { Agent } = await import('../src/agent/index.ts');
  Agent.prototype.start = () => {
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  };
}

process.on('SIGUSR2', () => {
  if (fault === 'rejection') void Promise.reject(new Error('a stray rejection'));
  if (fault === 'exception') throw new Error('a stray exception');
});
