import * as z from 'zod/mini';
import { Passport } from '#shared/accounts/schemas';
import { lazySchema } from '#shared/api/lazySchema';
import { AccountNumber } from '#shared/api/schemas';

/** Request and response shapes of several accounts under one login (shared/accounts/links.ts). */

export const LinkAccountRequest = /* @__PURE__ */ lazySchema(() =>
  z.object({ account: AccountNumber, passport: Passport }),
);

export const SwitchAccountRequest = /* @__PURE__ */ lazySchema(() => z.object({ account: AccountNumber }));

export const AccountPathParams = /* @__PURE__ */ lazySchema(() => z.object({ account: AccountNumber }));

export const LinkedAccount = /* @__PURE__ */ lazySchema(() =>
  z
    .object({
      account: AccountNumber,
      address: z.string().check(z.meta({ description: 'Адрес из реестра РАЦ' })),
      home: z
        .boolean()
        .check(z.meta({ description: 'Основной лицевой счёт кабинета (по нему вход); удалить его нельзя' })),
    })
    .check(z.meta({ id: 'LinkedAccount' })),
);

export const AccountsResponse = /* @__PURE__ */ lazySchema(() =>
  z
    .object({
      current: AccountNumber.check(z.meta({ description: 'Лицевой счёт, с которым сейчас работает кабинет' })),
      items: z.array(LinkedAccount).check(z.meta({ description: 'Основной лицевой счёт первым, затем добавленные' })),
    })
    .check(z.meta({ id: 'Accounts' })),
);
