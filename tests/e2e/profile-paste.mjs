// Profiles the page's main thread while a 64 MB log is pasted (by hand, not a test): prints
// the long tasks, the functions with the most self time and the heaviest stacks. The numbers
// behind the 64 MB todo in perf.test.mjs.
//   node tests/e2e/profile-paste.mjs UNIT_LOG      # UNIT_LOG repeated to 64 MB, empty boxes
// WITH_CONFIG=1 pastes dump.txt and listeners.txt from UNIT_LOG's folder first (the perf
// inputs of crates/core's gen_inputs example), WITH_LOG=1 the unit log too; then CARET_END=1
// pastes after that text, SELECT_ALL=1 over it (default: before it). DIST= serves another
// build (one whose wasm kept its names shows them in the profile).
import { serve, launch, open } from './harness.mjs';
import { readFileSync, writeFileSync } from 'node:fs';
const unit = readFileSync(process.argv[2], 'utf8');
const server = await serve(process.env.DIST || undefined);
const context = await launch();
const { page, errors } = await open(context, server.url);
await page.waitForSelector('html[data-worker="ready"]', { timeout: 20000 });
await page.evaluate(() => {
  window.__lt = [];
  new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__lt.push([e.startTime, e.duration]); }).observe({ type: 'longtask' });
  const results = document.querySelector('section.results');
  window.__idle = [];
  new MutationObserver(() => { if (results.getAttribute('aria-busy') === 'false') window.__idle.push(performance.now()); }).observe(results, { attributes: true });
});
const dir = process.argv[2].replace(/\/error.log$/, '');
if (process.env.WITH_CONFIG) {
  for (const [w, f] of [['config', 'dump.txt'], ['listeners', 'listeners.txt'], ...(process.env.WITH_LOG ? [['log', 'error.log']] : [])]) {
    const text = readFileSync(`${dir}/${f}`, 'utf8');
    await page.evaluate(([w, text]) => { const v = document.getElementById(`input-${w}`).bgEditor.view; v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: text }, userEvent: 'input.paste' }); }, [w, text]);
  }
  await page.locator('article.finding').first().waitFor({ timeout: 60000 });
  await page.waitForTimeout(1000);
  await page.evaluate(() => { window.__lt = []; window.__idle = []; });
}
await page.evaluate((unit) => { const p = []; let n = 0; while (n < 64 * 1024 * 1024) { p.push(unit); n += unit.length; } window.__big = p.join(''); }, unit);
await page.evaluate(([a, b]) => { window.__caretEnd = a; window.__selectAll = b; }, [!!process.env.CARET_END, !!process.env.SELECT_ALL]);
const cdp = await context.newCDPSession(page);
await cdp.send('Profiler.enable');
await cdp.send('Profiler.setSamplingInterval', { interval: 1000 });
await cdp.send('Profiler.start');
const t0 = await page.evaluate(() => performance.now());
await page.evaluate(() => {
  const view = document.getElementById('input-log').bgEditor.view;
  const content = view.contentDOM;
  content.focus();
  if (window.__caretEnd) view.dispatch({ selection: { anchor: view.state.doc.length } });
  if (window.__selectAll) view.dispatch({ selection: { anchor: 0, head: view.state.doc.length } });
  const data = new DataTransfer();
  data.setData('text/plain', window.__big);
  content.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  window.__big = undefined;
});
const t1 = await page.evaluate(() => performance.now());
await page.waitForFunction((t0) => window.__idle.some((t) => t > t0), t0, { timeout: 600000, polling: 100 });
const t2 = await page.evaluate(() => performance.now());
const { profile } = await cdp.send('Profiler.stop');
if (process.env.PROFILE_OUT) writeFileSync(process.env.PROFILE_OUT, JSON.stringify(profile));
console.log('paste call', (t1 - t0).toFixed(0), 'ms; to idle', (t2 - t0).toFixed(0), 'ms');
console.log('long tasks', JSON.stringify(await page.evaluate(() => window.__lt.map(([s, d]) => [Math.round(s), Math.round(d)]))));
// self time by function
const self = new Map();
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const dt = profile.timeDeltas; 
profile.samples.forEach((id, i) => { const n = byId.get(id); const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`; self.set(k, (self.get(k) ?? 0) + (dt[i] ?? 0) / 1000); });
console.log([...self].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `${v.toFixed(0).padStart(7)} ms ${k}`).join('\n'));
// the heaviest stacks (5 frames) by self time
const parent = new Map(); for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const stacks = new Map();
profile.samples.forEach((id, i) => { const fr = []; let n = id; for (let d = 0; d < 6 && n; d++) { const f = byId.get(n).callFrame; fr.push((f.functionName || '(anon)').slice(0, 70)); n = parent.get(n); } const k = fr.join(' < '); stacks.set(k, (stacks.get(k) ?? 0) + (dt[i] ?? 0) / 1000); });
console.log([...stacks].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => `${v.toFixed(0).padStart(7)} ms ${k}`).join('\n'));
console.log('errors', errors);
console.log('cards', await page.locator('article.finding').count(), 'evidence rows', await page.locator('article.finding li, article.finding .evidence > *').count(), 'lint marks', await page.evaluate(() => { let n = 0; const v = document.getElementById('input-log').bgEditor.view; return v.dom.querySelectorAll('.bg-mark').length; }));
await context.close(); server.close();
