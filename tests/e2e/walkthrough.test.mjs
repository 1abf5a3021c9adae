// The walkthrough panel in real headless Chromium: the five checks every 502 guide gives,
// answered from three real gallery cases (the lab's captures), each step either answered by
// lines that select themselves in their box when clicked, or open with the command to paste.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, open, selected } from './harness.mjs';

let server;
let context;
before(async () => { server = await serve(); context = await launch(); });
after(async () => { await context?.close(); server?.close(); });

async function steps(page) {
  const panel = page.locator('[data-testid="walkthrough"]');
  await panel.waitFor({ timeout: 15000 });
  return panel.locator('li.step').evaluateAll((items) => items.map((li) => ({
    step: li.dataset.step, status: li.dataset.status, text: li.innerText,
  })));
}

test('wrong-port: every step is answered, and an answering line selects itself in its box', async () => {
  const { page, errors } = await open(context, server.url + '#/case/wrong-port');
  const all = await steps(page);
  assert.deepEqual(all.map((s) => s.step),
    ['backend_listening', 'error_log', 'reachable', 'config_points_there', 'test_and_reload']);
  assert.deepEqual(all.map((s) => s.status), Array(5).fill('answered'));
  assert.match(await page.locator('[data-testid="walkthrough"] summary').innerText(), /5 of 5 answered/);
  const listening = all[0].text;
  assert.match(listening, /nothing listens on 127\.0\.0\.1:8000/);
  assert.match(listening, /127\.0\.0\.1:3000/);
  // The step's line is the listener row: clicking its place selects it in the listeners box.
  await page.locator('li.step[data-step="backend_listening"] .evidence .jump').first().click();
  assert.match(await selected(page, 'listeners'), /127\.0\.0\.1:3000/);
  await page.locator('li.step[data-step="config_points_there"] .evidence .jump').first().click();
  assert.equal(await selected(page, 'config'), '127.0.0.1:8000');
  await page.locator('li.step[data-step="error_log"] .evidence .jump').first().click();
  assert.match(await selected(page, 'log'), /Connection refused/);
  assert.deepEqual(errors, []);
});

test('remote-backend-down: the listener step is open, with the command to run on the backend host', async () => {
  const { page } = await open(context, server.url + '#/case/remote-backend-down');
  const all = await steps(page);
  assert.deepEqual(all.map((s) => s.status), ['open', 'answered', 'answered', 'answered', 'answered']);
  const open0 = page.locator('li.step[data-step="backend_listening"]');
  assert.match(await open0.innerText(), /not an address of the host the table ran on/);
  assert.match(await open0.locator('.step-command').innerText(),
    /Run this and paste its output into the listeners box: sudo ss -tlnpx/);
  assert.equal(await open0.locator('.evidence').count(), 0, 'an open step quotes no line');
  assert.match(await page.locator('[data-testid="walkthrough"] summary').innerText(), /4 of 5 answered/);
});

test('missing-scheme: nothing says what listens nor whether nginx can connect; both are open', async () => {
  const { page } = await open(context, server.url + '#/case/missing-scheme');
  const all = await steps(page);
  assert.deepEqual(all.map((s) => s.status), ['open', 'answered', 'open', 'answered', 'answered']);
  const reach = page.locator('li.step[data-step="reachable"] .step-command');
  assert.match(await reach.innerText(), /curl -v http:\/\/127\.0\.0\.1:19271\//);
  // The answered config step quotes the pass directive's target and selects it.
  await page.locator('li.step[data-step="config_points_there"] .evidence .jump').first().click();
  assert.match(await selected(page, 'config'), /127\.0\.0\.1:19271/);
  const reload = await page.locator('li.step[data-step="test_and_reload"]').innerText();
  assert.match(reload, /nginx -t/);
});
