import { tsImport } from 'tsx/esm/api';

export default async function globalTeardown() {
  const { default: stop } = await tsImport('./stop-postgres.ts', import.meta.url);
  await stop();
}
