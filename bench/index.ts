/**
 * `npm run bench`: prints the figures the issues ask for. Each capability adds its section here;
 * tests never time anything.
 */
import './quiet.ts';
import { benchAccounts } from './accounts.ts';
import { benchBilling } from './billing.ts';
import { printBundles } from './bundles.ts';
import { benchEpd } from './epd.ts';
import { allFigures } from './figures.ts';
import { benchPayments } from './payments.ts';
import { benchReadings } from './readings.ts';
import { benchSite } from './site.ts';
import { benchServices } from './support.ts';
import { benchUnits } from './units.ts';

/**
 * `BENCH_ONLY=bundles,readings npm run bench` runs only those sections (by the names below), so
 * whoever works on one part measures it alone.
 */
const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
const wanted = (section: string) => !only || only.includes(section);

async function main(): Promise<void> {
  console.log(`Node ${process.version}, ${process.platform}/${process.arch}\n`);
  if (wanted('bundles')) await printBundles();

  const withServices = ['units', 'accounts', 'readings', 'billing', 'payments', 'epd'].filter(wanted);
  if (withServices.length > 0) {
    const services = await benchServices();
    try {
      // First, while the table holds only its own accounts: its billing run bills no other section's.
      if (wanted('units')) await benchUnits();
      if (wanted('accounts')) await benchAccounts();
      if (wanted('readings')) await benchReadings();
      if (wanted('billing')) await benchBilling();
      if (wanted('payments')) await benchPayments();
      if (wanted('epd')) await benchEpd();
    } finally {
      await services.stop();
    }
  }
  // Its own `npm start` and Chromium, after the services above have stopped.
  if (wanted('site')) await benchSite();
  const jsonAt = process.argv.indexOf('--json');
  if (jsonAt !== -1) {
    const file = process.argv[jsonAt + 1];
    if (!file) throw new Error('--json needs a file name');
    const { writeFile } = await import('node:fs/promises');
    const document = {
      measuredAt: new Date().toISOString(),
      node: process.version,
      cpus: (await import('node:os')).cpus().length,
      figures: allFigures(),
    };
    await writeFile(file, `${JSON.stringify(document, null, 2)}\n`);
    console.log(`\nFigures written to ${file}`);
  }
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
