import { CENTRE } from '#shared/centre';

/** Where and when residents can come to the centre in person. */
export function CentreContacts() {
  return (
    <p class="centre-contacts">
      {CENTRE.address}, тел. <a href={CENTRE.phone.href}>{CENTRE.phone.display}</a>.
      <br />
      Приём: {CENTRE.hours.map((row) => `${row.days} ${row.time}`).join('; ')}.
    </p>
  );
}
