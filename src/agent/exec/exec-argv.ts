// How the SSM agent in an ECS task turns ExecuteCommand's `command` into a process: in container
// mode it splits the string with github.com/google/shlex and execs the words, no shell
// (agent/session/shell/shell_unix.go). An empty command runs `sh`. shlex's rules, kept here:
// blanks (space, tab, CR, LF) separate words; '...' is literal; "..." keeps everything but a
// backslash, which makes the next character literal; outside quotes a backslash makes the next
// character literal; a # that begins a word starts a comment to the end of the line.

/** Raised for a command shlex cannot split (an open quote, a trailing backslash) or that has no words. */
export class ExecCommandError extends Error {
  override readonly name = 'ExecCommandError';
}

const BLANKS = ' \t\r\n';

/** How the command string becomes argv (as the SSM agent splits it for ECS Exec: no shell). */
export function execArgv(command: string): string[] {
  if (command.trim() === '') return ['sh'];
  const words: string[] = [];
  let i = 0;
  while (i < command.length) {
    const c = command[i]!;
    if (BLANKS.includes(c)) {
      i++;
    } else if (c === '#') {
      const end = command.indexOf('\n', i);
      i = end < 0 ? command.length : end + 1;
    } else {
      const [word, next] = readWord(command, i);
      words.push(word);
      i = next;
    }
  }
  if (words.length === 0) throw new ExecCommandError(`no command in ${JSON.stringify(command)}`);
  return words;
}

/** One word from `start`; returns it and the index after it. Linear in its length. */
function readWord(command: string, start: number): [string, number] {
  let word = '';
  let i = start;
  while (i < command.length) {
    const c = command[i]!;
    if (BLANKS.includes(c)) break;
    if (c === '\\') {
      if (i + 1 >= command.length) throw new ExecCommandError('the command ends with a backslash');
      word += command[i + 1];
      i += 2;
    } else if (c === "'") {
      const end = command.indexOf("'", i + 1);
      if (end < 0) throw new ExecCommandError('the command has an unterminated quote');
      word += command.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      [word, i] = readDoubleQuoted(command, i + 1, word);
    } else {
      word += c;
      i++;
    }
  }
  return [word, i];
}

function readDoubleQuoted(command: string, start: number, prefix: string): [string, number] {
  let word = prefix;
  for (let i = start; i < command.length; i++) {
    const c = command[i]!;
    if (c === '"') return [word, i + 1];
    if (c === '\\') {
      if (i + 1 >= command.length) break;
      i++;
      word += command[i];
    } else {
      word += c;
    }
  }
  throw new ExecCommandError('the command has an unterminated quote');
}
