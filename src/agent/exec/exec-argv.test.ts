import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExecCommandError, execArgv } from './exec-argv.ts';

// Cases as github.com/google/shlex splits them (the SSM agent's split of ECS Exec's command).
describe('execArgv', () => {
  const cases: [string, string[]][] = [
    ['/bin/sh', ['/bin/sh']],
    ['cat /etc/hostname', ['cat', '/etc/hostname']],
    ['  ls \t -l\n/tmp  ', ['ls', '-l', '/tmp']],
    [`sh -c 'echo $HOME; ls'`, ['sh', '-c', 'echo $HOME; ls']],
    [`echo "a \\"b\\" \\$c" d`, ['echo', 'a "b" $c', 'd']],
    [`echo a\\ b`, ['echo', 'a b']],
    [`echo pre'quoted'"mix"post`, ['echo', 'prequotedmixpost']],
    [`echo '' ""`, ['echo', '', '']],
    ['echo a#b # a comment', ['echo', 'a#b']],
    ['echo one # comment\necho two', ['echo', 'one', 'echo', 'two']],
    ['', ['sh']],
    ['   ', ['sh']],
  ];
  for (const [command, argv] of cases) {
    it(`splits ${JSON.stringify(command)}`, () => assert.deepEqual(execArgv(command), argv));
  }

  it('refuses what shlex refuses, and a command of comments only', () => {
    for (const command of [`echo 'open`, `echo "open`, 'echo \\', '# only a comment']) {
      assert.throws(() => execArgv(command), ExecCommandError, command);
    }
  });

  it('takes linear time on long input', () => {
    const long = `${'a '.repeat(100_000)}"${'b'.repeat(100_000)}"`;
    assert.equal(execArgv(long).length, 100_001);
  });
});
