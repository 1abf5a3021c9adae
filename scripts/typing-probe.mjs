// Run by hand (not a test): per-keystroke main-thread time in the page with the big inputs,
// typing into each box while idle and into the listeners box while a big job runs.
//   cargo run --release -p badgateway-core --example gen_inputs -- /tmp/perf/big 100000 100000
//   make web-build && node scripts/typing-probe.mjs      (PROBE_DIR=/tmp/perf by default)
// NOLOG=1 skips typing into the 32 MB log box first (see docs/performance.md for why it matters);
// PROFILE=1 writes a CPU profile of the busy phase to $PROBE_DIR/busy.cpuprofile.
import { readFile, writeFile } from 'node:fs/promises';
import { serve, launch, open } from '../tests/e2e/harness.mjs';
const D = process.env.PROBE_DIR ?? '/tmp/perf';
const read = (d, f) => readFile(`${D}/${d}/${f}`, 'utf8');
const big = { config: await read('big', 'dump.txt'), listeners: await read('big', 'listeners.txt'), log: await read('big', 'error.log') };
const server = await serve();
const context = await launch();
const { page } = await open(context, server.url);
await page.evaluate(() => {
  const w = window; w.__perf = { keys: [], long: [] };
  document.addEventListener('keydown', (e) => { w.__perf.pendingKey = e.timeStamp; }, true);
  document.addEventListener('input', () => { const s = w.__perf.pendingKey; if (s === undefined) return; w.__perf.pendingKey = undefined; requestAnimationFrame(() => w.__perf.keys.push(performance.now() - s)); });
  new PerformanceObserver((l) => { for (const e of l.getEntries()) w.__perf.long.push([e.startTime, e.duration]); }).observe({ type: 'longtask' });
});
const set = (which, text) => page.evaluate(([which, text]) => { const view = document.getElementById(`input-${which}`).bgEditor.view; view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text }, userEvent: 'input.paste' }); }, [which, text]);
const idle = () => page.waitForFunction(() => document.querySelector('section.results').getAttribute('aria-busy') === 'false', null, { timeout: 600000, polling: 20 });
const med = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]; };
const which = process.env.BOXES ?? 'config,listeners,log';
for (const w of which.split(',')) await set(w, big[w]);
await page.waitForTimeout(500); await idle();
console.log('findings', await page.locator('article.finding').count());
const typeInto = async (box, label) => {
  const el = page.locator(`[data-testid="editor-${box}"]`); await el.focus(); await page.keyboard.press('Control+End');
  await page.evaluate(() => { window.__perf.keys = []; window.__perf.long = []; });
  await page.keyboard.type('# typed while busy\n', { delay: 20 });
  const k = await page.evaluate(() => window.__perf.keys);
  const l = await page.evaluate(() => window.__perf.long);
  console.log(`${label}: median ${med(k).toFixed(1)} max ${Math.max(...k).toFixed(1)} n=${k.length}; long tasks ${l.length} ${l.map(x=>x[1].toFixed(0)).join(',')}`);
};
await typeInto('listeners', 'idle, listeners');
await idle();
if (!process.env.NOLOG) await typeInto('log', 'idle, log');
await idle();
const cdp = await context.newCDPSession(page);
if (process.env.PROFILE) { await cdp.send('Profiler.enable'); await cdp.send('Profiler.setSamplingInterval', { interval: 200 }); await cdp.send('Profiler.start'); }
const cfg = page.locator('[data-testid="editor-config"]'); await cfg.focus(); await page.keyboard.press('Control+End'); await page.keyboard.type('#');
await page.waitForFunction(() => document.querySelector('section.results').getAttribute('aria-busy') === 'true', null, { polling: 5 });
await typeInto('listeners', 'busy, listeners');
if (process.env.PROFILE) { const { profile } = await cdp.send('Profiler.stop'); await writeFile(`${D}/busy.cpuprofile`, JSON.stringify(profile)); }
await idle();
await context.close(); server.close();
