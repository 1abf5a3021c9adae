// In-page speed in real headless Chromium, on the benchmarks' generated inputs
// (crates/core/benches/inputs, written by the gen_inputs example):
//  - a 500-line config + 1,000-line log: re-diagnosis after one keystroke (the worker's own
//    time from [data-testid=timing], and keystroke -> updated findings end to end);
//  - a 100k-line nginx -T dump + 100k-line (~32 MB) log: completes in the worker while
//    keystrokes typed meanwhile are handled on the main thread (and not lost);
//  - a share link: time from navigation to the first finding.
// Asserts only what must work (the job completes, findings appear, typing is kept); the
// timings are printed (`node --test tests/e2e/perf.test.mjs`), never asserted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile, mkdtemp } from 'node:fs/promises';
import { deflateRawSync } from 'node:zlib';
import { tmpdir, loadavg, cpus } from 'node:os';
import path from 'node:path';
import { serve, launch, open, root, value } from './harness.mjs';

let server;
let context;
let small;
let big;

async function generate(configLines, logLines) {
  const dir = await mkdtemp(path.join(tmpdir(), `badgateway-perf-${configLines}-`));
  const args = ['run', '-q', '-p', 'badgateway-core', '--example', 'gen_inputs'];
  if (process.env.PERF_RELEASE) args.splice(1, 0, '--release');
  execFileSync('cargo', [...args, '--', dir, String(configLines), String(logLines)], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  const read = (f) => readFile(path.join(dir, f), 'utf8');
  return { config: await read('dump.txt'), listeners: await read('listeners.txt'), log: await read('error.log') };
}

before(async () => {
  small = await generate(500, 1000);
  big = await generate(100000, 100000);
  server = await serve();
  context = await launch();
});
after(async () => { await context?.close(); server?.close(); });

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]; };
const ms = (x) => `${x.toFixed(1)} ms`;
const load = () => `load ${loadavg().map((x) => x.toFixed(2)).join(' ')}, ${cpus().length} cores`;

/** Watches the results' aria-busy and every keystroke on the page, from inside the page. */
async function instrument(page) {
  await page.evaluate(() => {
    const w = window;
    w.__perf = { idle: [], keys: [], slowEvents: [], longTasks: [] };
    const results = document.querySelector('section.results');
    new MutationObserver(() => {
      if (results.getAttribute('aria-busy') === 'false') w.__perf.idle.push(performance.now());
    }).observe(results, { attributes: true, attributeFilter: ['aria-busy'] });
    // A keystroke's main-thread cost: from the key event's timestamp to the next frame
    // after its input event was handled.
    document.addEventListener('keydown', (e) => { w.__perf.pendingKey = e.timeStamp; }, true);
    // Chromium's Event Timing: every key or input event whose handling and next paint took
    // 16 ms or more (the API's smallest threshold), with the handlers' own time.
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if (/^key|input/.test(e.name)) w.__perf.slowEvents.push({ name: e.name, start: e.startTime, duration: e.duration, processing: e.processingEnd - e.processingStart });
      }
    }).observe({ type: 'event', durationThreshold: 16 });
    document.addEventListener('input', () => {
      const start = w.__perf.pendingKey;
      if (start === undefined) return;
      w.__perf.pendingKey = undefined;
      requestAnimationFrame(() => w.__perf.keys.push(performance.now() - start));
    });
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__perf.longTasks.push(e.duration);
    }).observe({ type: 'longtask', buffered: false });
  });
}

/** Sets a box's whole text in one transaction marked as a paste. */
async function setText(page, which, text) {
  await page.evaluate(([which, text]) => {
    const view = document.getElementById(`input-${which}`).bgEditor.view;
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text }, userEvent: 'input.paste' });
  }, [which, text]);
}

const workerMs = async (page) => parseFloat(await page.locator('[data-testid="timing"]').textContent());

/** Pastes the small inputs and waits until their findings are on screen and the page is idle. */
async function showSmall(page) {
  await setText(page, 'config', small.config);
  await setText(page, 'listeners', small.listeners);
  await setText(page, 'log', small.log);
  await page.locator('article.finding').first().waitFor({ timeout: 20000 });
  await page.waitForFunction(() => document.querySelector('section.results').getAttribute('aria-busy') === 'false');
}

