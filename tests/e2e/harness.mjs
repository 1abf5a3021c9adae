// Shared by the browser tests: serve dist/ on loopback, launch Debian's Chromium
// headless through playwright-core, and record every request the page makes.
import { createServer } from 'node:http';
import { readFile, mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const { chromium } = require(path.join(root, '.tools/node_modules/playwright-core'));

const types = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm',
  '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json',
};

/** Serves `dir` under `prefix` (a sub-path, to prove the site works from one). */
export async function serve(dir = path.join(root, 'dist'), prefix = '/tools/badgateway/') {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    if (!url.pathname.startsWith(prefix)) { res.writeHead(404); res.end(); return; }
    let rel = decodeURIComponent(url.pathname.slice(prefix.length)) || 'index.html';
    if (rel.includes('..')) { res.writeHead(400); res.end(); return; }
    try {
      const body = await readFile(path.join(dir, rel));
      res.writeHead(200, { 'content-type': types[path.extname(rel)] ?? 'application/octet-stream' });
      res.end(body);
    } catch { res.writeHead(404); res.end(); }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}${prefix}`, origin: `http://127.0.0.1:${port}`, close: () => server.close() };
}

export async function launch() {
  const userDataDir = await mkdtemp(path.join(tmpdir(), 'badgateway-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  return context;
}

/** Opens the page and records every request URL and every console error. */
export async function open(context, url, ready = '[data-testid="editor-config"]') {
  const page = await context.newPage();
  const requests = [];
  const errors = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(url);
  await page.waitForSelector(ready);
  return { page, requests, errors };
}

export async function scenario(name) {
  const dir = path.join(root, 'tests/fixtures/scenarios', name);
  const meta = JSON.parse(await readFile(path.join(dir, 'meta.json'), 'utf8'));
  const read = async (f) => (await Promise.all([f].flat().map((x) => readFile(path.join(dir, x), 'utf8')))).join('');
  return { meta, config: await read(meta.inputs.config), listeners: await read(meta.inputs.listeners), log: await read(meta.inputs.log) };
}

/**
 * Pastes text into one of the three editors the way a paste reaches the page: the whole
 * text replaced in one transaction marked as a paste (CodeMirror's own paste handler does
 * the same with the clipboard's text).
 */
export async function paste(page, which, text) {
  await page.$eval(`#input-${which}`, (host, text) => {
    const view = host.bgEditor.view;
    view.focus();
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text }, userEvent: 'input.paste' });
  }, text);
}

/** The whole text of one of the editors. */
export async function value(page, which) {
  return page.$eval(`#input-${which}`, (host) => host.bgEditor.view.state.doc.toString());
}

/** The selected text in one of the editors. */
export async function selected(page, which) {
  return page.$eval(`#input-${which}`, (host) => {
    const { state } = host.bgEditor.view;
    return state.sliceDoc(state.selection.main.from, state.selection.main.to);
  });
}

/** Puts the caret at UTF-16 offset `at` of an editor and focuses it. */
export async function caret(page, which, at) {
  await page.$eval(`#input-${which}`, (host, at) => {
    const view = host.bgEditor.view;
    view.focus();
    view.dispatch({ selection: { anchor: at } });
  }, at);
}
