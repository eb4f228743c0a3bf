import { useCallback, useEffect, useState } from 'preact/hooks';
import { changePassword, getProfile, type Profile, requestEmailChange, updateProfile } from '../api/accounts';
import { ApiError } from '../api/client';
import { CheckboxField, CurrentPasswordField, FormAlert, SubmitButton, TextField } from '../components/Form';
import { LinkedAccountsSection } from '../components/LinkedAccounts';
import { NewPasswordFields } from '../components/NewPasswordFields';
import { PageFrame } from '../components/PageFrame';
import { formatDate } from '../format';
import { useFormStatus } from '../forms';
import { useSession } from '../session';
import { collectErrors, emailError, newPasswordError, phoneError, repeatError, requiredError } from '../validation';
import { PhoneSection } from './ProfilePhone';

/** A short confirmation next to a form's button, read out politely. */
function Saved({ message }: { message: string | null }) {
  return (
    <p class="form__saved" role="status">
      {message}
    </p>
  );
}

function EmailSection({ profile, onChanged }: { profile: Profile; onChanged: () => void }) {
  const [email, setEmail] = useState('');
  const [currentPassword, setCurrentPassword] = useState('');
  const [sentTo, setSentTo] = useState<string | null>(null);
  const form = useFormStatus();

  async function submit(event: Event) {
    event.preventDefault();
    const checks = collectErrors({
      email: emailError(email),
      currentPassword: requiredError(currentPassword, 'Введите текущий пароль'),
    });
    if (!form.passes(checks)) return;
    const address = email.trim();
    const result = await form.send(() => requestEmailChange({ email: address, currentPassword }));
    setCurrentPassword('');
    if (!result.ok) return;
    setSentTo(address);
    setEmail('');
    onChanged();
  }

  return (
    <section class="panel" aria-labelledby="email-heading">
      <h2 id="email-heading">Электронная почта</h2>
      <p>
        Сейчас: <strong data-testid="profile-email">{profile.email}</strong>
      </p>
      {profile.emailUndeliverable && (
        <p class="notice notice--inline" role="alert" data-testid="profile-email-undeliverable">
          Письма на этот адрес не доставляются
          {profile.emailUndeliverable.reason === 'complaint'
            ? ': письмо от нас было отмечено как спам'
            : ': почтовый сервер отказался их принимать'}{' '}
          (с {formatDate(profile.emailUndeliverable.since)}). Мы больше не отправляем на него напоминания, ЕПД и ссылки.
          Укажите другой адрес ниже или напишите в поддержку.
        </p>
      )}
      {profile.pendingEmail && (
        <p class="notice notice--inline">
          Ждёт подтверждения: <strong>{profile.pendingEmail}</strong>. Перейдите по ссылке из письма, отправленного на
          этот адрес.
        </p>
      )}
      <form class="form" ref={form.formRef} onSubmit={submit} noValidate>
        <FormAlert error={form.error} />
        <TextField
          name="email"
          type="email"
          label="Новый адрес"
          hint="Мы отправим на него ссылку: адрес сменится, когда вы по ней перейдёте"
          value={email}
          onInput={setEmail}
          error={form.fieldError('email')}
          autocomplete="email"
          inputMode="email"
          maxLength={254}
          required
        />
        <CurrentPasswordField
          hint="Адрес почты нужен для восстановления пароля, поэтому сменить его может только тот, кто знает пароль"
          value={currentPassword}
          onInput={setCurrentPassword}
          error={form.fieldError('currentPassword')}
        />
        <SubmitButton busy={form.busy}>Сменить адрес</SubmitButton>
        <Saved
          message={
            sentTo
              ? `Ссылка для подтверждения отправлена на ${sentTo}. Перейдите по ней, чтобы сменить адрес. ` +
                `На прежний адрес ${profile.email} отправлено уведомление со ссылкой для отмены.`
              : null
          }
        />
      </form>
    </section>
  );
}

function ContactsSection({ profile, onSaved }: { profile: Profile; onSaved: (profile: Profile) => void }) {
  const [phone, setPhone] = useState(profile.phone ?? '');
  const [remindersOptIn, setReminders] = useState(profile.remindersOptIn);
  const [billByEmail, setBillByEmail] = useState(profile.billByEmail);
  const [newsByEmail, setNewsByEmail] = useState(profile.newsByEmail);
  const [saved, setSaved] = useState<string | null>(null);
  const form = useFormStatus();

  async function submit(event: Event) {
    event.preventDefault();
    setSaved(null);
    if (!form.passes(collectErrors({ phone: phoneError(phone) }))) return;
    const result = await form.send(() =>
      // A confirmed phone changes in its own section, with the password; here only a contact phone.
      updateProfile({
        ...(profile.phoneConfirmed ? {} : { phone: phone.trim() }),
        remindersOptIn,
        billByEmail,
        newsByEmail,
      }),
    );
    if (!result.ok) return;
    onSaved(result.value);
    setSaved('Изменения сохранены.');
  }

  return (
    <section class="panel" aria-labelledby="contacts-heading">
      <h2 id="contacts-heading">Телефон и уведомления</h2>
      <form class="form" ref={form.formRef} onSubmit={submit} noValidate>
        <FormAlert error={form.error} />
        {!profile.phoneConfirmed && (
          <TextField
            name="phone"
            type="tel"
            label="Телефон"
            hint="Например: +7 (4725) 12-34-56. Нужен, чтобы специалист мог перезвонить по обращению"
            value={phone}
            onInput={setPhone}
            error={form.fieldError('phone')}
            autocomplete="tel"
            inputMode="tel"
            maxLength={32}
          />
        )}
        <CheckboxField name="remindersOptIn" checked={remindersOptIn} onChange={setReminders}>
          Напоминать на почту об открытии приёма показаний
        </CheckboxField>
        <CheckboxField name="billByEmail" checked={billByEmail} onChange={setBillByEmail}>
          Присылать квитанцию (ЕПД) на почту
        </CheckboxField>
        <CheckboxField name="newsByEmail" checked={newsByEmail} onChange={setNewsByEmail}>
          Получать новости на почту
        </CheckboxField>
        <SubmitButton busy={form.busy}>Сохранить</SubmitButton>
        <Saved message={saved} />
      </form>
    </section>
  );
}

