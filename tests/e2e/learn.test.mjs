// Learn mode in real headless Chromium: an exercise made from a real case, taken wrong then
// right (with the hint), the reveal, the reasoning line by line, and progress kept across a
// reload; the 502/504/500/499 primer quotes the lab's real lines.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { serve, launch, open, root } from './harness.mjs';

let server;
let context;
before(async () => { server = await serve(); context = await launch(); });
after(async () => { await context?.close(); server?.close(); });

test('an exercise: symptom first, wrong picks get hints, right picks show the lines, then the reveal', async () => {
  const { page, errors } = await open(context, server.url + '#/learn/wrong-port', '[data-testid="learn-exercise"]');
  const exercise = page.locator('[data-testid="learn-exercise"]');
  await page.locator('[data-testid="learn-question"]').waitFor({ timeout: 10000 });
  assert.match(await page.locator('[data-testid="learn-symptom"]').innerText(), /HTTP 502/);
  // Nothing gives the answer away before the reveal: no card, no rule code, no real port.
  const before = await page.locator('body').innerText();
  assert.doesNotMatch(before, /BG\d{3}|3000/);
  assert.equal(await page.locator('article.finding').count(), 0);

  await page.click('button[data-choice="restart"]');
  assert.match(await page.locator('[data-testid="learn-hint"]').innerText(), /Look before you touch/);
  await page.click('button[data-choice="listeners"]');
  assert.match(await page.locator('[data-testid="learn-hint"]').innerText(), /error log/);
  await page.click('button[data-choice="log"]');
  assert.equal(await page.locator('[data-testid="learn-hint"]').count(), 0, 'a right pick clears the hint');
  const log = exercise.locator('li.looked[data-look="log"]');
  await log.locator('.lines li').first().waitFor({ timeout: 10000 });
  assert.match(await log.innerText(), /connect\(\) failed \(111: Connection refused\)/);
  // The whole line, not the cards' excerpt: the address nginx tried is at its end.
  assert.match(await log.innerText(), /upstream: "http:\/\/127\.0\.0\.1:8000\/"/);
  assert.match(await page.locator('[data-testid="learn-question"] h3').innerText(), /next/);

  await page.click('button[data-choice="config"]');
  assert.match(await page.locator('[data-testid="learn-hint"]').innerText(), /where is it listening/);
  await page.click('button[data-choice="listeners"]');
  const listeners = exercise.locator('li.looked[data-look="listeners"]');
  assert.match(await listeners.innerText(), /127\.0\.0\.1:3000/);
  assert.equal(await page.locator('[data-testid="learn-question"]').count(), 0);
  assert.equal(await page.locator('[data-testid="learn-diagnosis"]').count(), 0, 'hidden until revealed');

  await page.click('[data-testid="reveal"]');
  const answer = page.locator('[data-testid="learn-diagnosis"]');
  await answer.waitFor();
  assert.match(await answer.innerText(), /BG202/);
  const steps = await answer.locator('[data-testid="reasoning"] li').evaluateAll((l) => l.map((x) => x.innerText));
  assert.equal(steps.length, 3, steps.join('\n'));
  assert.match(steps[0], /config .*nginx\.conf:\d+[\s\S]*proxy_pass http:\/\/127\.0\.0\.1:8000;[\s\S]*proves: nginx connects to 127\.0\.0\.1:8000/);
  assert.match(steps[1], /listeners line \d+[\s\S]*proves: gunicorn \(pid \d+\) listens on 127\.0\.0\.1:3000/);
  assert.match(steps[2], /log line \d+[\s\S]*proves: connection to 127\.0\.0\.1:8000 refused/);
  assert.match(await answer.innerText(), /The fix[\s\S]*-\s*proxy_pass http:\/\/127\.0\.0\.1:8000;[\s\S]*\+\s*proxy_pass http:\/\/127\.0\.0\.1:3000;/);
  assert.match(await answer.locator('[data-testid="verify"]').innerText(), /nginx -t/);
  assert.deepEqual(errors, []);

  // Progress survives a reload.
  await page.goto(server.url + '#/learn');
  await page.reload();
  const progress = page.locator('[data-testid="learn-progress"]');
  await progress.waitFor({ timeout: 10000 });
  assert.match(await progress.innerText(), /^1 of \d+ done/);
  assert.equal(await page.locator('.path li[data-done="true"] a').getAttribute('href'), '#/learn/wrong-port');
});

