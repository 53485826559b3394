// An internal service using the typed client: a payout job. It logs in as a banker, funds a
// merchant's account, pays a supplier from it (as the merchant), and prints the statement.
// Written as another project writes it (`npm install @simple-bank/client`); CI runs it from the packed
// tarball installed in a scratch project (scripts/client-package-check.sh).
//   BANK_URL=http://127.0.0.1:8080 BANKER=... BANKER_PASSWORD=... node --import tsx packages/client/examples/payout-job.ts
import { randomBytes } from 'node:crypto';
import { BankApiError, BankClient } from '@simple-bank/client';

const baseUrl = process.env.BANK_URL ?? '';
const banker = process.env.BANKER;
const bankerPassword = process.env.BANKER_PASSWORD;
// Every setting named, none guessed: a job pointed at the wrong bank must not start.
const missing = [
  !baseUrl && "BANK_URL (the bank's HTTP API, e.g. http://127.0.0.1:8080)",
  !banker && 'BANKER',
  !bankerPassword && 'BANKER_PASSWORD',
].filter(Boolean);
if (missing.length) {
  console.error(`payout-job needs ${missing.join(', ')}; BANKER is a user with the banker role (npm run cli -- grant-banker NAME).`);
  process.exit(2);
}

async function main() {
  const run = randomBytes(3).toString('hex');
  const bank = new BankClient({ baseUrl });
  await bank.login(banker!, bankerPassword!);

  // The merchant and the supplier are ordinary users with USD accounts.
  const merchant = new BankClient({ baseUrl });
  const supplier = new BankClient({ baseUrl });
  for (const [client, name] of [
    [merchant, `merchant_${run}`],
    [supplier, `supplier_${run}`],
  ] as const) {
    await client.signUp({ username: name, full_name: name, email: `${name}@example.com`, password: 'payout-secret' });
    await client.login(name, 'payout-secret');
  }
  const merchantUsd = await merchant.createAccount('USD');
  const supplierUsd = await supplier.createAccount('USD');

  // Money moves carry one Idempotency-Key per logical operation: a retry can never pay twice.
  await bank.deposit({ account_id: merchantUsd.id, amount: 250_00 }, { idempotencyKey: `fund-${run}` });
  const payout = await merchant.transfer(
    { from_account_id: merchantUsd.id, to_account_id: supplierUsd.id, amount: 120_00, currency: 'USD' },
    { idempotencyKey: `payout-${run}` },
  );
  console.log(`payout ${payout.transfer.id}: ${payout.transfer.amount} cents, merchant balance now ${payout.from_account.balance}`);

  try {
    await merchant.transfer({ from_account_id: merchantUsd.id, to_account_id: supplierUsd.id, amount: 1_000_00, currency: 'USD' });
  } catch (err) {
    if (err instanceof BankApiError && err.code === 'insufficient_funds') console.log('second payout refused: insufficient_funds');
    else throw err;
  }

  const statement = await merchant.statement(merchantUsd.id);
  for (const e of statement.items) console.log(`entry ${e.id}: ${e.amount > 0 ? '+' : ''}${e.amount}`);
  await Promise.all([bank.logout(), merchant.logout(), supplier.logout()]);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
