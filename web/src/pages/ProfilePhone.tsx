import { useEffect, useState } from 'preact/hooks';
import { formatPhone, normalisePhone, PHONE_EXAMPLE } from '#shared/accounts/phoneNumber';
import { confirmPhoneCode, type Profile, removePhone, requestPhoneCode, updateProfile } from '../api/accounts';
import { CheckboxField, CurrentPasswordField, FormAlert, SubmitButton, TextField } from '../components/Form';
import { useFormStatus } from '../forms';

/**
 * The profile's mobile phone: a number confirmed by a code from SMS (10 minutes, 5 tries), then
 * the «Входить по коду из SMS» switch. A confirmed number changes only with the current password,
 * as the server requires; until the new one is confirmed the old one stays. Removing it (a lost or
 * given-up number) asks for the password too, after a confirmation step that says what ends with it.
 */
export function PhoneSection({ profile, onChanged }: { profile: Profile; onChanged: () => void }) {
  const confirmed = profile.phoneConfirmed && profile.phone;
  const [phone, setPhone] = useState('');
  const [currentPassword, setCurrentPassword] = useState('');
  const [code, setCode] = useState('');
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const ask = useFormStatus();
  const check = useFormStatus();

  async function sendCode(event: Event) {
    event.preventDefault();
    setDone(null);
    const typed = normalisePhone(phone);
    const errors: Record<string, string> = {};
    if (!typed.ok) errors.phone = typed.message;
    if (confirmed && !currentPassword) errors.currentPassword = 'Введите текущий пароль';
    if (!ask.passes(errors)) return;
    const result = await ask.send(() => requestPhoneCode({ phone, ...(confirmed ? { currentPassword } : {}) }));
    setCurrentPassword('');
    if (!result.ok) return;
    setSentTo(result.value.phone);
    setCode('');
  }

  async function confirm(event: Event) {
    event.preventDefault();
    if (!check.passes(/^\d{6}$/.test(code.trim()) ? {} : { code: 'Введите 6 цифр кода из SMS' })) return;
    const result = await check.send(() => confirmPhoneCode(code.trim()));
    if (!result.ok) return;
    setSentTo(null);
    setPhone('');
    setDone(result.value.message);
    onChanged();
  }

  return (
    <section class="panel" aria-labelledby="phone-heading">
      <h2 id="phone-heading">Мобильный телефон</h2>
      <p>
        {confirmed ? (
          <>
            Подтверждён: <strong data-testid="profile-phone">{formatPhone(profile.phone ?? '')}</strong>
          </>
        ) : (
          'Подключите мобильный телефон: на него придёт SMS с кодом подтверждения, а после — при желании, коды для входа. Это защитит кабинет от взлома.'
        )}
      </p>
      {sentTo ? (
        <form class="form" ref={check.formRef} onSubmit={confirm} noValidate>
          <FormAlert error={check.error} />
          <TextField
            name="code"
            label="Код из SMS"
            hint={`Отправлен на ${sentTo}; действует 10 минут`}
            value={code}
            onInput={(value) => setCode(value.replace(/\D/g, ''))}
            error={check.fieldError('code')}
            autocomplete="one-time-code"
            inputMode="numeric"
            maxLength={6}
            required
          />
          <SubmitButton busy={check.busy}>Подтвердить</SubmitButton>
          <button type="button" class="button button--secondary button--small" onClick={() => setSentTo(null)}>
            Изменить номер или получить код ещё раз
          </button>
        </form>
      ) : (
        <form class="form" ref={ask.formRef} onSubmit={sendCode} noValidate>
          <FormAlert error={ask.error} />
          <TextField
            name="phone"
            type="tel"
            label={confirmed ? 'Новый номер' : 'Номер мобильного телефона'}
            hint={`Например: ${PHONE_EXAMPLE}`}
            value={phone}
            onInput={setPhone}
            error={ask.fieldError('phone')}
            autocomplete="tel"
            inputMode="tel"
            maxLength={40}
            required
          />
          {confirmed && (
            <CurrentPasswordField
              hint="Подтверждённый телефон защищает вход, поэтому сменить его может только тот, кто знает пароль"
              value={currentPassword}
              onInput={setCurrentPassword}
              error={ask.fieldError('currentPassword')}
            />
          )}
          <SubmitButton busy={ask.busy}>Получить код</SubmitButton>
          <p class="form__saved" role="status">
            {done}
          </p>
        </form>
      )}
      {confirmed && <SmsLoginSwitch profile={profile} onChanged={onChanged} />}
      {confirmed && (
        <RemovePhone
          profile={profile}
          onRemoved={() => {
            setSentTo(null);
            setDone('Телефон удалён из личного кабинета. Вход по коду из SMS отключён.');
            onChanged();
          }}
        />
      )}
    </section>
  );
}

