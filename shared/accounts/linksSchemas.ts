import * as z from 'zod';
import { Passport } from '#shared/accounts/schemas';
import { lazySchema } from '#shared/api/lazySchema';
import { AccountNumber } from '#shared/api/schemas';

/** Request and response shapes of several accounts under one login (shared/accounts/links.ts). */

export const LinkAccountRequest = lazySchema(() => z.object({ account: AccountNumber, passport: Passport }));

export const SwitchAccountRequest = lazySchema(() => z.object({ account: AccountNumber }));

export const AccountPathParams = lazySchema(() => z.object({ account: AccountNumber }));

export const LinkedAccount = lazySchema(() =>
  z
    .object({
      account: AccountNumber,
      address: z.string().meta({ description: 'Адрес из реестра РАЦ' }),
      home: z.boolean().meta({ description: 'Основной лицевой счёт кабинета (по нему вход); удалить его нельзя' }),
    })
    .meta({ id: 'LinkedAccount' }),
);

export const AccountsResponse = lazySchema(() =>
  z
    .object({
      current: AccountNumber.meta({ description: 'Лицевой счёт, с которым сейчас работает кабинет' }),
      items: z.array(LinkedAccount).meta({ description: 'Основной лицевой счёт первым, затем добавленные' }),
    })
    .meta({ id: 'Accounts' }),
);
