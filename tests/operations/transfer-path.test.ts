// The README's "How a transfer works" is held true: the files it names exist, there are at most
// eight, and each hands the transfer to the next as the README says (imports, the query, the function).
// Postgres errors are translated in one place only.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { projectRoot } from '../../src/platform/paths.js';

const read = (f: string) => readFileSync(join(projectRoot, f), 'utf8');
const readme = read('README.md');
const section = /## How a transfer works\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? '';
/** The first path each numbered step names. */
const steps = [...section.matchAll(/^(\d+)\. `([^`]+)`/gm)].map((m) => m[2]!);

it('names at most eight files, each of which exists, in order', () => {
  expect(steps).toEqual([
    'src/http/routes/transfers.routes.ts',
    'src/transfers/transfers.schemas.ts',
    'src/transfers/transfers.operations.ts',
    'src/transfers/ledger.ts',
    'sql/transfers.sql',
    'sql/functions/ledger_apply.pgsql',
    'src/errors.ts',
    'src/http/problem.ts',
  ]);
  for (const f of steps) expect(statSync(join(projectRoot, f)).isFile()).toBe(true);
  expect(section).toMatch(/^Eight files/m);
});

it('each step hands the transfer to the next as the README says', () => {
  const imports = (f: string, target: string) => new RegExp(`from '[./]*${target.replace(/\.ts$/, '')}\\.js'`).test(read(f));
  // The route takes the schemas' body and answers their TransferResult; the operation hands an item to the ledger.
  expect(imports(steps[0]!, 'transfers/transfers.schemas.ts')).toBe(true);
  expect(read(steps[0]!)).toMatch(/transfers\.createTransfer\(/);
  expect(imports(steps[2]!, 'ledger.ts')).toBe(true);
  // The ledger calls the query of sql/transfers.sql (through generated/), which calls the function of its source file.
  expect(read(steps[3]!)).toMatch(/import \{ ledgerApply \} from '\.\.\/\.\.\/generated\/transfers\.queries\.js'/);
  expect(read(steps[4]!)).toMatch(/@name LedgerApply \*\/[\s\S]*FROM ledger_apply\(/);
  expect(read(steps[5]!)).toMatch(/^CREATE OR REPLACE FUNCTION ledger_apply\(/m);
  // Its refusals become the errors of src/errors.ts, which the adapters answer.
  expect(read(steps[3]!)).toMatch(/ledgerRefusal\(/);
  expect(imports(steps[7]!, 'errors.ts')).toBe(true);
});

it('Postgres errors are translated in one place: where an operation returns (src/operations.ts)', () => {
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
    );
  const callers = files(join(projectRoot, 'src'))
    .filter((f) => /\btranslatePgError\(/.test(readFileSync(f, 'utf8')))
    .map((f) => relative(projectRoot, f));
  expect(callers.sort()).toEqual(['src/db/pg-errors.ts', 'src/operations.ts']);
});
