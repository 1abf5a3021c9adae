// By hand: node tests/e2e/screenshot-learn.mjs [--dark]
// Renders learn mode (an exercise mid-way, then revealed), the learn path, and a docs page
// embedding a case and an exercise, into tests/e2e/screenshots/ for a person to look at.
import { createServer } from 'node:http';
import { readFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { launch, root } from './harness.mjs';

const dark = process.argv.includes('--dark');
const out = path.join(root, 'tests/e2e/screenshots');
await mkdir(out, { recursive: true });
const suffix = dark ? '-dark' : '';
let docsPage = '';
const server = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/docs/') { res.writeHead(200, { 'content-type': 'text/html' }); res.end(docsPage); return; }
  const rel = decodeURIComponent(url.pathname.replace(/^\/tools\/badgateway\//, '')) || 'index.html';
  try {
    const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.json': 'application/json', '.svg': 'image/svg+xml' };
    const body = await readFile(path.join(root, 'dist', rel));
    res.writeHead(200, { 'content-type': types[path.extname(rel)] ?? 'application/octet-stream' });
    res.end(body);
  } catch { res.writeHead(404); res.end(); }
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const base = `http://127.0.0.1:${server.address().port}/tools/badgateway/`;
const context = await launch();
try {
  const page = await context.newPage();
  if (dark) await page.emulateMedia({ colorScheme: 'dark' });
  await page.setViewportSize({ width: 1100, height: 900 });
  await page.goto(base + '#/learn/wrong-port');
  await page.locator('[data-testid="learn-question"]').waitFor({ timeout: 15000 });
  await page.click('button[data-choice="log"]');
  await page.click('button[data-choice="config"]');
  await page.waitForTimeout(400);
  await page.screenshot({ path: path.join(out, `learn-exercise${suffix}.png`), fullPage: true });
  await page.click('button[data-choice="listeners"]');
  await page.click('[data-testid="reveal"]');
  await page.waitForTimeout(400);
  await page.screenshot({ path: path.join(out, `learn-revealed${suffix}.png`), fullPage: true });
  await page.goto(base + '#/learn');
  await page.locator('[data-testid="primer"]').waitFor({ timeout: 15000 });
  await page.screenshot({ path: path.join(out, `learn-path${suffix}.png`), fullPage: true });

  await page.goto(base + '#/case/wrong-port');
  await page.locator('[data-testid="embed-this"] summary').first().click();
  const caseSnippet = await page.locator('[data-testid="embed-snippet"]').first().inputValue();
  docsPage = `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Runbook</title></head>
<body style="max-width:900px;margin:auto;padding:0 16px;font:16px/1.5 sans-serif${dark ? ';background:#111;color:#eee' : ''}">
<h1>Runbook: the app answers 502</h1><p>This is the capture from last week's incident, diagnosed live:</p>
${caseSnippet}
<p>Try the same kind of failure yourself:</p>
${caseSnippet.replace('#/case/wrong-port', '#/learn/wrong-address')}
<p>End of the runbook.</p></body></html>`;
  await page.setViewportSize({ width: 1000, height: 900 });
  await page.goto(`http://127.0.0.1:${server.address().port}/docs/`);
  await page.waitForFunction(() => [...document.querySelectorAll('iframe')].every((f) => f.style.height && f.style.height !== '600px'), null, { timeout: 20000 });
  await page.waitForTimeout(800);
  await page.screenshot({ path: path.join(out, `embed-docs${suffix}.png`), fullPage: true });
  console.log(out);
} finally {
  await context.close();
  server.close();
}