function PasswordSection({ account }: { account: string }) {
  const [oldPassword, setOldPassword] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [shown, setShown] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const form = useFormStatus();

  // No robot check here: the current password is the proof (the server limits wrong ones).
  async function submit(event: Event) {
    event.preventDefault();
    setSaved(null);
    const checks = collectErrors({
      oldPassword: requiredError(oldPassword, 'Введите текущий пароль'),
      newPassword: newPasswordError(password),
      repeat: repeatError(password, repeat),
    });
    if (!form.passes(checks)) return;
    const result = await form.send(() => changePassword({ oldPassword, newPassword: password }));
    if (!result.ok) return;
    setOldPassword('');
    setPassword('');
    setRepeat('');
    setSaved('Пароль изменён. На других устройствах нужно войти заново.');
  }

  return (
    <section class="panel" aria-labelledby="password-heading">
      <h2 id="password-heading">Пароль</h2>
      <form class="form" ref={form.formRef} onSubmit={submit} noValidate>
        {/* Lets a password manager file the new password under the right account. */}
        <input
          class="visually-hidden"
          type="text"
          name="username"
          autocomplete="username"
          value={account}
          readOnly
          tabIndex={-1}
          aria-hidden="true"
        />
        <FormAlert error={form.error} />
        <CurrentPasswordField
          name="oldPassword"
          shown={shown}
          value={oldPassword}
          onInput={setOldPassword}
          error={form.fieldError('oldPassword')}
        />
        <NewPasswordFields
          name="newPassword"
          password={password}
          repeat={repeat}
          shown={shown}
          onPassword={setPassword}
          onRepeat={setRepeat}
          onShown={setShown}
          // A weak password is reported under `password`, whichever form sent it.
          passwordError={form.fieldError('newPassword') ?? form.fieldError('password')}
          repeatError={form.fieldError('repeat')}
        />
        <SubmitButton busy={form.busy}>Сменить пароль</SubmitButton>
        <Saved message={saved} />
      </form>
    </section>
  );
}

function ConsentSection({ profile }: { profile: Profile }) {
  return (
    <section class="panel" aria-labelledby="consent-heading">
      <h2 id="consent-heading">Согласие на обработку персональных данных</h2>
      <dl class="facts">
        <div class="facts__row">
          <dt>Редакция</dt>
          <dd data-testid="consent-version">{profile.consent.version}</dd>
        </div>
        <div class="facts__row">
          <dt>Дата согласия</dt>
          <dd>{formatDate(profile.consent.acceptedAt)}</dd>
        </div>
        <div class="facts__row">
          <dt>Личный кабинет открыт</dt>
          <dd>{formatDate(profile.registeredAt)}</dd>
        </div>
      </dl>
      <p>
        Отозвать согласие и закрыть личный кабинет можно <a href="/support?topic=close_cabinet">обращением в центр</a>.
      </p>
    </section>
  );
}

/** Contacts, notifications, password and the consent record of the logged-in resident. */
export function ProfilePage() {
  const { me } = useSession();
  const [profile, setProfile] = useState<Profile | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setProfile(await getProfile());
      setError(null);
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : 'Не удалось загрузить профиль.');
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <PageFrame title="Профиль">
      {me && (
        <p class="page__lead">
          Лицевой счёт №&nbsp;{me.account}, {me.owner}
        </p>
      )}
      {error && (
        <div class="alert alert--error" role="alert">
          <p>{error}</p>
          <button type="button" class="button button--secondary button--small" onClick={() => void load()}>
            Повторить
          </button>
        </div>
      )}
      {!profile && !error && (
        <p class="loading" role="status">
          Загрузка…
        </p>
      )}
      {profile && (
        <div class="panels">
          <EmailSection profile={profile} onChanged={() => void load()} />
          <PhoneSection profile={profile} onChanged={() => void load()} />
          <ContactsSection profile={profile} onSaved={setProfile} />
          <PasswordSection account={profile.account} />
          <ConsentSection profile={profile} />
          <LinkedAccountsSection />
        </div>
      )}
    </PageFrame>
  );
}
