// Shell rule schema and the default rule set.
//
// A command rule matches one *simple command* after the guard has unwrapped it
// (quotes removed, `/bin/rm` → `rm`, sudo/env/nice/xargs/bash -c peeled):
//
//   id         unique id, reported in decisions and audit records
//   action     deny | approve | allow; across all matching rules the strictest wins
//   program    glob(s) on the program basename ('rm', 'mkfs*', '*' = any, '' = bare redirect)
//   args       every present condition must hold:
//     flags      normalised option names that must all be present. `-rf`, `-fr`, `-r -f`,
//                `-R --force` and `--recursive --force` all yield {recursive, force} for rm;
//                unknown short letters stay themselves (`kill -9` → '9')
//     anyOf      at least one argument matches one of these globs (`of=/dev/sd*`)
//     allOf      every glob matches at least one argument
//     subcommand the first operand (non-option argument) matches one of these globs
//     targets    at least one operand, read as a path and normalised (`//`, `/./`, `a/..`,
//                trailing `/`, known cwd), matches one of these path globs. `*` and `?` do
//                not cross `/`. Unquoted globs and braces in the command are honoured
//                (`/e*` and `/{etc,usr}` reach `/etc`).
//   redirects  an output redirection (`>`, `>>`, `&>`, `>|`, `<>`) writes to a path matching one of these globs
//   reason     shown to the user and the approver
//
// A detector rule names a structural check the parser performs (`fork-bomb`).
// Arguments that are only known at run time ($VAR, $(..), xargs input) make a
// condition "possible"; a possible deny/approve match is decided with the policy's
// onUnparseable action, never stricter than the rule itself.
import { z } from 'zod';

export const ShellActionSchema = z.enum(['allow', 'approve', 'deny']);

const globs = z.array(z.string().min(1)).min(1);

export const ShellCommandRuleSchema = z
  .object({
    id: z.string().min(1),
    action: ShellActionSchema,
    program: z.union([z.string(), z.array(z.string()).min(1)]),
    args: z
      .object({
        flags: globs.optional(),
        anyOf: globs.optional(),
        allOf: globs.optional(),
        subcommand: globs.optional(),
        targets: globs.optional(),
      })
      .strict()
      .optional(),
    redirects: globs.optional(),
    reason: z.string().min(1),
  })
  .strict();

export const ShellDetectorRuleSchema = z
  .object({
    id: z.string().min(1),
    action: ShellActionSchema,
    detector: z.enum(['fork-bomb']),
    reason: z.string().min(1),
  })
  .strict();

export const ShellRuleSchema = z.union([ShellCommandRuleSchema, ShellDetectorRuleSchema]);

export const ShellPolicySchema = z
  .object({
    /** Role rules; evaluated together with DEFAULT_SHELL_RULES unless includeDefaultRules is false. */
    rules: z.array(ShellRuleSchema).default([]),
    includeDefaultRules: z.boolean().default(true),
    /** Action for a simple command no rule matches. */
    defaultAction: ShellActionSchema.default('allow'),
    /** Action for what the guard cannot resolve statically (see LIMITS.md). */
    onUnparseable: ShellActionSchema.default('deny'),
  })
  .strict()
  .superRefine((p, ctx) => {
    const seen = new Set<string>();
    p.rules.forEach((r, i) => {
      if (seen.has(r.id)) ctx.addIssue({ code: 'custom', message: `duplicate shell rule id "${r.id}"`, path: ['rules', i, 'id'] });
      seen.add(r.id);
    });
  });

export type ShellCommandRule = z.infer<typeof ShellCommandRuleSchema>;
export type ShellDetectorRule = z.infer<typeof ShellDetectorRuleSchema>;
export type ShellRule = z.infer<typeof ShellRuleSchema>;
export type ShellPolicy = z.output<typeof ShellPolicySchema>;
export type ShellPolicyInput = z.input<typeof ShellPolicySchema>;

// Top-level directories whose recursive removal or permission change breaks the host.
// `~` (and `~user`) is included: `rm -rf ~` takes the user's keys and configuration
// with it, and for root `~` is /root. `/tmp`, `/mnt`, `/media` are left out on purpose.
// `\*` is a literal star: `/etc/\*` matches the command word `/etc/*` (everything in
// /etc), not `/etc/nginx`; a command glob such as `/e*` still reaches `/etc`.
const SYSTEM_DIRS = ['bin', 'boot', 'dev', 'etc', 'home', 'lib', 'lib32', 'lib64', 'libx32', 'opt', 'proc', 'root', 'sbin', 'srv', 'sys', 'usr', 'var'];
export const PROTECTED_PATHS: readonly string[] = ['/', '/\\*', ...SYSTEM_DIRS.flatMap((d) => [`/${d}`, `/${d}/\\*`]), '~*', '~*/\\*'];

