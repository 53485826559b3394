// The heap policy (src/platform/heap.ts): with HEAP_GROWING_PERCENT the V8 heap stays near the live
// data under an allocation churn that V8's own policy lets grow to several times it; the heap still
// grows to whatever is live (no cap: a live set larger than any cap-like size still fits).
import { spawn } from 'node:child_process';
import { projectRoot } from '../../src/platform/paths.js';

/**
 * A child that applies `percent` at run time (as the server does after reading its config), keeps
 * `liveObjects` objects live (≈ 130 bytes each), and churns through medium-lived garbage (each batch outlives a few
 * scavenges, so it reaches the old space, as request state under load does). Answers the largest
 * heapTotal seen, in MB.
 */
function churn(percent: number, liveObjects = 200_000): Promise<number> {
  const body = `
    m.applyHeapGrowth(${percent});
    const live = [];
    for (let i = 0; i < ${liveObjects}; i++) live.push({ s: 'live'.repeat(8) + i, n: [i, i] });
    const ring = [];
    let max = 0;
    for (let r = 0; r < 250; r++) {
      const batch = [];
      for (let i = 0; i < 20000; i++) batch.push({ s: 'garbage'.repeat(6) + i, n: [i] });
      ring[r % 8] = batch;
      max = Math.max(max, process.memoryUsage().heapTotal);
    }
    if (live.length === 0) throw new Error('unreachable');
    console.log(Math.round(max / 2 ** 20));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', `import('./src/platform/heap.ts').then((m) => { ${body} })`], {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(Number(out.trim())) : reject(new Error(`churn exited ${code}`))));
  });
}

it('HEAP_GROWING_PERCENT=50 keeps the heap well below what V8 alone lets it reach', async () => {
  const [bounded, unbounded] = await Promise.all([churn(50), churn(0)]);
  expect(unbounded).toBeGreaterThan(0);
  expect(bounded).toBeLessThan(unbounded * 0.75);
}, 60_000);

it('the policy is not a cap: a live set of 1.5 million objects still fits (the heap grows past 300 MB)', async () => {
  expect(await churn(50, 1_500_000)).toBeGreaterThan(300);
}, 60_000);
