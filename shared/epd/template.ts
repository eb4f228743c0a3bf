import type { ChargeMethod } from '#shared/billing/ledger';
import { FONT_FAMILY, fontFaceCss } from '#shared/epd/fonts';
import type { Epd, EpdChargeRow } from '#shared/epd/model';
import type { QrSvg } from '#shared/epd/qr';
import {
  dateText,
  escapeHtml as esc,
  formatMoney,
  formatNumber,
  formatTariff,
  MONEY,
  NBSP,
  periodText,
  periodTitle,
} from '#shared/format';

/**
 * The ЕПД as an HTML page for Chromium to print on A4, laid out after the sample form of Приказ
 * Минстроя России № 43/пр: the heading with the period and the account, sections 1-5 and the
 * tear-off payment slip with the QR code.
 *
 * Every value from data (names, addresses, serials, even numbers) goes through `esc`: a name
 * imported from a registry file is not markup. The page also forbids itself scripts and any
 * resource that is not inline (Content-Security-Policy), so nothing in it can run or call out.
 */

/** The bill's amounts, in roubles (its columns say so): "1 234,56", "−50,00". */
export function money(kopecks: number): string {
  return formatMoney(kopecks, MONEY.bill);
}

/** "Октябрь 2026" → "октябрь 2026 г." (after «за»). */
function periodPhrase(period: string): string {
  return `${periodText(period)}${NBSP}г.`;
}

/** How a volume was determined, short enough for one line of the charges table (ИПУ: the legend). */
const METHOD_TEXT: Record<ChargeMethod, string> = {
  meter: 'по показаниям ИПУ',
  average: 'по среднемесячному',
  norm: 'по нормативу',
  area: 'по площади',
  residents: 'по числу проживающих',
};

export function methodText(method: ChargeMethod | null, coefficient: string | null = null): string {
  if (!method) return '—';
  const text = METHOD_TEXT[method];
  return coefficient ? `${text} × ${formatNumber(coefficient)} (повыш. коэфф.)` : text;
}

const dash = '—';

function chargeRow(row: EpdChargeRow): string {
  const penalty = row.service === 'penalty';
  const provider = row.providerNumber === null ? '' : `<sup class="prov">${row.providerNumber}</sup>`;
  return `<tr${penalty ? ' class="penalty" data-field="penalty"' : ''}>
<td class="service">${esc(row.title)}${provider}</td>
<td class="c">${esc(row.unit)}</td>
<td class="n">${row.volume === null ? dash : esc(formatNumber(row.volume))}</td>
<td class="c">${dash}</td>
<td class="method">${penalty ? 'ЖК РФ, ст. 155, ч. 14' : esc(methodText(row.method, row.coefficient))}</td>
<td class="n">${row.price === null ? dash : esc(formatTariff(row.price))}</td>
<td class="n">${money(row.charged)}</td>
<td class="n">${row.recalculation === 0 ? dash : money(row.recalculation)}</td>
<td class="n">${money(row.benefits)}</td>
<td class="n strong">${money(row.total)}</td>
</tr>`;
}

function section3(epd: Epd): string {
  const numbers = Array.from({ length: 10 }, (_, i) => `<th>${i + 1}</th>`).join('');
  return `<section>
<h2>Раздел 3. Расчёт размера платы за содержание и ремонт жилого помещения и коммунальные услуги</h2>
<table class="grid charges">
<colgroup><col class="w-service"><col class="w-unit"><col class="w-vol"><col class="w-vol"><col class="w-method"><col class="w-tariff"><col class="w-sum"><col class="w-sum"><col class="w-sum"><col class="w-sum"></colgroup>
<thead>
<tr><th rowspan="2">Виды услуг</th><th rowspan="2">Ед. изм.</th><th colspan="2">Объём (количество) услуг</th><th rowspan="2">Способ определения объёма</th><th rowspan="2">Тариф, руб./ед.</th><th rowspan="2">Начислено за расчётный период, руб.</th><th rowspan="2">Перерасчёты, руб.</th><th rowspan="2">Льготы, субсидии, руб.</th><th rowspan="2">Итого к оплате, руб.</th></tr>
<tr><th>индивид. потребление</th><th>общедом. нужды</th></tr>
<tr class="colnums">${numbers}</tr>
</thead>
<tbody>
${epd.charges.map(chargeRow).join('\n')}
</tbody>
<tfoot>
<tr><td colspan="6">Всего за расчётный период</td><td class="n">${money(epd.totals.charged)}</td><td class="n">${money(epd.totals.recalculation)}</td><td class="n">${money(epd.totals.benefits)}</td><td class="n">${money(epd.totals.total)}</td></tr>
</tfoot>
</table>
<p class="note">ИПУ — индивидуальный прибор учёта. Цифра после услуги — её исполнитель (раздел 1). Перерасчёты и их основания — в разделе 5.${
    epd.charges.some((r) => r.service === 'penalty')
      ? ' Пени — за несвоевременную оплату, на сумму, не оплаченную в срок; на пени пени не начисляются.'
      : ''
  }</p>
</section>`;
}

