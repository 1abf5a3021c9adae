// By hand: node tests/e2e/screenshot.mjs [scenario] [out.png] [--dark] [--width N]
// Renders the built page with a captured scenario pasted, for a person to look at.
import { serve, launch, open, scenario, paste } from './harness.mjs';

const args = process.argv.slice(2);
const name = args.find((a) => !a.startsWith('--') && !a.endsWith('.png')) ?? 'wrong-port';
const out = args.find((a) => a.endsWith('.png')) ?? `tests/e2e/screenshots/${name}.png`;
const width = Number(args[args.indexOf('--width') + 1]) || 1400;
const height = Number(args[args.indexOf('--height') + 1]) || 1000;
const server = await serve();
const context = await launch();
try {
  const { page } = await open(context, server.url);
  if (args.includes('--dark')) await page.emulateMedia({ colorScheme: 'dark' });
  await page.setViewportSize({ width, height });
  const s = await scenario(name);
  await paste(page, 'config', s.config);
  await paste(page, 'listeners', s.listeners);
  await paste(page, 'log', s.log);
  await page.waitForTimeout(600);
  await page.screenshot({ path: out, fullPage: !args.includes('--screen') });
  console.log(out);
} finally {
  await context.close();
  server.close();
}
