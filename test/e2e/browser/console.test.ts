/**
 * The console in a real browser: a requester runs /rollback, an approver approves, the thread
 * reaches the summary; a non-approver's click is refused on the page. Screenshots for the docs are
 * written when REWIND_SCREENSHOTS=1.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { BlueGreenService } from '../../../src/demo/bluegreen-service';
import { startTarget } from '../../support/bluegreen-target';
import { browserAvailable, launchChromium } from '../../support/browser';
import { bluegreenCatalog, startHarness, type Harness } from '../../support/harness';

jest.setTimeout(60_000);
const SHOTS = process.env['REWIND_SCREENSHOTS'] === '1' ? join(__dirname, '../../../docs/images') : undefined;

const CATALOG = (url: string) =>
  bluegreenCatalog(url, `        verify:\n          - { type: http, name: health, url: ${url}/health }\n          - { type: version, name: live version, url: ${url}/deployment/status, path: currentVersion }`)
    .replace('channels: { slack: C0INCIDENT }', 'channels: { console: incidents }')
    .replace('high: { required: 1, approvers: { slack: [U0LEAD, U0LEAD2] }', 'high: { required: 1, approvers: { console: [lead] }')
    .replace('medium: { required: 1, approvers: { slack: [U0LEAD] }', 'medium: { required: 1, approvers: { console: [lead] }');

(browserAvailable() ? describe : describe.skip)('console in a browser', () => {
  let browser: Browser;
  let target: BlueGreenService;
  let h: Harness;
  let page: Page;

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    target = await startTarget({ blue: { version: '2.4.0' }, green: { version: '2.4.1', bad: true }, live: 'green' });
    h = await startHarness(CATALOG(target.url), { http: true, console: true, recordReplies: false });
    page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    await page.goto(`${h.rewind.url}/console/`);
    await page.waitForSelector('#connection');
  });
  afterEach(async () => {
    await page?.close();
    await h.close();
    await target.close();
  });

  async function actAs(user: string) {
    await page.selectOption('#user-picker', user);
  }
  async function type(command: string) {
    await page.fill('#command-input', command);
    await page.click('#command-send');
  }
  const header = () => page.locator('#channel .message[data-kind="notification"]').first();

  it('a requester asks, an approver approves, and the thread reaches the summary', async () => {
    await actAs('oncall');
    await type('/rollback checkout-api production --severity high --reason "checkout returns 500"');
    await header().locator('button[data-action="approve"]').waitFor();
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'console-approval.png') });

    await actAs('lead');
    await header().locator('button[data-action="approve"]').waitFor();
    await header().locator('button[data-action="approve"]').click();
    const summary = page.locator('#channel .message[data-kind="summary"]').first();
    await summary.waitFor({ timeout: 20_000 });
    expect(await summary.innerText()).toContain('2.4.0');
    expect(await header().innerText()).toMatch(/succeeded/i);
    expect(await page.locator('#channel .thread .message').count()).toBeGreaterThan(3);
    expect(target.rollbackRequests).toBe(1);
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'console-summary.png'), fullPage: true });
  });

  it('refuses a non-approver’s click on the page and changes nothing', async () => {
    await actAs('oncall');
    await type('/rollback checkout-api --severity high');
    await header().locator('button[data-action="approve"]').waitFor();
    await actAs('guest');
    await header().locator('button[data-action="approve"]').waitFor();
    await header().locator('button[data-action="approve"]').click();
    const refusal = page.locator('.ephemeral', { hasText: 'not an approver' });
    await refusal.waitFor({ timeout: 15_000 });
    const [record] = await h.rewind.store.list({ limit: 1 });
    expect(record!.state).toBe('pending_approval');
    expect(target.rollbackRequests).toBe(0);
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'console-refusal.png') });
  });

  it('shows a typo’s answer privately and never runs page script from user text', async () => {
    await actAs('oncall');
    await type('/rollback chekout-api --severity critical');
    await page.locator('.ephemeral', { hasText: 'Did you mean' }).waitFor();
    await type('/rollback checkout-api --severity critical --reason "<img src=x onerror=window.__pwned=1><script>window.__pwned=2</script>"');
    await page.locator('#channel .message[data-kind="summary"]').first().waitFor({ timeout: 20_000 });
    expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await header().innerText()).toContain('<script>');
  });
});