function gisRows(epd: Epd): string {
  const { els, izhku } = epd.payer;
  return [
    els ? `<tr><th>ЕЛС (ГИС ЖКХ)</th><td data-field="els">${esc(els)}</td></tr>` : '',
    izhku ? `<tr><th>Идентификатор ЖКУ</th><td data-field="izhku">${esc(izhku)}</td></tr>` : '',
  ].join('');
}

/**
 * Section 1's providers, one compact row each so the bill stays one A4 sheet. Their bank accounts
 * are not printed: residents pay the centre as the providers' payment agent (section 2), and an
 * account printed beside it would invite paying the provider directly, past the agent's ledger.
 */
function providersTable(epd: Epd): string {
  const rows = epd.providers
    .map(
      (p) =>
        `<tr data-field="provider"><td class="c">${p.number}</td><td><b>${esc(p.name)}</b> — ${esc(p.services.join(', '))}</td>` +
        `<td class="nowrap">ИНН&nbsp;${esc(p.inn)}${p.kpp ? `, КПП&nbsp;${esc(p.kpp)}` : ''}</td>` +
        `<td>${esc(p.address)}</td><td>тел.&nbsp;${esc(p.phone)}${p.email ? `, ${esc(p.email)}` : ''}</td></tr>`,
    )
    .join('\n');
  return `<table class="grid small providers"><colgroup><col style="width:2.5%"><col style="width:33%"><col style="width:18%"><col style="width:24.5%"><col style="width:22%"></colgroup>
<thead><tr><th>№</th><th>Исполнитель услуг — услуги</th><th>ИНН, КПП</th><th>Адрес</th><th>Телефон, e-mail</th></tr></thead><tbody>
${rows}
</tbody></table>`;
}

function section1(epd: Epd): string {
  const { payer, centre } = epd;
  return `<section>
<h2>Раздел 1. Сведения о плательщике и исполнителях услуг</h2>
<div class="cols">
<table class="kv">
<tr><th>Плательщик (Ф.&nbsp;И.&nbsp;О.)</th><td class="strong" data-field="owner">${esc(payer.owner)}</td></tr>
<tr><th>Адрес помещения</th><td data-field="address">${esc(payer.address)}</td></tr>
<tr><th>Площадь, проживает</th><td>${esc(formatNumber(payer.area))}&nbsp;м², ${esc(payer.residents)}&nbsp;чел.</td></tr>
${gisRows(epd)}
</table>
<table class="kv">
<tr><th>Платёжный агент</th><td><b>${esc(centre.name)}</b> — принимает плату за исполнителей</td></tr>
<tr><th>Адрес, телефон</th><td>${esc(centre.address)}; тел. ${esc(centre.phone)}; ${esc(centre.hours)}</td></tr>
</table>
</div>
${providersTable(epd)}
</section>`;
}

function payeeDetails(epd: Epd): string {
  const p = epd.payee;
  return `${esc(p.name)}<br>ИНН&nbsp;${esc(p.inn)}, КПП&nbsp;${esc(p.kpp)}`;
}

function bankDetails(epd: Epd): string {
  const p = epd.payee;
  return `р/с ${esc(p.settlementAccount)}<br>${esc(p.bankName)}<br>БИК&nbsp;${esc(p.bic)}, к/с ${esc(p.correspondentAccount)}`;
}

