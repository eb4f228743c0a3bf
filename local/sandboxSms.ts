import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayMount } from '#local/gateway';
import { formatPhone } from '#shared/accounts/phoneNumber';
import { sandboxOutbox } from '#shared/clients/sms';
import { escapeHtml } from '#shared/format';
import { moscowDateTimeText } from '#shared/time';

/** Where `npm start` serves the SMS sandbox, on the site's port. */
export const SMS_SANDBOX_PREFIX = '/sandbox-sms';

/**
 * The local SMS sandbox: every text the portal "sends" in the local runtime (shared/clients/sms.ts
 * keeps them in memory, lost on restart) as JSON at `/sandbox-sms/messages` — `{messages:[{to,
 * text, sentAt}]}`, oldest first — and as a page at `/sandbox-sms/`, newest first, like the mail
 * emulator's mailbox. Read-only: nothing here sends or deletes.
 */
export function createSmsSandbox(): GatewayMount & { stop: () => void } {
  return {
    prefix: SMS_SANDBOX_PREFIX,
    handle: async (req: IncomingMessage, res: ServerResponse, url: URL) => {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET', 'content-type': 'text/plain; charset=utf-8' }).end('Только GET');
        return;
      }
      const messages = sandboxOutbox();
      if (url.pathname === `${SMS_SANDBOX_PREFIX}/messages`) {
        res
          .writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
          .end(JSON.stringify({ messages }));
        return;
      }
      if (url.pathname !== `${SMS_SANDBOX_PREFIX}/`) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Не найдено');
        return;
      }
      const rows = [...messages]
        .reverse()
        .map(
          (m) =>
            `<tr><td>${escapeHtml(moscowDateTimeText(m.sentAt))}</td><td>${escapeHtml(formatPhone(m.to))}</td>` +
            `<td>${escapeHtml(m.text)}</td></tr>`,
        )
        .join('');
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
        .end(`<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="5"><title>Песочница SMS — РАЦ</title>
<style>body{font:16px/1.4 system-ui,sans-serif;margin:1.5rem;color:#222}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:.5rem;text-align:left;vertical-align:top}th{background:#f4f4f4}</style></head>
<body><h1>Песочница SMS</h1>
<p>SMS, которые личный кабинет отправил бы на телефоны (локальный запуск, в AWS — AWS End User Messaging SMS).
Страница обновляется каждые 5 секунд; JSON: <a href="${SMS_SANDBOX_PREFIX}/messages">${SMS_SANDBOX_PREFIX}/messages</a>.</p>
${
  messages.length
    ? `<table><thead><tr><th>Отправлено (МСК)</th><th>Кому</th><th>Текст</th></tr></thead><tbody>${rows}</tbody></table>`
    : '<p>Сообщений пока нет.</p>'
}
</body></html>`);
    },
    stop: () => undefined,
  };
}
