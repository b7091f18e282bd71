import assert from 'node:assert/strict';

/** Asserts that an AWS SDK call fails with the named exception (and, optionally, a message). */
export function rejectsWith(promise: Promise<unknown>, name: string, message?: RegExp): Promise<void> {
  return assert.rejects(promise, (error: Error) => {
    assert.equal(error.name, name, error.message);
    if (message) assert.match(error.message, message);
    return true;
  });
}