// Whole-disk and partition device nodes (not /dev/null, /dev/tty*, /dev/stdout ...).
export const BLOCK_DEVICES: readonly string[] = [
  '/dev/sd*', '/dev/hd*', '/dev/vd*', '/dev/xvd*', '/dev/nvme*', '/dev/mmcblk*', '/dev/md*',
  '/dev/dm-*', '/dev/mapper/*', '/dev/disk/*/*', '/dev/loop*', '/dev/nbd*', '/dev/rbd*', '/dev/mem', '/dev/kmem', '/dev/port',
];

export const DEFAULT_SHELL_RULES: readonly ShellRule[] = [
  {
    // Recursive alone is enough: as root, rm -r deletes without prompting, -f adds nothing.
    id: 'rm-recursive-system-path',
    action: 'deny',
    program: 'rm',
    args: { flags: ['recursive'], targets: [...PROTECTED_PATHS] },
    reason: 'recursive delete of the root file system, a top-level system directory or the home directory',
  },
  {
    id: 'no-preserve-root',
    action: 'deny',
    program: ['rm', 'chmod', 'chown', 'chgrp'],
    args: { flags: ['no-preserve-root'] },
    reason: '--no-preserve-root disables the safeguard against operating on /',
  },
  {
    id: 'mkfs',
    action: 'deny',
    program: ['mkfs', 'mkfs.*', 'mke2fs', 'mkswap', 'wipefs'],
    reason: 'creating a file system or wiping signatures destroys the data on the device',
  },
  {
    id: 'dd-to-block-device',
    action: 'deny',
    program: 'dd',
    args: { anyOf: BLOCK_DEVICES.map((d) => `of=${d}`) },
    reason: 'dd writing to a block device overwrites the disk',
  },
  {
    id: 'write-to-block-device',
    action: 'deny',
    program: ['tee', 'shred'],
    args: { targets: [...BLOCK_DEVICES] },
    reason: 'writing to a block device overwrites the disk',
  },
  {
    id: 'redirect-to-block-device',
    action: 'deny',
    program: '*',
    redirects: [...BLOCK_DEVICES],
    reason: 'redirecting output to a block device overwrites the disk',
  },
  {
    id: 'power-state',
    action: 'deny',
    program: ['shutdown', 'reboot', 'halt', 'poweroff'],
    reason: 'shutting down or rebooting the host',
  },
  {
    id: 'init-runlevel',
    action: 'deny',
    program: ['init', 'telinit'],
    args: { subcommand: ['0', '6'] },
    reason: 'changing to runlevel 0 or 6 halts or reboots the host',
  },
  {
    id: 'systemctl-power-state',
    action: 'deny',
    program: 'systemctl',
    args: { subcommand: ['poweroff', 'reboot', 'halt', 'kexec', 'soft-reboot'] },
    reason: 'shutting down or rebooting the host',
  },
  {
    id: 'recursive-permission-change-system-path',
    action: 'deny',
    program: ['chmod', 'chown', 'chgrp'],
    args: { flags: ['recursive'], targets: [...PROTECTED_PATHS] },
    reason: 'recursive ownership or permission change on / or a system directory breaks the host',
  },
  {
    id: 'fork-bomb',
    action: 'deny',
    detector: 'fork-bomb',
    reason: 'a function that spawns itself in a pipeline or in the background exhausts the process table',
  },
  // Approvals: disruptive but legitimate operations a second person should see.
  {
    id: 'systemctl-disruptive',
    action: 'approve',
    program: 'systemctl',
    args: { subcommand: ['stop', 'restart', 'kill', 'disable', 'mask', 'isolate'] },
    reason: 'stops or restarts a service',
  },
  {
    id: 'service-disruptive',
    action: 'approve',
    program: 'service',
    args: { anyOf: ['stop', 'restart'] },
    reason: 'stops or restarts a service',
  },
  {
    id: 'kill-sigkill',
    action: 'approve',
    program: ['kill', 'pkill', 'killall'],
    args: { anyOf: ['-9', '-KILL', '-SIGKILL', '--signal=9', '--signal=KILL', '--signal=SIGKILL', 'KILL', 'SIGKILL'] },
    reason: 'SIGKILL gives the process no chance to clean up',
  },
  {
    id: 'crontab-remove',
    action: 'approve',
    program: 'crontab',
    args: { flags: ['r'] },
    reason: 'crontab -r removes every scheduled job without confirmation',
  },
];