async function waitIdleAfter(page, t0, timeout) {
  await page.waitForFunction((t0) => window.__perf.idle.some((t) => t > t0), t0, { timeout, polling: 5 });
  return page.evaluate((t0) => window.__perf.idle.find((t) => t > t0) - t0, t0);
}

test('500-line config + 1,000-line log: a keystroke re-diagnoses (timings printed)', async () => {
  const { page, errors } = await open(context, server.url);
  await instrument(page);
  await showSmall(page);
  const box = page.locator('[data-testid="editor-config"]');
  await box.focus();
  await page.keyboard.press('Control+End');
  const typingFrom = await page.evaluate(() => performance.now());
  const worker = [];
  const endToEnd = [];
  for (let i = 0; i < 15; i++) {
    const t0 = await page.evaluate(() => performance.now());
    await page.keyboard.type(i % 2 ? '\n' : '#', { delay: 0 });
    endToEnd.push(await waitIdleAfter(page, t0, 10000));
    worker.push(await workerMs(page));
    await page.waitForTimeout(60);
  }
  const keys = await page.evaluate(() => window.__perf.keys);
  const events = (await page.evaluate(() => window.__perf.slowEvents)).filter((e) => e.start >= typingFrom);
  const slow = events.filter((e) => e.name === 'keydown');
  const findings = await page.locator('article.finding').count();
  assert.ok(findings > 0, 'findings shown');
  assert.match(await value(page, 'config'), /#\n#\n/, 'every keystroke is in the box');
  console.log(`# small: config ${small.config.split('\n').length - 1} lines, log ${small.log.split('\n').length - 1} lines (${(small.log.length / 1e3).toFixed(0)} kB), ${findings} findings; ${load()}`);
  console.log(`# small: worker re-diagnosis median ${ms(median(worker))} (min ${ms(Math.min(...worker))}, max ${ms(Math.max(...worker))}) over ${worker.length} keystrokes`);
  console.log(`# small: keystroke -> findings updated (incl. the page's 40 ms debounce) median ${ms(median(endToEnd))}, max ${ms(Math.max(...endToEnd))}`);
  console.log(`# small: keystroke handling on the main thread (key event -> next frame) median ${ms(median(keys))}, max ${ms(Math.max(...keys))}`);
  const slowKeys = slow.map((e) => e.duration);
  // keydown, keypress, beforeinput, input: each event's handlers (the editor's among them).
  const handlers = events.map((e) => e.processing);
  console.log(`# small: keystrokes whose key event took 16 ms or more to the next paint (Event Timing): ${slow.length} of ${keys.length}${slow.length ? `, median ${ms(median(slowKeys))}, longest ${ms(Math.max(...slowKeys))}; the key and input events' own handlers in those median ${ms(median(handlers))}, max ${ms(Math.max(...handlers))}` : ''}`);
  assert.deepEqual(errors, []);
});

test('100k-line dump + 32 MB log completes in the worker; typing meanwhile is kept (timings printed)', async () => {
  const { page, errors } = await open(context, server.url);
  await instrument(page);
  // Small inputs first, so a finding is on screen before the big job starts.
  await showSmall(page);
  const t0 = await page.evaluate(() => performance.now());
  await setText(page, 'config', big.config);
  await setText(page, 'listeners', big.listeners);
  await setText(page, 'log', big.log);
  const pasted = await page.evaluate(() => performance.now());
  const bigDone = await waitIdleAfter(page, pasted, 600000);
  const bigWorker = await workerMs(page);
  const bigFindings = await page.locator('article.finding').count();
  assert.ok(bigFindings > 0, 'the big job\'s findings appear');
  console.log(`# big: dump ${big.config.split('\n').length - 1} lines (${(big.config.length / 1e6).toFixed(2)} MB), log ${big.log.split('\n').length - 1} lines (${(big.log.length / 1e6).toFixed(1)} MB), listeners ${big.listeners.split('\n').length - 1} lines; ${bigFindings} findings; ${load()}`);
  console.log(`# big: setting the three boxes took ${ms(pasted - t0)} on the main thread; worker time ${ms(bigWorker)}; boxes set -> findings shown ${ms(bigDone)}`);

  // Edit the big config (a new big job starts), then type into another box while it runs.
  await page.evaluate(() => { window.__perf.keys = []; window.__perf.longTasks = []; });
  const config = page.locator('[data-testid="editor-config"]');
  await config.focus();
  await page.keyboard.press('Control+End');
  const edited = await page.evaluate(() => performance.now());
  await page.keyboard.type('#', { delay: 0 });
  await page.waitForFunction(() => document.querySelector('section.results').getAttribute('aria-busy') === 'true', null, { timeout: 10000, polling: 5 });
  const listeners = page.locator('[data-testid="editor-listeners"]');
  await listeners.focus();
  await page.keyboard.press('Control+End');
  await page.evaluate(() => { window.__perf.keys = []; });
  await page.keyboard.type('# typed while busy\n', { delay: 20 });
  const typingKeys = await page.evaluate(() => window.__perf.keys.slice());
  const busyStill = await page.evaluate(() => document.querySelector('section.results').getAttribute('aria-busy'));
  // aria-busy stays true until the newest input (with the typed line) is diagnosed.
  const allDone = await waitIdleAfter(page, edited, 600000);
  const lastWorker = await workerMs(page);
  const longTasks = await page.evaluate(() => window.__perf.longTasks);
  assert.ok(await page.locator('article.finding').count() > 0, 'findings after the edits');
  assert.ok((await value(page, 'listeners')).endsWith('# typed while busy\n'), 'typing during the job is not lost');
  assert.ok((await value(page, 'config')).endsWith('#'), 'the config edit is kept');
  console.log(`# big: ${typingKeys.length} keystrokes typed while the worker ran (still busy after typing: ${busyStill}): main-thread handling median ${ms(median(typingKeys))}, max ${ms(Math.max(...typingKeys))}`);
  console.log(`# big: config keystroke -> findings for the newest input (the running job, then one with the typed line) ${ms(allDone)}; last worker time ${ms(lastWorker)}`);
  console.log(`# big: main-thread long tasks from the keystroke to the end: ${longTasks.length} (max ${longTasks.length ? ms(Math.max(...longTasks)) : '-'}, total ${ms(longTasks.reduce((a, b) => a + b, 0))})`);

  // Typing into the 32 MB box itself, then into a small box again: Chromium's own costs
  // (docs/performance.md, "What a keystroke still costs"), printed so they stay visible.
  const typeKeys = async (box, text) => {
    const el = page.locator(`[data-testid="editor-${box}"]`);
    await el.focus();
    await page.keyboard.press('Control+End');
    await page.evaluate(() => { window.__perf.keys = []; });
    await page.keyboard.type(text, { delay: 20 });
    return page.evaluate(() => window.__perf.keys.slice());
  };
  const inLog = await typeKeys('log', '#x\n');
  await waitIdleAfter(page, await page.evaluate(() => performance.now()), 600000);
  const after = await typeKeys('listeners', '#after\n');
  assert.ok((await value(page, 'log')).endsWith('#x\n'), 'typing in the big box is kept');
  console.log(`# big: ${inLog.length} keystrokes in the 32 MB log box: median ${ms(median(inLog))}; then ${after.length} in the listeners box: median ${ms(median(after))}`);
  assert.deepEqual(errors, []);
});

// TODO (not met yet, so marked todo: its failure is reported, not counted). Measured
// 2026-12-08 on 2 cores at load 7-10, profiled in Chromium (tests/e2e/profile-paste.mjs):
//  - into an empty box (a fresh page): paste -> idle 3.4 s, longest task 0.87 s: reading the
//    64 MB into wasm (wasm-bindgen's passStringToWasm0, 0.5-1.3 s, and the copy into an
//    Rc<str>, 0.2-0.3 s) and CodeMirror's paste (0.24-0.4 s). A page that hands the editor's
//    string straight to the worker would not read it into the page's wasm at all. (Comparing
//    the texts on every render cost ~1 s more until they became InputText.)
//  - here the box already holds the previous test's draft, and the paste pushes it down: one
//    task of 55-58 s, 35-46 s of it in CodeMirror reading the DOM selection back after the
//    change (DOMSelectionState.eq < readSelectionRange < updateSelection, Chromium's Selection
//    in the shadow root); select-all + paste over existing text costs the same, a paste at the
//    end of the text 0.37 s. Blurring the box or moving the caret first did not avoid it.
test('a 64 MB log pasted, scrolled and edited: no main-thread task over 200 ms (longest printed)', { timeout: 600000, todo: 'a paste over text already in the box: 55-58 s in CodeMirror reading the selection back; into an empty box 0.87 s (reading 64 MB into wasm)' }, async () => {
  const { page, errors } = await open(context, server.url);
  await instrument(page);
  await page.waitForSelector('html[data-worker="ready"]', { timeout: 20000 });
  // The small log repeated to 64 MB, built inside the page (the test's own transfer is not
  // the page's work).
  const want = await page.evaluate((unit) => {
    const parts = [];
    let n = 0;
    while (n < 64 * 1024 * 1024) { parts.push(unit); n += unit.length; }
    window.__big = parts.join('');
    return window.__big.length;
  }, small.log);
  const log = { length: want };
  await page.evaluate(() => { window.__perf.longTasks = []; });
  const t0 = await page.evaluate(() => performance.now());
  await page.evaluate(() => {
    // A real paste event, handled by CodeMirror's own paste handler.
    const content = document.getElementById('input-log').bgEditor.view.contentDOM;
    content.focus();
    const data = new DataTransfer();
    data.setData('text/plain', window.__big);
    content.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    window.__big = undefined;
  });
  await waitIdleAfter(page, t0, 600000);
  const pasteDone = await page.evaluate(() => performance.now());
  // Scroll through it, then type at its end.
  for (const f of [0.25, 0.5, 0.75, 1]) {
    await page.evaluate((f) => { const s = document.getElementById('input-log').bgEditor.view.scrollDOM; s.scrollTop = s.scrollHeight * f; }, f);
    await page.waitForTimeout(150);
  }
  await page.locator('[data-testid="editor-log"]').focus();
  await page.keyboard.press('Control+End');
  await page.evaluate(() => { window.__perf.keys = []; });
  await page.keyboard.type('#64\n', { delay: 40 });
  await waitIdleAfter(page, await page.evaluate(() => performance.now()), 600000);
  const keys = await page.evaluate(() => window.__perf.keys);
  const longTasks = await page.evaluate(() => window.__perf.longTasks);
  const length = await page.evaluate(() => document.getElementById('input-log').bgEditor.length());
  const longest = longTasks.length ? Math.max(...longTasks) : 0;
  console.log(`# 64 MB: pasted ${(length / 1e6).toFixed(1)} M chars; paste -> findings ${ms(pasteDone - t0)}; ${longTasks.length} long tasks (over 50 ms), longest ${ms(longest)}; keystrokes in the box median ${ms(median(keys))}, max ${ms(Math.max(...keys))}; ${load()}`);
  assert.ok(length >= log.length, 'the whole text is in the box');
  assert.ok(longest <= 200, `longest main-thread task ${ms(longest)} (target 200 ms)`);
  assert.deepEqual(errors, []);
});

const b64url = (buf) => buf.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const pack = (text) => b64url(deflateRawSync(Buffer.from(text, 'utf8')));

test('a share link shows its first diagnosis soon after navigation (time printed)', async () => {
  const fragment = `#/share?v=1&c=${pack(small.config)}&l=${pack(small.listeners)}&g=${pack(small.log.split('\n').slice(0, 200).join('\n'))}`;
  const page = await context.newPage();
  await page.addInitScript(() => {
    new MutationObserver((_, obs) => {
      if (document.querySelector('article.finding')) { window.__firstFinding = performance.now(); obs.disconnect(); }
    }).observe(document, { childList: true, subtree: true });
  });
  const times = [];
  for (let i = 0; i < 5; i++) {
    await page.goto('about:blank');
    await page.goto(server.url + fragment);
    await page.waitForFunction(() => window.__firstFinding !== undefined, null, { timeout: 20000 });
    times.push(await page.evaluate(() => window.__firstFinding));
  }
  assert.ok(await page.locator('article.finding').count() > 0);
  console.log(`# share link (${(fragment.length / 1e3).toFixed(1)} kB fragment): navigation -> first finding median ${ms(median(times))} (${times.map((t) => t.toFixed(0)).join(', ')} ms); ${load()}`);
});
