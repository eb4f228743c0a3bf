import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, isPortTaken } from '#local/ports';
import { ROOT, TSX } from '#test/support/cli';
import { mailedToken } from '#test/support/mail';

export interface StartedRuntime {
  url: string;
  sesUrl: string;
  dynamoPort: number;
  dataDir: string;
  child: ChildProcess;
  output: () => string;
  /** Sends SIGINT (Ctrl-C) and resolves with the exit code. */
  interrupt: () => Promise<number | null>;
}

/** The URLs `npm start` prints once it is up (local/start.ts): what it really bound, read back. */
export function printedUrls(output: string): { url: string; sesUrl: string; dynamoPort: number } | undefined {
  const site = /Сайт и API:\s+(http:\/\/\S+?:\d+)/.exec(output)?.[1];
  const ses = /Почта \(SES\):\s+(http:\/\/\S+?:\d+)/.exec(output)?.[1];
  const dynamo = /DynamoDB Local:\s+http:\/\/\S+?:(\d+)/.exec(output)?.[1];
  if (!site || !ses || !dynamo) return undefined;
  return {
    url: site.replace('//localhost:', '//127.0.0.1:'),
    sesUrl: ses.replace('//localhost:', '//127.0.0.1:'),
    dynamoPort: Number(dynamo),
  };
}

/**
 * Runs `npm start` (local/start.ts) as a user would, on free ports, with its own data folder, and
 * reads back the URLs it prints. A port taken by another process between choosing it and the
 * child binding it (freePort's race) makes `npm start` exit with «Порт … занят»: it is started
 * again on other ports, unless the caller chose the ports.
 */
export async function startRuntimeProcess(
  options: { dataDir?: string; env?: Record<string, string>; waitForHealth?: boolean } = {},
): Promise<StartedRuntime> {
  const portsGiven = ['PORT', 'DYNAMODB_PORT', 'SES_PORT'].some((name) => options.env?.[name] !== undefined);
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (error) {
      if (portsGiven || attempt >= 3 || !isPortTaken(error)) throw error;
    }
  }
}

async function startOnce(
  options: { dataDir?: string; env?: Record<string, string>; waitForHealth?: boolean } = {},
): Promise<StartedRuntime> {
  const port = await freePort();
  const dynamoPort = await freePort();
  const sesPort = await freePort();
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'rac-data-'));
  const child = spawn(process.execPath, [TSX, 'local/start.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: String(port),
      DYNAMODB_PORT: String(dynamoPort),
      SES_PORT: String(sesPort),
      RAC_DATA_DIR: dataDir,
      POWERTOOLS_LOG_LEVEL: 'WARN',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (c) => {
    out += String(c);
  });
  child.stderr?.on('data', (c) => {
    out += String(c);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const started: StartedRuntime = {
    url,
    sesUrl: `http://127.0.0.1:${sesPort}`,
    dynamoPort,
    dataDir,
    child,
    output: () => out,
    interrupt: async () => {
      if (child.exitCode === null) child.kill('SIGINT');
      return exited;
    },
  };
  if (options.waitForHealth === false) return started;
  // Under the e2e tier's 180 s hook timeout: on a busy 2-core machine (CI with DynamoDB Local,
  // Chromium and the vitest workers starting at once) `npm start` has taken over 120 s.
  const deadline = Date.now() + 170_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${out}`);
    const printed = out.includes('Личный кабинет РАЦ запущен') ? printedUrls(out) : undefined;
    if (printed) {
      Object.assign(started, printed);
      const ok = await fetch(`${started.url}/api/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return started;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  child.kill('SIGKILL');
  throw new Error(`npm start did not come up in time:\n${out}`);
}

export async function waitForExit(child: ChildProcess, timeoutMs = 30_000): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('process did not exit')), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** The environment that points `runCli` (test/support/cli.ts) at the running stack's DynamoDB. */
export function runtimeEnv(runtime: StartedRuntime, env: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DYNAMODB_PORT: String(runtime.dynamoPort),
    RAC_DATA_DIR: runtime.dataDir,
    POWERTOOLS_LOG_LEVEL: 'WARN',
    ...env,
  };
}

/**
 * Registers a demo resident through the API as the site would (captcha answer from test mode),
 * follows the mailed link from the SES emulator and sets the password. Throws on any other answer.
 */
export async function registerResident(
  runtime: StartedRuntime,
  resident: { account: string; passport: string; email: string; password: string },
): Promise<void> {
  const headers = { 'content-type': 'application/json', 'x-requested-with': 'XMLHttpRequest' };
  const captcha = (await (await fetch(`${runtime.url}/api/captcha`)).json()) as { id: string; answer: string };
  const registered = await fetch(`${runtime.url}/api/auth/register`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      account: resident.account,
      passport: resident.passport,
      email: resident.email,
      consent: true,
      captchaId: captcha.id,
      captchaAnswer: captcha.answer,
    }),
  });
  if (registered.status !== 202) throw new Error(`register answered ${registered.status}`);
  const token = await mailedToken(resident.email, '/confirm', runtime.sesUrl);
  const confirmed = await fetch(`${runtime.url}/api/auth/confirm`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ token, password: resident.password }),
  });
  if (confirmed.status !== 200) throw new Error(`confirm answered ${confirmed.status}`);
}
