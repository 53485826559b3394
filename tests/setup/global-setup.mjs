// Jest loads global setup outside its TypeScript transform; tsx loads our TypeScript for it.
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup() {
  const { default: start } = await tsImport('./start-postgres.ts', import.meta.url);
  await start();
}
