import { useCallback, useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import {
  addSupportMessage,
  createSupportRequest,
  getProfile,
  listSupportRequests,
  type SupportTicket,
  type SupportTopic,
} from '../api/accounts';
import { ApiError } from '../api/client';
import { CaptchaField, useCaptcha } from '../components/Captcha';
import { AccountNumberField, FormAlert, SubmitButton, SuccessPanel, TextField } from '../components/Form';
import { PageFrame } from '../components/PageFrame';
import { formatDateTime } from '../format';
import { useFormStatus } from '../forms';
import { SUPPORT_TOPICS, supportStatusLabel, supportTopicLabel } from '../labels';
import { loginHref } from '../navigation';
import { useSession } from '../session';
import { accountError, collectErrors, emailError, phoneError, requiredError } from '../validation';

function isTopic(value: string | undefined): value is SupportTopic {
  return SUPPORT_TOPICS.some((topic) => topic.id === value);
}

const MESSAGE_MAX = 4000;

/** A thread's reply box: a resident answers the centre (or adds to a question) inside the ticket. */
function ReplyForm({ ticket, onSent }: { ticket: SupportTicket; onSent: (updated: SupportTicket) => void }) {
  const [text, setText] = useState('');
  const form = useFormStatus();

  async function submit(event: Event) {
    event.preventDefault();
    if (!form.passes(collectErrors({ text: text.trim().length < 2 ? 'Напишите сообщение' : undefined }))) return;
    const result = await form.send(() => addSupportMessage(ticket.id, text.trim()));
    if (!result.ok) return;
    setText('');
    onSent(result.value);
  }

  return (
    <form class="form ticket__reply" ref={form.formRef} onSubmit={submit} noValidate>
      <FormAlert error={form.error} />
      <TextField
        name="text"
        label={ticket.status === 'answered' ? 'Ответить' : 'Дополнить обращение'}
        value={text}
        onInput={setText}
        error={form.fieldError('text')}
        maxLength={MESSAGE_MAX}
        rows={3}
        required
      />
      <SubmitButton busy={form.busy}>Отправить</SubmitButton>
    </form>
  );
}

function Thread({ ticket, onChange }: { ticket: SupportTicket; onChange: (updated: SupportTicket) => void }) {
  return (
    <li class="ticket" data-testid="ticket">
      <div class="ticket__head">
        <span class="ticket__id">№&nbsp;{ticket.id}</span>
        <span class={`status status--${ticket.status}`}>{supportStatusLabel(ticket.status)}</span>
      </div>
      <p class="ticket__meta">
        {supportTopicLabel(ticket.topic)} · <time dateTime={ticket.createdAt}>{formatDateTime(ticket.createdAt)}</time>
      </p>
      <ol class="thread">
        {ticket.messages.map((message) => (
          <li key={message.at} class={`thread__message thread__message--${message.from}`}>
            <p class="thread__author">
              {message.from === 'centre' ? 'Ответ РАЦ' : 'Вы'} ·{' '}
              <time dateTime={message.at}>{formatDateTime(message.at)}</time>
            </p>
            <p class="ticket__message">{message.text}</p>
          </li>
        ))}
      </ol>
      {ticket.status === 'closed' ? (
        <p class="ticket__meta">Обращение закрыто. Если вопрос остался, напишите новое обращение.</p>
      ) : (
        <ReplyForm ticket={ticket} onSent={onChange} />
      )}
    </li>
  );
}

function TicketList({ reloadKey }: { reloadKey: number }) {
  const [items, setItems] = useState<SupportTicket[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setItems((await listSupportRequests()).items);
      setError(null);
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : 'Не удалось загрузить обращения.');
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load, reloadKey]);

  const replace = (updated: SupportTicket) =>
    setItems((current) => current?.map((ticket) => (ticket.id === updated.id ? updated : ticket)) ?? null);

  return (
    <section class="section" aria-labelledby="tickets-heading">
      <h2 id="tickets-heading">Мои обращения</h2>
      {error && (
        <div class="alert alert--error" role="alert">
          <p>{error}</p>
        </div>
      )}
      {!items && !error && <p class="loading">Загрузка…</p>}
      {items && items.length === 0 && <p>Обращений пока нет.</p>}
      {items && items.length > 0 && (
        <ul class="tickets" data-testid="tickets">
          {items.map((ticket) => (
            <Thread key={ticket.id} ticket={ticket} onChange={replace} />
          ))}
        </ul>
      )}
    </section>
  );
}

/**
 * A question to the centre, including a request to close the cabinet. Anyone may write (a guest
 * proves to be a person with a captcha); a logged-in resident's details are filled in and the
 * ticket is filed under the account, with the threads below: the centre's replies, statuses and a
 * reply box in each ticket that is not closed.
 */
