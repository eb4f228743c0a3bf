/**
 * `npm start`: the whole portal on one machine, no cloud account. Prints its URLs; Ctrl-C stops
 * every part; a second start reuses the data in RAC_DATA_DIR.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { type LocalRuntime, ROOT, SITE_DIR, startLocalRuntime } from '#local/runtime';
import { seedDemoData } from '#local/seed';
import { ENV } from '#shared/env';

function portFrom(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${name}=${raw}: ожидается номер порта 1–65535`);
  }
  return port;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** Builds the site when it is missing or older than its sources. */
function ensureSiteBuilt(): void {
  const index = path.join(SITE_DIR, 'index.html');
  let builtAt = 0;
  try {
    builtAt = statSync(index).mtimeMs;
  } catch {}
  const sources = Math.max(
    newestMtime(path.join(ROOT, 'web', 'src')),
    statSync(path.join(ROOT, 'web', 'index.html')).mtimeMs,
  );
  if (builtAt >= sources) return;
  console.log('Сборка сайта (vite build)…');
  const vite = path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error('Сборка сайта не удалась (см. вывод vite выше).');
}

let runtime: LocalRuntime | undefined;

async function main(): Promise<void> {
  const port = portFrom(ENV.port, 3000);
  const dynamoPort = portFrom(ENV.dynamoPort, 8000);
  const sesPort = portFrom(ENV.sesPort, 8005);
  const dataDir = path.resolve(process.env[ENV.dataDir] || '.data');
  ensureSiteBuilt();
  const running = await startLocalRuntime({ port, dynamoPort, sesPort, dataDir });
  runtime = running;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: останавливаю…`);
    await running.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  const seeded = await seedDemoData({ drain: running.queues.drain });
  if (seeded) console.log(seeded);
  const jobs = running.scheduler?.jobs ?? [];
  console.log(
    [
      '',
      'Личный кабинет РАЦ запущен.',
      `  Сайт и API:       ${running.url}  (проверка: ${running.url}/api/health)`,
      `  OpenAPI:          ${running.url}/api/openapi.json`,
      `  Песочница банка:  ${running.url}/sandbox-bank/ (оплата картой без денег; уведомления на /api/webhooks/sber)`,
      `  Почта (SES):      ${running.sesUrl}  (JSON: ${running.sesUrl}/store)`,
      `  SMS (песочница):  ${running.url}/sandbox-sms/  (JSON: ${running.url}/sandbox-sms/messages)`,
      `  DynamoDB Local:   ${running.dynamoEndpoint}`,
      `  Данные:           ${dataDir}`,
      ...jobs.map((j) => `  Расписание:       ${j.job} — следующий запуск ${j.nextRun?.toISOString() ?? '—'}`),
      '  Остановить: Ctrl-C',
      '',
    ].join('\n'),
  );
}

main().catch(async (error: Error) => {
  console.error(`Не удалось запустить: ${error.message}`);
  await runtime?.stop();
  process.exit(1);
});