test('the path runs from a down backend to bad responses; the primer quotes real lines', async () => {
  const { page } = await open(context, server.url + '#/learn', '[data-testid="learn-path"]');
  const chapters = await page.locator('.path li a').evaluateAll((as) => as.map((a) => a.innerText));
  assert.equal(chapters[0], 'The backend is down');
  assert.equal(chapters.at(-1), 'Bad responses');
  for (const topic of [/port/, /socket/i, /ermission/, /irewall/, /DNS/, /TLS/, /504/, /aturation/]) {
    assert.ok(chapters.some((c) => topic.test(c)), `${topic} in ${chapters}`);
  }
  const primer = page.locator('[data-testid="primer"] li');
  assert.deepEqual(await primer.evaluateAll((l) => l.map((x) => x.dataset.status)), ['502', '504', '500', '499']);
  const quoted = await primer.locator('.quote').evaluateAll((q) => q.map((x) => x.innerText));
  const real = [
    'tests/fixtures/scenarios/wrong-port/error.log', 'tests/fixtures/scenarios/read-timeout/error.log',
    'tests/fixtures/scenarios/worker-connections-too-small/error.log', 'tests/fixtures/log/nginx-1.22-captured.log',
    'tests/fixtures/log/nginx-1.22-captured.access.log',
  ];
  const texts = await Promise.all(real.map((f) => readFile(path.join(root, f), 'utf8')));
  for (const line of quoted) assert.ok(texts.some((t) => t.includes(line)), `not a captured line: ${line}`);
  assert.match(quoted[3], /client prematurely closed connection/);
  assert.match(quoted[4], /" 499 /);
  // Every exercise opens on its own link, with its case's symptom.
  for (const href of await page.locator('.path li a').evaluateAll((as) => as.map((a) => a.getAttribute('href')))) {
    await page.goto(server.url + href);
    await page.locator('[data-testid="learn-question"]').waitFor({ timeout: 10000 });
    assert.match(await page.locator('[data-testid="learn-symptom"]').innerText(), /HTTP 50[24]/, href);
  }
});

test('a teacher skips to the answer: every look and the diagnosis at once, not counted as done', async () => {
  const { page, errors } = await open(context, server.url + '#/learn', '[data-testid="learn-path"]');
  const progress = await page.locator('[data-testid="learn-progress"]').innerText();
  await page.goto(server.url + '#/learn/wrong-address');
  await page.locator('[data-testid="learn-question"]').waitFor({ timeout: 10000 });
  await page.click('[data-testid="skip-to-answer"]');
  const answer = page.locator('[data-testid="learn-diagnosis"]');
  await answer.waitFor({ timeout: 10000 });
  assert.match(await answer.innerText(), /BG203/);
  assert.ok(await answer.locator('[data-testid="reasoning"] li').count() >= 2);
  // The looks a learner would have taken are all shown, with their lines.
  const looks = await page.locator('li.looked').evaluateAll((l) => l.map((x) => x.dataset.look));
  assert.deepEqual(looks, ['log', 'listeners']);
  await page.locator('li.looked[data-look="listeners"] .lines li').first().waitFor({ timeout: 10000 });
  assert.equal(await page.locator('[data-testid="learn-question"]').count(), 0);
  assert.equal(await page.locator('[data-testid="reveal"]').count(), 0);
  assert.equal(await page.locator('[data-testid="skip-to-answer"]').count(), 0);
  await page.goto(server.url + '#/learn');
  await page.reload();
  await page.locator('[data-testid="learn-progress"]').waitFor({ timeout: 10000 });
  assert.equal(await page.locator('[data-testid="learn-progress"]').innerText(), progress, 'skipping is not doing');
  assert.equal(await page.locator('.path li:has(a[href="#/learn/wrong-address"])').getAttribute('data-done'), 'false');
  assert.deepEqual(errors, []);
});