function section2(epd: Epd): string {
  const s = epd.summary;
  const lastPayment = s.lastPaymentDate ? ` (последняя оплата ${dateText(s.lastPaymentDate)})` : '';
  return `<section>
<h2>Раздел 2. Информация для внесения платы получателю платежа</h2>
<table class="grid">
<colgroup><col style="width:27%"><col style="width:35%"><col style="width:9%"><col style="width:15%"><col style="width:14%"></colgroup>
<thead><tr><th>Получатель платежа</th><th>Номер банковского счёта и банковские реквизиты</th><th>№ лицевого счёта</th><th>Виды услуг</th><th>К оплате за расчётный период, руб.</th></tr></thead>
<tbody><tr><td>${payeeDetails(epd)}</td><td>${bankDetails(epd)}</td><td class="c strong">${esc(epd.account)}</td><td>Жилищно-коммунальные услуги</td><td class="n big">${money(s.toPay)}</td></tr></tbody>
</table>
<table class="summary">
<tr><th>${s.advance > 0 ? 'Аванс на начало расчётного периода' : 'Задолженность за предыдущие периоды'}</th><td class="n" data-field="opening">${money(s.advance > 0 ? s.advance : s.debt)}</td>
<th>Начислено за расчётный период</th><td class="n" data-field="charged">${money(s.charged)}</td></tr>
<tr><th>Оплачено в расчётном периоде${esc(lastPayment)}</th><td class="n" data-field="paid">${money(s.paid)}</td>
<th>${s.closing < 0 ? 'Переплата на конец периода (к оплате ничего)' : 'Итого к оплате'}</th><td class="n strong" data-field="closing">${money(s.closing < 0 ? -s.closing : s.toPay)}</td></tr>
</table>
<p class="note">${
    s.toPay > 0
      ? `Оплатить до ${dateText(epd.payBy)}${
          epd.payBy === epd.dueDate
            ? ''
            : ` (квитанция сформирована после срока оплаты ${dateText(epd.dueDate)}; пени считаются от него)`
        }. Оплата картой — в личном кабинете; по QR-коду — в приложении банка (отрезная часть ниже).`
      : 'К оплате за этот период ничего: начисления покрыты переплатой.'
  }</p>
</section>`;
}

