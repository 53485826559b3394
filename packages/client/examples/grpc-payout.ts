// The payout job of payout-job.ts, over gRPC: the same bank, the same rules, another transport.
// Needs the optional peers: npm install @simple-bank/client @bufbuild/protobuf @connectrpc/connect @connectrpc/connect-node
//   BANK_GRPC_URL=http://127.0.0.1:9090 BANKER=... BANKER_PASSWORD=... node --import tsx packages/client/examples/grpc-payout.ts
import { randomBytes } from 'node:crypto';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { BankGrpcClient, BankGrpcError } from '@simple-bank/client/grpc';

const baseUrl = process.env.BANK_GRPC_URL ?? '';
const banker = process.env.BANKER;
const bankerPassword = process.env.BANKER_PASSWORD;
// Every setting named, none guessed: a job pointed at the wrong bank must not start.
const missing = [
  !baseUrl && "BANK_GRPC_URL (the bank's gRPC port, e.g. http://127.0.0.1:9090)",
  !banker && 'BANKER',
  !bankerPassword && 'BANKER_PASSWORD',
].filter(Boolean);
if (missing.length) {
  const hint = process.env.BANK_URL && !baseUrl ? ' (BANK_URL is the HTTP API: this job speaks gRPC)' : '';
  console.error(
    `grpc-payout needs ${missing.join(', ')}${hint}; BANKER is a user with the banker role (npm run cli -- grant-banker NAME).`,
  );
  process.exit(2);
}

async function main() {
  const run = randomBytes(3).toString('hex');
  const transport = createGrpcTransport({ baseUrl });
  const bank = new BankGrpcClient({ transport });
  await bank.login(banker!, bankerPassword!);

  const merchant = new BankGrpcClient({ transport });
  const supplier = new BankGrpcClient({ transport });
  for (const [client, name] of [
    [merchant, `gmerchant_${run}`],
    [supplier, `gsupplier_${run}`],
  ] as const) {
    await client.signUp({ username: name, fullName: name, email: `${name}@example.com`, password: 'payout-secret' });
    await client.login(name, 'payout-secret');
  }
  const merchantUsd = await merchant.createAccount('USD');
  const supplierUsd = await supplier.createAccount('USD');

  await bank.deposit({ accountId: merchantUsd.id, amount: 250_00n }, { idempotencyKey: `gfund-${run}` });
  const payout = await merchant.transfer(
    { fromAccountId: merchantUsd.id, toAccountId: supplierUsd.id, amount: 120_00n, currency: 'USD' },
    { idempotencyKey: `gpayout-${run}` },
  );
  console.log(`grpc payout ${payout.transfer?.id}: ${payout.transfer?.amount} cents, merchant balance now ${payout.fromAccount?.balance}`);

  try {
    await merchant.transfer({ fromAccountId: merchantUsd.id, toAccountId: supplierUsd.id, amount: 1_000_00n, currency: 'USD' });
  } catch (err) {
    if (err instanceof BankGrpcError && err.code === 'insufficient_funds') console.log('second payout refused: insufficient_funds');
    else throw err;
  }
  await Promise.all([bank.logout(), merchant.logout(), supplier.logout()]);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
