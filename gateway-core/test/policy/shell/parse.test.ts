import { describe, expect, it } from 'vitest';
import { needsMoreInput, normalisePath, parseCommandLine, splitPastedLines } from '../../../src/policy/shell/index.js';

const progs = (line: string): string[][] => parseCommandLine(line).commands.map((c) => [c.program, ...c.args]);

describe('parseCommandLine: quoting and escapes', () => {
  it.each([
    ['echo a\\ b "c\\"d" \'e\'"\'"\'f\'', ['echo', 'a b', 'c"d', "e'f"]],
    ["echo 'a $HOME \\n'", ['echo', 'a $HOME \\n']],
    ['echo "x\\y" "\\$HOME"', ['echo', 'x\\y', '$HOME']],
    ["echo $'a\\tb\\x41\\101\\u00e9'", ['echo', 'a\tbAAé']],
    ['echo $"hi"', ['echo', 'hi']],
    ['r\\m x', ['rm', 'x']],
    ["'r'm x", ['rm', 'x']],
    ['"r"m x', ['rm', 'x']],
    ['/usr/local/bin/rm x', ['rm', 'x']],
    ['rm \\\n-rf x', ['rm', '-rf', 'x']],
    ['echo "a\\\nb"', ['echo', 'ab']],
  ])('%j', (line, expected) => {
    expect(progs(line)).toEqual([expected]);
  });

  it('keeps expansions as source text and marks them dynamic', () => {
    const [cmd] = parseCommandLine('ls "$HOME"/x ${Y:-z} plain').commands;
    expect(cmd?.args).toEqual(['$HOME/x', '${Y:-z}', 'plain']);
    expect(cmd?.argInfo.map((a) => a.dynamic)).toEqual([true, true, false]);
  });

  it('marks unquoted globs only', () => {
    const [cmd] = parseCommandLine("ls * '*' \\* x?").commands;
    expect(cmd?.argInfo.map((a) => a.globbed)).toEqual([true, false, false, true]);
  });
});

describe('parseCommandLine: operators and structure', () => {
  it('splits on ; && || | & |& and newlines', () => {
    expect(progs('a; b && c || d | e & f |& g\nh').map((c) => c[0])).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
  });

  it('does not split inside quotes', () => {
    expect(progs('echo "a; b && c | d" \'e & f\'')).toEqual([['echo', 'a; b && c | d', 'e & f']]);
  });

  it('records pipeline and background context', () => {
    const cmds = parseCommandLine('a | b; c &').commands;
    expect(cmds.map((c) => [c.program, c.inPipeline, c.background])).toEqual([['a', true, false], ['b', true, false], ['c', false, true]]);
  });

  it('walks subshells, brace groups, if/while/for/case', () => {
    expect(progs('(a; (b)) && { c; d; }').map((c) => c[0])).toEqual(['a', 'b', 'c', 'd']);
    expect(progs('if a; then b; elif c; then d; else e; fi').map((c) => c[0])).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(progs('while a; do b; done; until c; do d; done').map((c) => c[0])).toEqual(['a', 'b', 'c', 'd']);
    expect(progs('for i in 1 2; do b $i; done').map((c) => c[0])).toEqual(['b']);
    expect(progs('case $x in a|b) c;; *) d;; esac').map((c) => c[0])).toEqual(['c', 'd']);
  });

  it('separates assignments and redirections from arguments', () => {
    const [cmd] = parseCommandLine('A=1 B="x y" cmd arg 2>&1 >> log < in <<< "s"').commands;
    expect(cmd?.program).toBe('cmd');
    expect(cmd?.args).toEqual(['arg']);
    expect(cmd?.redirects.map((r) => [r.op, r.fd, r.target])).toEqual([['>&', 2, '1'], ['>>', undefined, 'log'], ['<', undefined, 'in'], ['<<<', undefined, 's']]);
  });

  it('reports a bare redirection as a command without program', () => {
    expect(parseCommandLine('> /dev/sda').commands[0]).toMatchObject({ program: '', redirects: [{ op: '>', target: '/dev/sda' }] });
  });

  it('collects here-document bodies', () => {
    const r = parseCommandLine('cat <<EOF\nrm -rf /\nEOF\necho done');
    expect(r.commands.map((c) => c.program)).toEqual(['cat', 'echo']);
  });

  it('ignores comments', () => {
    expect(progs('ls # ; rm -rf /')).toEqual([['ls']]);
  });
});