function SmsLoginSwitch({ profile, onChanged }: { profile: Profile; onChanged: () => void }) {
  const form = useFormStatus();
  const [saved, setSaved] = useState<string | null>(null);

  async function toggle(on: boolean) {
    setSaved(null);
    const result = await form.send(() => updateProfile({ loginCodeBySms: on }));
    if (!result.ok) return;
    setSaved(on ? 'Вход по коду из SMS включён.' : 'Вход по коду из SMS отключён.');
    onChanged();
  }

  return (
    <form class="form" ref={form.formRef} onSubmit={(e) => e.preventDefault()} noValidate>
      <FormAlert error={form.error} />
      <CheckboxField name="loginCodeBySms" checked={profile.loginCodeBySms} onChange={(on) => void toggle(on)}>
        Входить по коду из SMS: после пароля — код, который придёт на этот телефон
      </CheckboxField>
      <p class="form__saved" role="status">
        {saved}
      </p>
    </form>
  );
}

function RemovePhone({ profile, onRemoved }: { profile: Profile; onRemoved: () => void }) {
  const form = useFormStatus();
  const [asking, setAsking] = useState(false);
  const [currentPassword, setCurrentPassword] = useState('');
  // The button that opened the step is gone: keyboard and screen-reader users land on the password.
  useEffect(() => {
    if (asking) form.formRef.current?.querySelector<HTMLInputElement>('input')?.focus();
  }, [asking]);

  async function remove(event: Event) {
    event.preventDefault();
    if (!form.passes(currentPassword ? {} : { currentPassword: 'Введите текущий пароль' })) return;
    const result = await form.send(() => removePhone(currentPassword));
    setCurrentPassword('');
    if (!result.ok) return;
    setAsking(false);
    onRemoved();
  }

  if (!asking) {
    return (
      <p>
        <button type="button" class="button button--secondary button--small" onClick={() => setAsking(true)}>
          Удалить телефон
        </button>
      </p>
    );
  }
  return (
    <form class="form" ref={form.formRef} onSubmit={remove} noValidate aria-labelledby="phone-remove-heading">
      <h3 id="phone-remove-heading">Удалить телефон {formatPhone(profile.phone ?? '')}?</h3>
      <p>
        {profile.loginCodeBySms
          ? 'Вход по коду из SMS отключится: для входа останется только пароль. '
          : 'Коды из SMS на этот номер больше не придут. '}
        На почту придёт уведомление. Подключить телефон снова можно в любое время.
      </p>
      <FormAlert error={form.error} />
      <CurrentPasswordField
        name="removePhonePassword"
        value={currentPassword}
        onInput={setCurrentPassword}
        error={form.fieldError('currentPassword')}
      />
      <SubmitButton busy={form.busy}>Удалить телефон</SubmitButton>
      <button
        type="button"
        class="button button--secondary button--small"
        onClick={() => {
          setAsking(false);
          setCurrentPassword('');
          form.setError(null);
        }}
      >
        Отмена
      </button>
    </form>
  );
}
