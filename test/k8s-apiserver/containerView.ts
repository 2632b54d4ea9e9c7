// What `kubectl exec` sees inside a fake container: a /proc that lists only the container's processes
// (real local processes started by the test, plus static entries), `sh` that really runs the script on
// this machine with /proc pointed at that view, and `kill` that really signals, but only processes of
// the container. The images are switchable: with a `kill` binary or without, or distroless (no shell,
// no kill), as kubelet would answer when a binary is missing.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

export interface FakeProcess {
  /** Process id as the container shows it: the real pid for real processes. */
  pid: number;
  /** A real local process: its cmdline, environ and exe are read from this machine's /proc. */
  real?: boolean;
  /** For static (not real) entries. */
  cmdline?: string[];
  exe?: string;
}

export interface ContainerImage {
  /** No shell and no kill (gcr.io/distroless/nodejs-like). */
  distroless?: boolean;
  /** A shell (with its builtin kill) but no /bin/kill binary (node:slim without procps). */
  noKillBinary?: boolean;
}

/** The container's memory cgroup as its processes see it under /sys/fs/cgroup. */
export interface ContainerCgroup {
  version: 1 | 2;
  /** Undefined: no limit ("max" in v2, a huge number in v1). */
  memoryLimitBytes?: number;
  memoryCurrentBytes: number;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export class ContainerView {
  constructor(
    private readonly root: string,
    private readonly processes: () => FakeProcess[],
    private readonly image: () => ContainerImage,
    private readonly cgroup: () => ContainerCgroup | undefined = () => undefined,
  ) {}

  async exec(argv: string[]): Promise<ExecResult> {
    const image = this.image();
    const binary = path.basename(argv[0] ?? '');
    if (binary === 'kill') {
      if (image.distroless || image.noKillBinary) return missing('kill');
      return this.kill(argv.slice(1));
    }
    if (binary === 'sh') {
      if (image.distroless) return missing('sh');
      if (argv[1] !== '-c' || argv[2] === undefined)
        return { stdout: '', stderr: 'sh: usage\n', exitCode: 2 };
      const killMatch = /^\s*kill\s+(-USR1|-s\s+USR1|-SIGUSR1)\s+(\d+)\s*$/.exec(argv[2]);
      // Only a bare `kill` is run by us, never through the host shell: the pid must belong here.
      if (killMatch) return this.kill(['-USR1', killMatch[2]!]);
      if (/\bkill\b/.test(argv[2]))
        return { stdout: '', stderr: 'test server: unsupported kill form\n', exitCode: 2 };
      return this.runScript(argv[2]);
    }
    return missing(binary || '""');
  }

  private kill(args: string[]): ExecResult {
    const pidText = args[args.length - 1] ?? '';
    const signalOk = args.length === 2 && ['-USR1', '-SIGUSR1'].includes(args[0]!);
    if (!signalOk || !/^\d+$/.test(pidText)) {
      return {
        stdout: '',
        stderr: `kill: unsupported arguments for the test server: ${args.join(' ')}\n`,
        exitCode: 2,
      };
    }
    const pid = Number(pidText);
    const entry = this.processes().find((p) => p.pid === pid);
    if (!entry?.real) return { stdout: '', stderr: `kill: (${pid}) - No such process\n`, exitCode: 1 };
    try {
      process.kill(pid, 'SIGUSR1');
      return { stdout: '', stderr: '', exitCode: 0 };
    } catch {
      return { stdout: '', stderr: `kill: (${pid}) - No such process\n`, exitCode: 1 };
    }
  }

  private runScript(script: string): Promise<ExecResult> {
    const procDir = this.buildProc();
    const cgroupDir = this.buildCgroup();
    const rewritten = script
      .split('/proc/')
      .join(`${procDir}/`)
      .split('/sys/fs/cgroup/')
      .join(`${cgroupDir}/`);
    return new Promise((resolve) => {
      const child = spawn('/bin/sh', ['-c', rewritten], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
        timeout: 10000,
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
      child.on('close', (code) => resolve({ stdout, stderr, exitCode: code ?? 1 }));
      child.on('error', (error) => resolve({ stdout, stderr: String(error), exitCode: 126 }));
    });
  }

  /** Rebuilds <root>/cgroup with the memory files of the container's cgroup (empty: none readable). */
  private buildCgroup(): string {
    const dir = path.join(this.root, 'cgroup');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const cgroup = this.cgroup();
    if (cgroup?.version === 2) {
      writeFileSync(path.join(dir, 'memory.max'), `${cgroup.memoryLimitBytes ?? 'max'}\n`);
      writeFileSync(path.join(dir, 'memory.current'), `${cgroup.memoryCurrentBytes}\n`);
    } else if (cgroup?.version === 1) {
      mkdirSync(path.join(dir, 'memory'));
      const noLimit = '9223372036854771712';
      writeFileSync(
        path.join(dir, 'memory', 'memory.limit_in_bytes'),
        `${cgroup.memoryLimitBytes ?? noLimit}\n`,
      );
      writeFileSync(path.join(dir, 'memory', 'memory.usage_in_bytes'), `${cgroup.memoryCurrentBytes}\n`);
    }
    return dir;
  }

  /** Rebuilds <root>/proc with one folder per container process. */
  private buildProc(): string {
    const procDir = path.join(this.root, 'proc');
    rmSync(procDir, { recursive: true, force: true });
    mkdirSync(procDir, { recursive: true });
    for (const entry of this.processes()) {
      const dir = path.join(procDir, String(entry.pid));
      try {
        if (entry.real) {
          const cmdline = readFileSync(`/proc/${entry.pid}/cmdline`);
          const environ = readFileSync(`/proc/${entry.pid}/environ`);
          const exe = readlinkSync(`/proc/${entry.pid}/exe`);
          mkdirSync(dir);
          writeFileSync(path.join(dir, 'cmdline'), cmdline);
          writeFileSync(path.join(dir, 'environ'), environ);
          symlinkSync(exe, path.join(dir, 'exe'));
        } else {
          mkdirSync(dir);
          writeFileSync(path.join(dir, 'cmdline'), (entry.cmdline ?? []).map((a) => `${a}\0`).join(''));
          writeFileSync(path.join(dir, 'environ'), '');
          if (entry.exe) symlinkSync(entry.exe, path.join(dir, 'exe'));
        }
      } catch {
        // The process exited: a real /proc would not list it either.
        rmSync(dir, { recursive: true, force: true });
      }
    }
    return procDir;
  }
}

/** What containerd/runc reports through kubelet when the binary is not in the image. */
function missing(binary: string): ExecResult {
  return {
    stdout:
      `OCI runtime exec failed: exec failed: unable to start container process: exec: "${binary}": ` +
      `executable file not found in $PATH: unknown\r\n`,
    stderr: '',
    exitCode: 127,
  };
}