describe('parseCommandLine: positions', () => {
  it('gives start/end offsets of each simple command in the line', () => {
    const line = '  ls -la ;  sudo rm -rf /tmp/x && echo "$(whoami)"';
    const r = parseCommandLine(line);
    const at = (p: string) => r.commands.find((c) => c.program === p);
    for (const [p, text] of [['ls', 'ls -la'], ['sudo', 'sudo rm -rf /tmp/x'], ['rm', 'rm -rf /tmp/x'], ['whoami', 'whoami'], ['echo', 'echo "$(whoami)"']] as const) {
      const c = at(p);
      expect(line.slice(c?.start, c?.end)).toBe(text);
      expect(c?.raw).toBe(text);
    }
    expect(at('rm')?.via).toEqual(['sudo']);
    expect(at('whoami')?.via).toEqual(['$(...)']);
  });

  it('maps nested script commands to the word that holds the script', () => {
    const line = 'x; bash -c "rm -rf /"';
    const rm = parseCommandLine(line).commands.find((c) => c.program === 'rm');
    expect(line.slice(rm?.start, rm?.end)).toBe('"rm -rf /"');
    expect(rm?.via).toEqual(['bash -c']);
  });

  it('reports unterminated quotes with a position, keeping the complete prefix', () => {
    const r = parseCommandLine('ls; echo "abc');
    expect(r.error).toEqual({ message: 'unterminated double quote', position: 9 });
    expect(r.commands.map((c) => c.program)).toEqual(['ls', 'echo']);
    expect(r.opaque[0]?.kind).toBe('unterminated');
  });
});

describe('parseCommandLine: wrappers and nested scripts', () => {
  it.each([
    ['sudo -u root -E -- rm x', ['sudo', 'rm']],
    ['env -i -u HOME A=1 rm x', ['env', 'rm']],
    ['nice -n 5 nohup ionice -c 3 rm x', ['nice', 'nohup', 'ionice', 'rm']],
    ['timeout -s KILL 10s rm x', ['timeout', 'rm']],
    ['xargs -n 1 -I{} rm x', ['xargs', 'rm']],
    ['command -v rm', ['command']],
    ['busybox rm x', ['busybox', 'rm']],
    ["sh -c 'a; b'", ['sh', 'a', 'b']],
    ["eval 'a && b'", ['eval', 'a', 'b']],
    ["su - root -c 'a'", ['su', 'a']],
    ['find . -exec rm {} +', ['find', 'rm']],
  ])('%s', (line, expected) => {
    expect(parseCommandLine(line).commands.map((c) => c.program)).toEqual(expected);
  });

  it('appends a run-time argument for xargs', () => {
    const rm = parseCommandLine('xargs rm -f').commands.find((c) => c.program === 'rm');
    expect(rm?.argInfo.at(-1)?.dynamic).toBe(true);
  });

  it('bounds recursion depth', () => {
    let line = 'rm -rf /';
    for (let i = 0; i < 10; i++) line = `sh -c ${JSON.stringify(line).replace(/\$/g, '\\$')}`;
    expect(parseCommandLine(line).opaque.some((o) => o.kind === 'too-deep')).toBe(true);
  });

  it('flags a function definition and tags its body commands', () => {
    const r = parseCommandLine('f() { g | h & }');
    expect(r.opaque.map((o) => o.kind)).toEqual(['function-definition']);
    expect(r.commands.map((c) => [c.program, c.inFunction, c.inPipeline, c.background])).toEqual([['g', 'f', true, true], ['h', 'f', true, true]]);
  });
});

describe('normalisePath', () => {
  it.each([
    ['//', '/'], ['/./', '/'], ['/usr/..', '/'], ['/..', '/'], ['/etc/', '/etc'], ['/a//b/./c/../d', '/a/b/d'],
    ['./build/', 'build'], ['~/', '~'], ['~/x/../y', '~/y'],
  ])('%s → %s', (p, expected) => {
    expect(normalisePath(p)).toBe(expected);
  });
  it('resolves relative paths against a known cwd', () => {
    expect(normalisePath('../..', '/var/www')).toBe('/');
    expect(normalisePath('*', '/')).toBe('/*');
  });
});

describe('splitPastedLines', () => {
  it('splits complete lines and drops blanks', () => {
    expect(splitPastedLines('ls\r\n\ncd /tmp\n')).toEqual(['ls', 'cd /tmp']);
  });
  it('keeps continuations, open quotes, here-documents and open constructs together', () => {
    const text = ['echo a \\', '  b', 'echo "x', 'y"', 'cat <<EOF', 'rm -rf /', 'EOF', 'if true; then', '  ls', 'fi', 'ls |', '  wc -l', 'done'].join('\n');
    expect(splitPastedLines(text)).toEqual([
      'echo a \\\n  b',
      'echo "x\ny"',
      'cat <<EOF\nrm -rf /\nEOF',
      'if true; then\n  ls\nfi',
      'ls |\n  wc -l',
      'done',
    ]);
  });
  it('returns a trailing unterminated chunk as is', () => {
    expect(splitPastedLines("ls\necho 'abc")).toEqual(['ls', "echo 'abc"]);
  });
  it('needsMoreInput mirrors the PS2 prompt', () => {
    expect(needsMoreInput('echo "a')).toBe(true);
    expect(needsMoreInput('ls &&')).toBe(true);
    expect(needsMoreInput('{ ls;')).toBe(true);
    expect(needsMoreInput('ls && pwd')).toBe(false);
  });
});
