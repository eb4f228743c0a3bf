import { spawn } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
/** tsx run by this Node directly: no npx start-up on every call, and the pinned Node 24 for sure. */
export const TSX = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved as they were printed, as an operator sees them. */
  output: string;
}

/**
 * `npm run rac -- …` in a child process, as the operator runs it. The environment is the whole of
 * the child's: integration tests pass process.env (their table and endpoints), e2e tests the
 * runtime's (see runtimeEnv in localRuntime.ts).
 */
export function runCli(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TSX, 'cli/rac.ts', ...args], { cwd: ROOT, env });
    const run: CliRun = { code: null, stdout: '', stderr: '', output: '' };
    // Decoded per stream, so a Cyrillic letter split across two chunks stays whole.
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      run.stdout += text;
      run.output += text;
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      run.stderr += text;
      run.output += text;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ ...run, code }));
  });
}
