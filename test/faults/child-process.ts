/**
 * A child process a fault run can kill: started with its output kept, ready when a line matches
 * or a URL answers, stopped gracefully or killed with SIGKILL (kill -9) under load.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';

export interface ManagedProcess {
  readonly pid: number;
  /** The last lines of stdout and stderr, for a failing run's report. */
  output(): string;
  /** kill -9: no shutdown hook runs, nothing is flushed or committed. */
  kill9(): Promise<ExitInfo>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<ExitInfo>;
  readonly exited: Promise<ExitInfo>;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StartOptions {
  command: string;
  args?: string[];
  env?: Record<string, string>;
  cwd?: string;
  /** Ready once a line of output matches... */
  readyLine?: RegExp;
  /** ...or once this URL answers 2xx. */
  readyUrl?: string;
  readyTimeoutMs?: number;
  /** Also write every line of output to this file (kept lines are only the last ones). */
  logFile?: string;
}

const KEEP_LINES = 200;

export async function startProcess(options: StartOptions): Promise<ManagedProcess> {
  const child: ChildProcess = spawn(options.command, options.args ?? [], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start ${options.command}`);
  const lines: string[] = [];
  let sawReadyLine = false;
  const logFile =
    options.logFile === undefined ? undefined : createWriteStream(options.logFile, { flags: 'a' });
  const onData = (chunk: Buffer): void => {
    logFile?.write(chunk);
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line === '') continue;
      lines.push(line);
      if (lines.length > KEEP_LINES) lines.shift();
      if (options.readyLine?.test(line)) sawReadyLine = true;
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<ExitInfo>((resolve) =>
    child.once('exit', (code, signal) => {
      logFile?.end();
      resolve({ code, signal });
    }),
  );
  let hasExited = false;
  void exited.then(() => (hasExited = true));

  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  while (options.readyLine !== undefined || options.readyUrl !== undefined) {
    if (hasExited) throw new Error(`${options.command} exited before it was ready:\n${lines.join('\n')}`);
    if (sawReadyLine) break;
    if (options.readyUrl !== undefined) {
      const ok = await fetch(options.readyUrl).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${options.command} was not ready within ${options.readyTimeoutMs ?? 60_000} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  const pid = child.pid;
  return {
    pid,
    output: () => lines.join('\n'),
    exited,
    async kill9() {
      if (!hasExited) process.kill(pid, 'SIGKILL');
      return exited;
    },
    async stop(graceMs = 10_000) {
      if (hasExited) return exited;
      process.kill(pid, 'SIGTERM');
      const timer = setTimeout(() => !hasExited && process.kill(pid, 'SIGKILL'), graceMs);
      const info = await exited;
      clearTimeout(timer);
      return info;
    },
  };
}
