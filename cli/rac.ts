import { billingCommand } from './billingCommand';
import { cabinetCommand } from './cabinetCommand';
import { importCommand } from './importCommand';
import { asDatabaseUnavailable, ensureDatabase, useLocalStackByDefault } from './localStack';
import { newsCommand } from './newsCommand';
import { type CommandResult, EXIT, UsageError } from './output';
import { importPaymentsCommand, paymentsCommand } from './paymentsCommand';
import { readingsCommand } from './readingsCommand';
import { supportCommand } from './supportCommand';
import { windowCommand } from './windowCommand';

/**
 * The operators' command line: `npm run rac -- <command>`. It acts on the local runtime's
 * DynamoDB by default (DYNAMODB_PORT, as `npm start`), or on AWS with RAC_RUNTIME=aws.
 */

const USAGE = `Использование: npm run rac -- <команда>

  import accounts FILE   лицевые счета: account, owner, passport, address, area, residents[, services]
  import meters FILE     приборы учёта: account, meter, service, reading, verified_until
  import tariffs FILE    тарифы: service, unit, price, norm, from[, coefficient]
  import providers FILE  исполнители услуг для ЕПД: provider, name, inn, address, phone, services[, kpp,
                         email, bank, bic, correspondent_account, account]; РАЦ — платёжный агент
  import balances FILE   начальное сальдо из прежней системы: account, service, balance, period
  import key-rates FILE  ключевая ставка Банка России для пеней: from (ГГГГ-ММ-ДД), rate (%, «16,5»);
                         повторный импорт ничего не меняет
  import readings FILE   показания из прежней системы, с бланков, по телефону, от контролёров:
                         account, meter, period, value[, date, source] — по тем же правилам, что
                         на сайте (окно приёма не нужно); повторный импорт ничего не меняет
  import payments FILE [--bank sberbank]
                         реестр платежей банка по номеру лицевого счёта (Windows-1251, «;», без
                         заголовка, контрольная строка «=»); платежи, уже полученные онлайн, пропускаются;
                         показания счётчиков из реестра проходят те же проверки, что и на сайте
  payments review        платежи на проверке (сумма не совпала, оплата после закрытия заказа)
  window open            открыть окно приёма показаний вручную
  window close           закрыть окно приёма показаний вручную
  window status          состояние окна (время московское)
  billing run [--period ГГГГ-ММ]     начисления за закрытый месяц (по умолчанию — прошлый)
  billing status [--period ГГГГ-ММ]  что сделали запуски начислений за месяц
  readings export --period ГГГГ-ММ [--encoding utf8|cp1251] FILE
                         показания за период для расчётной системы: CSV «;», десятичная
                         запятая, UTF-8 с BOM (по умолчанию) или Windows-1251; столбцы
                         account;meter;service;period;value;consumption;submitted_at;source
  support list [--open]  незакрытые обращения (--open — только ждущие ответа РАЦ), в т. ч. гостей
  support show ОБРАЩЕНИЕ переписка по обращению (номер — 7 цифр)
  support reply ОБРАЩЕНИЕ --text "…"
                         ответ жителю: в переписку в личном кабинете и письмом (гостю — только письмом)
  support close ОБРАЩЕНИЕ
                         закрыть обращение (новые сообщения в нём не принимаются); житель уведомлён
                         письмом. Для обращений до 7-значных номеров — ещё --account ЛИЦЕВОЙ_СЧЁТ
  cabinet close ACCOUNT [--ticket ОБРАЩЕНИЕ]
                         закрыть личный кабинет по заявке жителя: сеансы, пароль и ссылки из писем
                         отменяются, на адрес кабинета — уведомление; счёт можно зарегистрировать
                         снова; --ticket закрывает и заявку
  news publish --title "…" [--addresses "…; …"] [--format markdown|text] FILE
                         опубликовать новость (обычный текст; Markdown — для файлов .md) и
                         разослать подписчикам; --addresses — только для этих адресов (через «;»,
                         например "мкр. Жукова; ул. Ленина, д. 41")
  news list              последние новости
  news mail ID           повторить рассылку новости (кто её получил, второй раз не получит)
  news withdraw ID       снять новость с публикации: рассылка останавливается сразу, с сайта
                         исчезает в течение 30 секунд
  help                   эта справка

CSV с заголовком, UTF-8 или Windows-1251, разделитель «;» или «,» (определяются сами).
Повторный импорт обновляет записи. Коды выхода: 0 — готово; 1 — есть отклонённые строки
(остальные загружены); 2 — неверная команда или файл; 3 — DynamoDB недоступна; 4 — иная ошибка.
Переменные: DYNAMODB_PORT (8000), SES_PORT (8005, почта), RAC_DYNAMODB_ENDPOINT, RAC_TABLE, RAC_NOW, RAC_RUNTIME=aws.`;

/**
 * A command receives the arguments after its name, checks them (and reads its input) before the
 * database is touched, throwing UsageError for a wrong command line, and returns the work to run.
 */
export type Command = (args: readonly string[]) => Promise<() => Promise<CommandResult>>;

const COMMANDS: Record<string, Command> = {
  // A bank's payment registry is the payments feature's file, with its own options.
  import: (args) => (args[0] === 'payments' ? importPaymentsCommand(args.slice(1)) : importCommand(args)),
  payments: paymentsCommand,
  window: windowCommand,
  billing: billingCommand,
  readings: readingsCommand,
  news: newsCommand,
  support: supportCommand,
  cabinet: cabinetCommand,
};

export async function main(argv: readonly string[]): Promise<number> {
  // Each command parses its own options (node:util parseArgs), so one command's flags never
  // need to be known here.
  const [name, ...args] = argv;
  if (name === 'help' || name === '--help' || name === '-h') {
    console.log(USAGE);
    return EXIT.ok;
  }
  const command = name ? COMMANDS[name] : undefined;
  if (!command) return usageFailure(name ? `неизвестная команда: ${name}` : 'не указана команда');

  useLocalStackByDefault();
  try {
    const run = await command(args);
    await ensureDatabase();
    const result = await run();
    for (const line of result.lines) console.log(line);
    return result.exitCode;
  } catch (error) {
    if (error instanceof UsageError) return usageFailure(error.message);
    const unavailable = asDatabaseUnavailable(error);
    if (unavailable) {
      console.error(unavailable.message);
      return EXIT.databaseUnavailable;
    }
    // The message only: a stack trace helps nobody at the operator's desk, and our messages
    // never carry passport data.
    console.error(`Ошибка: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT.failure;
  }
}

function usageFailure(message: string): number {
  console.error(`${message}\n\n${USAGE}`);
  return EXIT.usage;
}

process.exitCode = await main(process.argv.slice(2));