export function Support() {
  const { query, url } = useLocation();
  const { me, loading } = useSession();
  const [name, setName] = useState('');
  const [account, setAccount] = useState('');
  const [address, setAddress] = useState('');
  const [email, setEmail] = useState('');
  const [phone, setPhone] = useState('');
  const [topic, setTopic] = useState<SupportTopic>(isTopic(query.topic) ? query.topic : 'question');
  const [message, setMessage] = useState('');
  const [created, setCreated] = useState<{ id: string; message: string } | null>(null);
  const [reloadKey, setReloadKey] = useState(0);
  const guest = !loading && !me;
  const captcha = useCaptcha(guest);
  const form = useFormStatus();

  // Fill in what the centre already knows; never overwrite what the resident has typed.
  useEffect(() => {
    if (!me) return;
    const keep = (value: string, known: string) => (value ? value : known);
    setName((value) => keep(value, me.owner));
    setAccount(me.account);
    setAddress((value) => keep(value, me.address));
    setEmail((value) => keep(value, me.email));
    let active = true;
    getProfile().then(
      (profile) => {
        if (active && profile.phone) setPhone((value) => keep(value, profile.phone ?? ''));
      },
      () => undefined,
    );
    return () => {
      active = false;
    };
  }, [me]);

  async function submit(event: Event) {
    event.preventDefault();
    const checks = collectErrors({
      name: requiredError(name, 'Укажите ФИО'),
      account: account ? accountError(account) : undefined,
      email: emailError(email),
      phone: phoneError(phone),
      message: message.trim().length < 5 ? 'Опишите вопрос' : undefined,
      captchaAnswer: guest ? captcha.answerError() : undefined,
    });
    const solution = guest ? captcha.solution() : null;
    if (!form.passes(checks) || (guest && !solution)) return;
    const result = await form.send(() =>
      createSupportRequest({
        name: name.trim(),
        account,
        address: address.trim(),
        email: email.trim(),
        phone: phone.trim(),
        topic,
        message: message.trim(),
        ...(solution ?? {}),
      }),
    );
    if (!result.ok) {
      if (guest) void captcha.reload();
      return;
    }
    setCreated(result.value);
    setMessage('');
    setReloadKey((key) => key + 1);
  }

  function another() {
    setCreated(null);
    if (guest) void captcha.reload();
  }

  return (
    <PageFrame title="Обращения">
      {created ? (
        <>
          <SuccessPanel title={`Обращение №\u00a0${created.id} принято`}>
            <p data-testid="ticket-created">{created.message}</p>
            <p>Сохраните номер обращения: он понадобится, если вы будете звонить в центр.</p>
          </SuccessPanel>
          <p>
            <button type="button" class="button button--secondary" onClick={another}>
              Написать ещё одно обращение
            </button>
          </p>
        </>
      ) : (
        <>
          <p class="page__lead">
            Задайте вопрос о начислениях, показаниях или оплате. Ответим в течение рабочего дня: ответ придёт на
            электронную почту{me ? ' и появится в переписке ниже — там же можно ответить' : ''}.
          </p>
          <form class="form" ref={form.formRef} onSubmit={submit} noValidate>
            <FormAlert error={form.error} />
            <div class="field">
              <label class="field__label" for="support-topic">
                Тема
              </label>
              <select
                id="support-topic"
                name="topic"
                class="field__input"
                value={topic}
                onChange={(event) => {
                  const value = event.currentTarget.value;
                  if (isTopic(value)) setTopic(value);
                }}
              >
                {SUPPORT_TOPICS.map((option) => (
                  <option key={option.id} value={option.id}>
                    {option.label}
                  </option>
                ))}
              </select>
            </div>
            {topic === 'close_cabinet' && (
              <p class="notice notice--inline">
                Личный кабинет закроют после проверки, а согласие на обработку персональных данных будет отозвано.
                Лицевой счёт, начисления и платежи сохранятся.
              </p>
            )}
            <TextField
              name="name"
              label="ФИО"
              value={name}
              onInput={setName}
              error={form.fieldError('name')}
              autocomplete="name"
              maxLength={200}
              required
            />
            <AccountNumberField
              value={account}
              onInput={setAccount}
              error={form.fieldError('account')}
              hint={me ? 'Обращение будет привязано к вашему лицевому счёту' : undefined}
              readOnly={Boolean(me)}
              required={false}
            />
            <TextField
              name="address"
              label="Адрес помещения"
              value={address}
              onInput={setAddress}
              error={form.fieldError('address')}
              autocomplete="street-address"
              maxLength={300}
            />
            <TextField
              name="email"
              type="email"
              label="Электронная почта для ответа"
              value={email}
              onInput={setEmail}
              error={form.fieldError('email')}
              autocomplete="email"
              inputMode="email"
              maxLength={254}
              required
            />
            <TextField
              name="phone"
              type="tel"
              label="Телефон"
              value={phone}
              onInput={setPhone}
              error={form.fieldError('phone')}
              autocomplete="tel"
              inputMode="tel"
              maxLength={32}
            />
            <TextField
              name="message"
              label="Сообщение"
              hint={`До ${MESSAGE_MAX} символов`}
              value={message}
              onInput={setMessage}
              error={form.fieldError('message')}
              maxLength={MESSAGE_MAX}
              rows={6}
              required
            />
            {guest && (
              <CaptchaField state={captcha} error={form.fieldError('captchaAnswer') ?? form.fieldError('captchaId')} />
            )}
            <SubmitButton busy={form.busy}>Отправить</SubmitButton>
          </form>
        </>
      )}
      {me && <TicketList reloadKey={reloadKey} />}
      {guest && (
        <p class="form__aside">
          <a href={loginHref(url)}>Войдите</a>, чтобы видеть свои обращения и их статус.
        </p>
      )}
    </PageFrame>
  );
}