function normsTable(epd: Epd): string {
  if (epd.norms.length === 0) return '<p class="note">Нормативы к услугам этого лицевого счёта не применяются.</p>';
  const rows = epd.norms
    .map(
      (n) =>
        `<tr><td>${esc(n.title)}</td><td class="n">${esc(formatNumber(n.norm))}</td><td>${esc(n.unit)} ${n.per === 'area' ? 'на 1&nbsp;м²' : 'на 1&nbsp;чел.'}</td></tr>`,
    )
    .join('\n');
  return `<table class="grid small"><thead><tr><th>Услуга</th><th>Норматив в месяц</th><th>Единица</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function metersTable(epd: Epd): string {
  if (epd.meters.length === 0) return '<p class="note">Индивидуальных приборов учёта нет.</p>';
  const rows = epd.meters
    .map(
      (m) => `<tr><td>${esc(m.title)}</td><td class="c nowrap">${esc(m.serial)}</td>
<td class="n">${m.previous === null ? dash : esc(formatNumber(m.previous))}</td>
<td class="n">${m.current === null ? 'не переданы' : esc(formatNumber(m.current))}</td>
<td class="n">${m.consumption === null ? dash : esc(formatNumber(m.consumption))}</td>
<td class="c">${esc(dateText(m.verifiedUntil))}</td></tr>`,
    )
    .join('\n');
  return `<table class="grid small"><colgroup><col style="width:27%"><col style="width:16%"><col style="width:16.5%"><col style="width:16.5%"><col style="width:10%"><col style="width:14%"></colgroup><thead><tr><th>Услуга</th><th>№ прибора</th><th>Предыдущие показания</th><th>Текущие показания</th><th>Расход</th><th>Поверка до</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function section4(epd: Epd): string {
  return `<section>
<h2>Раздел 4. Справочная информация</h2>
<div class="cols cols-4">
<div><h3>Нормативы потребления коммунальных услуг</h3>${normsTable(epd)}</div>
<div><h3>Показания индивидуальных приборов учёта за ${esc(periodPhrase(epd.period))}</h3>${metersTable(epd)}</div>
</div>
</section>`;
}

const BILLED_BY: Record<ChargeMethod, string> = {
  meter: 'по показаниям ИПУ',
  average: 'по среднемесячному объёму',
  norm: 'по нормативу',
  area: 'по площади',
  residents: 'по числу проживающих',
};

function recalcReason(r: Epd['recalculations'][number]): string {
  const before = r.billedMethod ? BILLED_BY[r.billedMethod] : 'по оценке';
  return (
    `${periodTitle(r.forPeriod)}${NBSP}г.: начислено ${before}, пересчитано ${BILLED_BY[r.method]} — ` +
    `${formatNumber(r.volume)}${NBSP}${r.unit}; было ${money(r.billedAmount)}, стало ${money(r.revisedAmount)}${NBSP}руб.`
  );
}

function section5(epd: Epd): string {
  const body =
    epd.recalculations.length === 0
      ? '<p class="note">Перерасчётов в расчётном периоде нет.</p>'
      : `<table class="grid small"><colgroup><col style="width:19%"><col style="width:70%"><col style="width:11%"></colgroup>
<thead><tr><th>Услуга</th><th>Основание перерасчёта</th><th>Сумма, руб.</th></tr></thead><tbody>
${epd.recalculations
  .map((r) => `<tr><td>${esc(r.title)}</td><td>${esc(recalcReason(r))}</td><td class="n">${money(r.amount)}</td></tr>`)
  .join('\n')}
</tbody></table>`;
  return `<section>
<h2>Раздел 5. Сведения о перерасчётах (доначисления +, уменьшения −)</h2>
${body}
</section>`;
}

function slip(epd: Epd, qr: QrSvg): string {
  const { payer, summary } = epd;
  return `<div class="cut"><span>линия отреза</span></div>
<section class="slip">
<div class="slip-qr">
<div class="slip-kind">Извещение</div>
${qr}
<div class="qr-note">Наведите камеру приложения банка: реквизиты и сумма заполнятся сами</div>
</div>
<div class="slip-body">
<table class="kv">
<tr><th>Получатель</th><td>${payeeDetails(epd)}</td></tr>
<tr><th>Банк получателя</th><td>${bankDetails(epd)}</td></tr>
<tr><th>Плательщик</th><td>${esc(payer.owner)}</td></tr>
<tr><th>Адрес</th><td>${esc(payer.address)}</td></tr>
</table>
<table class="kv">
<tr><th>Лицевой счёт</th><td class="strong">${esc(epd.account)}</td></tr>
<tr><th>Период</th><td>${esc(periodPhrase(epd.period))}</td></tr>
<tr><th>Сумма к оплате</th><td class="big" data-field="slip-sum">${money(summary.toPay)}&nbsp;руб.</td></tr>
<tr><th>Оплатить до</th><td>${dateText(epd.payBy)}</td></tr>
<tr><th>Подпись плательщика</th><td class="sign">&nbsp;</td></tr>
</table>
</div>
</section>`;
}

const CSS = `
@page { size: A4; margin: 5mm 8mm 5mm 8mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; font-family: '${FONT_FAMILY}', sans-serif; font-size: 7.1pt; line-height: 1.14; color: #000; }
h1 { font-size: 12.5pt; margin: 0; text-transform: uppercase; letter-spacing: 0.02em; }
h2 { font-size: 8.2pt; margin: 0 0 1mm; padding: 0.4mm 1.5mm; background: #e3e3e3; border-left: 1.2mm solid #555; }
h3 { font-size: 7.6pt; margin: 0 0 0.8mm; }
section { margin-bottom: 1.6mm; break-inside: avoid; }
table { border-collapse: collapse; width: 100%; }
.doc-head { display: flex; justify-content: space-between; align-items: flex-end; border-bottom: 0.5mm solid #000; padding-bottom: 1.5mm; margin-bottom: 2.5mm; }
.doc-head p { margin: 0.6mm 0 0; font-size: 8pt; }
.doc-period { text-align: right; font-size: 9.5pt; line-height: 1.35; white-space: nowrap; }
.doc-period b { font-size: 11pt; }
.cols { display: flex; gap: 3mm; }
.cols > * { flex: 1 1 0; }
.cols-4 > div:first-child { flex: 0 0 37%; }
.kv th { text-align: left; font-weight: normal; color: #333; width: 28%; padding: 0.45mm 1.5mm 0.45mm 0; vertical-align: top; }
.kv td { padding: 0.45mm 0; vertical-align: top; }
.kv tr + tr th, .kv tr + tr td { border-top: 0.2mm solid #ddd; }
.grid th, .grid td { border: 0.2mm solid #666; padding: 0.35mm 0.9mm; vertical-align: top; }
.grid thead th { background: #f0f0f0; font-weight: bold; font-size: 6.8pt; text-align: center; vertical-align: middle; line-height: 1.12; }
.grid .colnums th { font-weight: normal; font-size: 6pt; padding: 0.1mm; background: #f7f7f7; }
.grid tfoot td { font-weight: bold; background: #f0f0f0; }
.grid.small td, .grid.small th { font-size: 7pt; }
.providers { margin-top: 1.2mm; }
.providers td { font-size: 6.1pt; line-height: 1.08; padding-top: 0.1mm; padding-bottom: 0.1mm; }
sup.prov { font-size: 5.5pt; margin-left: 0.6mm; color: #333; }
tr.penalty td { font-style: italic; }
.charges { table-layout: fixed; }
.charges td { font-size: 7.1pt; }
.w-service { width: 20%; } .w-unit { width: 4.5%; } .w-vol { width: 7.5%; } .w-method { width: 16.5%; }
.w-tariff { width: 7.8%; } .w-sum { width: 9.05%; }
.summary { margin-top: 1.2mm; }
.summary th { text-align: left; font-weight: normal; padding: 0.35mm 1.5mm; border: 0.2mm solid #999; background: #f7f7f7; width: 36%; }
.summary td { padding: 0.35mm 1.5mm; border: 0.2mm solid #999; width: 14%; }
.n { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.c { text-align: center; }
.nowrap { white-space: nowrap; }
.strong { font-weight: bold; }
.big { font-weight: bold; font-size: 10pt; }
.note { margin: 1mm 0 0; color: #222; }
.cut { position: relative; border-top: 0.3mm dashed #000; margin: 2.4mm 0 2mm; text-align: center; }
.cut span { position: relative; top: -2.1mm; background: #fff; padding: 0 2mm; font-size: 6.5pt; color: #444; }
.slip { display: flex; gap: 4mm; border: 0.3mm solid #000; padding: 2mm; }
.slip-qr { flex: 0 0 41mm; text-align: center; border-right: 0.2mm solid #999; padding-right: 3mm; }
.slip-kind { font-weight: bold; text-transform: uppercase; font-size: 9pt; margin-bottom: 1mm; }
/* ГОСТ Р 56042-2014 recommends printing the symbol at least 35 mm across: with a long UTF-8 payload the modules get small. */
.qr { width: 36mm; height: 36mm; display: block; margin: 0 auto; }
.qr-note { font-size: 6.4pt; color: #333; margin-top: 1mm; }
.slip-body { flex: 1 1 auto; display: flex; gap: 3mm; align-items: flex-start; }
.slip-body > table:first-child { flex: 1 1 58%; }
.slip-body > table:last-child { flex: 1 1 42%; }
.slip-body th { width: 30%; }
.sign { border-bottom: 0.2mm solid #000; height: 5mm; }
footer { margin-top: 1.2mm; font-size: 6.5pt; color: #444; display: flex; justify-content: space-between; }
`;

/**
 * The version of the layout: part of every stored bill's fingerprint (shared/epd/bill.ts), so a
 * change to how the bill looks prints every bill anew instead of serving the old layout. Raise it
 * with any change to this file, the fonts or the QR code's drawing.
 */
export const EPD_TEMPLATE_VERSION = 2;

/** The bill's printable document, in the parts the renderer keeps apart (shared/epd/render.ts). */
export interface EpdDocument {
  /**
   * The <head> contents, the same for every bill: the CSP, the fonts and the styles. The renderer
   * loads it once per page and then swaps only the body, so the fonts are decoded once.
   */
  head: string;
  title: string;
  body: string;
}

let head: string | undefined;

function epdHead(): string {
  head ??= `<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; font-src data:; img-src data:">
<style>
${fontFaceCss()}
${CSS}
</style>`;
  return head;
}

/** The bill as its parts. `qr` is the QR code of `epd.qrPayload` (`qrSvg`, shared/epd/qr.ts). */
export function epdDocument(epd: Epd, qr: QrSvg): EpdDocument {
  return {
    head: epdHead(),
    title: `ЕПД за ${periodPhrase(epd.period)}, лицевой счёт ${epd.account}`,
    body: `<header class="doc-head">
<div>
<h1>Единый платёжный документ</h1>
<p>для внесения платы за содержание и ремонт жилого помещения и предоставление коммунальных услуг</p>
</div>
<div class="doc-period">за <b>${esc(periodPhrase(epd.period))}</b><br>Лицевой счёт № <b data-field="account">${esc(epd.account)}</b>${
      epd.payer.els ? `<br>ЕЛС ${esc(epd.payer.els)}` : ''
    }</div>
</header>
${section1(epd)}
${section2(epd)}
${section3(epd)}
${section4(epd)}
${section5(epd)}
${slip(epd, qr)}
<footer><span>Сформирован ${dateText(epd.issuedOn)}. Вопросы по начислениям: ${esc(epd.centre.phone)}, обращения — в личном кабинете ${esc(epd.publicUrl.replace(/^https?:\/\//, ''))}.</span><span>${esc(epd.centre.name)}</span></footer>`,
  };
}

/** A document as one HTML page. */
export function documentHtml(doc: EpdDocument): string {
  return `<!doctype html>
<html lang="ru">
<head>
${doc.head}
<title>${esc(doc.title)}</title>
</head>
<body>
${doc.body}
</body>
</html>`;
}

/** The whole page. `qr` is the QR code of `epd.qrPayload` (`qrSvg`, shared/epd/qr.ts). */
export function epdHtml(epd: Epd, qr: QrSvg): string {
  return documentHtml(epdDocument(epd, qr));
}
