// console.spec.js - the operator console in a real browser (Debian's
// Chromium), against real daemons started by run.sh: Beijing and Tokyo
// stations, kaiyo a Japanese unit. In order: a FLASH rings at Beijing and is
// acknowledged with the operator's name; a unit's signal in Japanese and on
// the map; an incident proposed in one browser and confirmed in the other;
// the views' screenshots with the links' link-test history; each bad input
// refused; a failed link test (Tokyo stopped) raises the link banner, which
// clears when tests pass again; a killed peer raises the link banner. Prints
// the receipt-to-alarm time.
const { test, expect } = require('@playwright/test');
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const SHOTS = process.env.SHOTS;
const B = process.env.BEIJING_URL, T = process.env.TOKYO_URL, K = process.env.KAIYO_URL;
const cli = (dir, ...args) => execFileSync(process.env.LIAISON, ['-d', dir, ...args], { encoding: 'utf8' }).trim();
const shot = (page, name) => page.screenshot({ path: path.join(SHOTS, name + '.png') });

test.describe.configure({ mode: 'serial' });

let browser, beijing, tokyo, dialogs = 0, flashId;

async function signIn(ctxBrowser, url, operator, password) {
  const ctx = await ctxBrowser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await ctx.newPage();
  page.on('dialog', async (d) => { dialogs++; await d.dismiss(); });
  await page.goto(url + '/');
  await page.getByLabel('Operator', { exact: true }).fill(operator);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.locator('#app')).toBeVisible();
  return page;
}

test.beforeAll(async ({ browser: b }) => { browser = b; });

test('a FLASH from Tokyo rings at Beijing within 1 s; acknowledged with the operator name', async () => {
  beijing = await signIn(browser, B, 'Lt. Wang', 'wang-password-1');
  tokyo = await signIn(browser, T, 'Ito', 'ito-password-1');
  await shot(beijing, '01-signin-inbox-beijing');
  // Tokyo composes the FLASH in its console; its text tries markup.
  await tokyo.getByRole('tab', { name: 'Compose' }).click();
  const compose = tokyo.locator('#view-compose');
  await compose.getByLabel('To', { exact: true }).selectOption('beijing');
  await compose.getByLabel('Precedence').selectOption('FLASH');
  const text = 'Collision risk 30N 125E <script>alert(1)</script><img src=x onerror=alert(2)>';
  await compose.getByLabel('Text').fill(text);
  await shot(tokyo, '02-compose-tokyo');
  const sent = Date.now();
  await compose.getByRole('button', { name: 'Send', exact: true }).click();
  const banner = beijing.locator('#alarms [role="alert"]');
  await expect(banner).toBeVisible({ timeout: 1000 });
  const shownAfter = Date.now() - sent;
  flashId = await banner.getAttribute('data-id');
  await expect(banner).toContainText('FLASH');
  await expect(banner.locator('.alarm-text')).toHaveText(text);  // literally, not markup
  await expect(beijing).toHaveTitle(/⚠/);
  const timing = await beijing.evaluate(() => window.__lia.timing[0]);
  const beeps = await beijing.evaluate(() => window.__lia.beeps || 0);
  console.log(`MEASURED receipt-to-alarm: ${timing.shown_ms - timing.at_ms} ms from the node's commit of ${flashId} to the banner; ` +
    `${timing.shown_ms - timing.time_ms} ms from Tokyo signing it; ${shownAfter} ms from the Send click (beeps: ${beeps})`);
  expect(timing.shown_ms - timing.at_ms).toBeLessThan(1000);
  // The message is on top of the inbox, its text shown as text.
  const first = beijing.locator('#inbox-list tbody tr').first();
  await expect(first).toHaveAttribute('data-id', flashId);
  await expect(first.locator('td.text')).toHaveText(text);
  await expect(first.locator('td.from')).toHaveText('tokyo (Ito)');  // the sender, signed into the message
  expect(await beijing.locator('#inbox-list img').count()).toBe(0);
  await shot(beijing, '03-alarm-beijing');
  await banner.getByRole('button', { name: 'Acknowledge' }).click();
  await expect(banner).toHaveCount(0);
  await expect(beijing).not.toHaveTitle(/⚠/);
  // Tokyo's console shows it acknowledged, with that operator's name.
  await tokyo.getByRole('tab', { name: 'Outbox' }).click();
  const row = tokyo.locator(`#outbox-list tr[data-id="${flashId}"]`);
  await expect(row.locator('[data-state]')).toHaveAttribute('data-state', 'acknowledged', { timeout: 5000 });
  await expect(row).toContainText('acknowledged by Lt. Wang');
  await shot(tokyo, '04-outbox-acknowledged-tokyo');
  await row.getByRole('link', { name: flashId }).click();
  await expect(tokyo.locator('#message-acks')).toContainText('Lt. Wang');
  await expect(tokyo.locator('#message-detail')).toContainText('valid (tokyo)');
  // Its place in both logs, each proof checked.
  await expect(tokyo.locator('#message-log-place [data-log="tokyo"]')).toContainText('#0', { timeout: 10000 });
  await expect(tokyo.locator('#message-log-place [data-log="beijing"]')).toBeVisible({ timeout: 10000 });
  await shot(tokyo, '05-message-detail-tokyo');
  const signed = JSON.parse(cli(process.env.TOKYO_DIR, '--json', 'show', flashId));
  expect(signed.acks[0].operator).toBe('Lt. Wang');
  expect(signed.acks[0].signature.valid).toBe(true);
  const received = JSON.parse(cli(process.env.BEIJING_DIR, '--json', 'show', flashId));
  expect(received.message.operator).toBe('Ito');
  expect(received.signature.valid).toBe(true);
  expect(dialogs).toBe(0);
});

test('a signal from a unit, in Japanese for a Japanese operator, on the map at its position', async () => {
  const id = cli(process.env.KAIYO_DIR, 'send-signal', '--to', 'tokyo', '--at', '31.50000,124.75000', 'L-MV4:045,12.5');
  const sato = await signIn(browser, T, 'Sato', 'sato-password-1');
  await sato.getByRole('tab', { name: '信号' }).click();
  const row = sato.locator(`#signals-list tr[data-id="${id}"]`);
  await expect(row).toContainText('L-MV4 — 本船は針路045°（真）、速力12.5ノットを保持する。', { timeout: 5000 });
  await expect(row).toContainText('kaiyo');
  // The composer checks parameters as the operator types.
  await sato.getByLabel('符字').selectOption('L-MV4');
  const course = sato.locator('[data-param]').first();
  await course.fill('400');
  await expect(sato.locator('#signal-problem')).not.toHaveText('');
  await expect(sato.getByRole('button', { name: '信号送信' })).toBeDisabled();
  await course.fill('045');
  await sato.locator('[data-param]').nth(1).fill('12.5');
  await expect(sato.locator('#signal-problem')).toHaveText('');
  await expect(sato.getByRole('button', { name: '信号送信' })).toBeEnabled();
  await shot(sato, '06-signals-ja-tokyo');
  await sato.getByRole('tab', { name: '海図' }).click();
  const marker = sato.locator(`#map circle[data-id="${id}"]`);
  await expect(marker).toBeVisible({ timeout: 5000 });
  const [x, y] = await sato.evaluate(() => window.LiaMap.project(124.75, 31.5));
  // The map opens on the East China Sea: 117-133E, 23-37N fill the 900x520 view.
  const [x0, y0] = await sato.evaluate(() => window.LiaMap.project(117, 37));
  const [x1, y1] = await sato.evaluate(() => window.LiaMap.project(133, 23));
  expect(x0).toBeGreaterThanOrEqual(-1); expect(y0).toBeGreaterThanOrEqual(-1);
  expect(x1).toBeLessThanOrEqual(901); expect(y1).toBeLessThanOrEqual(521);
  expect(Math.max(x1 - x0, y1 - y0)).toBeGreaterThan(500);
  expect(Math.abs(Number(await marker.getAttribute('cx')) - x)).toBeLessThan(0.2);
  expect(Math.abs(Number(await marker.getAttribute('cy')) - y)).toBeLessThan(0.2);
  expect(await marker.getAttribute('aria-label')).toContain('本船は針路045°');
  await shot(sato, '07-map-ja-tokyo');
  await sato.context().close();
});

test('an incident proposed in one browser and confirmed in the other', async () => {
  await tokyo.getByRole('tab', { name: 'Incidents' }).click();
  await tokyo.locator('#incident-open-form').getByLabel('Title').fill('Close quarters <b>near</b> 31.5N');
  await tokyo.getByRole('button', { name: 'Open incident' }).click();
  await expect(tokyo.locator('#notice')).toContainText('Incident opened');
  const incId = (await tokyo.locator('#notice').textContent()).split(': ')[1];
  await beijing.getByRole('tab', { name: 'Incidents' }).click();
  const inc = beijing.locator(`section.incident[data-id="${incId}"]`);
  await expect(inc).toBeVisible({ timeout: 5000 });
  await expect(inc.locator('h3 .text')).toHaveText('Close quarters <b>near</b> 31.5N');
  await inc.getByLabel('State').selectOption('contained');
  await inc.getByLabel('Reason').fill('Vessels separated to 3 nm');
  await inc.getByRole('button', { name: 'Propose' }).click();
  const tinc = tokyo.locator(`section.incident[data-id="${incId}"]`);
  const confirm = tinc.getByRole('button', { name: 'Confirm contained' });
  await expect(confirm).toBeVisible({ timeout: 5000 });
  await shot(tokyo, '08-incident-proposed-tokyo');
  await confirm.click();
  await expect(tinc.locator('h3')).toContainText('[contained]', { timeout: 5000 });
  await expect(inc.locator('h3')).toContainText('[contained]', { timeout: 5000 });
  await expect(inc).toContainText('confirmed');
  // Each step names the operator who made it, signed into the entry: the same at both consoles.
  for (const box of [tinc, inc]) {
    await expect(box.locator('li[data-action="confirm"] .operator')).toHaveText('Ito', { timeout: 5000 });
    await expect(box.locator('li[data-action="propose"] .operator')).toHaveText('Lt. Wang');
    await expect(box.locator('li[data-action="open"] .operator')).toHaveText('Ito');
  }
  const timeline = (dir) => JSON.parse(cli(dir, '--json', 'incident', 'show', incId)).timeline;
  const confirmStep = timeline(process.env.BEIJING_DIR).find((x) => x.action === 'confirm');
  expect(confirmStep.operator).toBe('Ito');
  expect(timeline(process.env.TOKYO_DIR)).toEqual(timeline(process.env.BEIJING_DIR));
  await shot(beijing, '09-incident-confirmed-beijing');
});

test('links, joint record and audit views', async () => {
  await beijing.getByRole('tab', { name: 'Links' }).click();
  await expect(beijing.locator('#links-list')).toContainText('tokyo');
  // The recent link tests, newest first, each with its result and round trip: two run from the view.
  const hist = beijing.locator('table.linktest-history[data-peer="tokyo"]');
  await expect(hist).toContainText('none');
  const testButton = beijing.getByRole('button', { name: 'Test link to tokyo' });
  for (let i = 1; i <= 2; i++) {
    await testButton.click();
    await expect(hist.locator('tr[data-result="answered"]')).toHaveCount(i, { timeout: 5000 });
  }
  await expect(hist.locator('tbody tr')).toHaveCount(2);
  await expect(hist.locator('tr[data-result="answered"]').first()).toContainText(/beijing\/\d+.*\d+ ms/);
  await expect(hist.locator('tr[data-result="answered"]').first()).toContainText('answered');
  await shot(beijing, '10-links-beijing');
  await beijing.getByRole('tab', { name: 'Joint record' }).click();
  await expect(beijing.locator('#record-size')).not.toHaveText('');
  // The peer cosigns a checkpoint within a few seconds of the last entries; reopen the view until it has.
  await expect(async () => {
    await beijing.getByRole('tab', { name: 'Joint record' }).click();
    await expect(beijing.locator('#record-cosigned')).toContainText('tokyo', { timeout: 1000 });
  }).toPass({ timeout: 20000 });
  await shot(beijing, '11-record-beijing');
  const chen = await signIn(browser, B, 'Chen', 'chen-password-1');
  await chen.getByRole('tab', { name: '审计' }).click();
  await expect(chen.locator('#audit-list')).toContainText('Lt. Wang');
  await expect(chen.locator('#audit-list')).toContainText('/ack');
  await shot(chen, '12-audit-zh-beijing');
  await chen.context().close();
});

test('bad input: wrong password, disabled operator, missing CSRF token, auditor sending, expired session', async () => {
  test.setTimeout(60000);
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(B + '/');
  await page.getByLabel('Operator', { exact: true }).fill('Lt. Wang');
  await page.getByLabel('Password', { exact: true }).fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.locator('#signin-error')).toHaveText('wrong operator or password');
  await page.getByLabel('Operator', { exact: true }).fill('Old Li');
  await page.getByLabel('Password', { exact: true }).fill('li-password-1');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.locator('#signin-error')).toContainText('disabled');
  await shot(page, '13-bad-signin');
  await ctx.close();

  // A POST with the session cookie but without the CSRF token changes nothing.
  const before = JSON.parse(cli(process.env.BEIJING_DIR, '--json', 'outbox')).messages.length;
  const r = await beijing.context().request.post(B + '/v1/messages', { data: { to: 'tokyo', precedence: 'ROUTINE', text: 'forged' } });
  expect(r.status()).toBe(403);
  expect((await r.json()).error).toContain('CSRF');
  const r2 = await beijing.context().request.post(B + '/v1/messages', { data: { to: 'tokyo', precedence: 'ROUTINE', text: 'forged' },
    headers: { 'X-CSRF-Token': 'f'.repeat(64) } });
  expect(r2.status()).toBe(403);

  // An auditor may read but not send.
  const zhao = await signIn(browser, B, 'Zhao', 'zhao-password-1');
  await zhao.getByRole('tab', { name: '拟稿' }).click();
  await zhao.locator('#view-compose').getByLabel('正文').fill('an auditor tries to send');
  await zhao.locator('#view-compose').getByRole('button', { name: '发送', exact: true }).click();
  await expect(zhao.locator('#notice')).toContainText('auditor may read but not send');
  await shot(zhao, '14-auditor-refused');
  // A new password ends the operator's open sessions.
  execFileSync(process.env.LIAISON, ['-d', process.env.BEIJING_DIR, 'operator', 'passwd', 'Zhao'], { input: 'zhao-password-2\n' });
  await zhao.getByRole('tab', { name: '收件箱' }).click();
  await expect(zhao.locator('#signin-error')).toContainText('password was changed');
  await zhao.context().close();
  // Disabling an operator ends their session at the next request.
  const chen = await signIn(browser, B, 'Chen', 'chen-password-1');
  execFileSync(process.env.LIAISON, ['-d', process.env.BEIJING_DIR, 'operator', 'disable', 'Chen']);
  // (a request still under way from sign-in may find out first and sign the page out)
  await chen.getByRole('tab', { name: '发件箱' }).click({ timeout: 2000 }).catch(() => {});
  await expect(chen.locator('#signin-error')).toContainText('disabled');
  await chen.context().close();
  expect(JSON.parse(cli(process.env.BEIJING_DIR, '--json', 'outbox')).messages.length).toBe(before);

  // An expired session (kaiyo's console ends sessions after 3 s idle).
  // The page does nothing: its event stream ends with the session (at the next keep-alive)
  // and the page shows why.
  const mori = await signIn(browser, K, 'Mori', 'mori-password-1');
  await expect(mori.locator('#signin-error')).toContainText('session has expired', { timeout: 12000 });
  await expect(mori.locator('#signin')).toBeVisible();
  await shot(mori, '15-expired-session');
  await mori.context().close();

  // Every refusal is in the audit: who, from where, what, why.
  const audit = JSON.parse(cli(process.env.BEIJING_DIR, '--json', 'operator', 'audit')).audit;
  const refused = (who, what, why) => audit.some((a) => a.operator === who && a.address === '127.0.0.1' &&
    a.action.includes(what) && a.outcome.startsWith('refused') && a.detail.includes(why));
  expect(refused('Lt. Wang', 'sign in', 'wrong operator or password')).toBe(true);
  expect(refused('Old Li', 'sign in', 'operator disabled')).toBe(true);
  expect(refused('Lt. Wang', 'POST /v1/messages', 'CSRF')).toBe(true);
  expect(refused('Zhao', 'POST /v1/messages', 'auditor')).toBe(true);
  expect(refused('Chen', 'GET', 'disabled')).toBe(true);
  expect(audit.some((a) => a.operator === 'Lt. Wang' && a.action.endsWith('/ack') && a.outcome === 'ok 201')).toBe(true);
});

test('keyboard only: sign in, acknowledge an alarm, change view', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await ctx.newPage();
  await page.goto(B + '/');
  const tabTo = async (check, max = 40) => {
    for (let i = 0; i < max; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(check)) return;
    }
    throw new Error('not reachable with Tab: ' + check);
  };
  await tabTo(() => document.activeElement && document.activeElement.id === 'signin-operator');
  await page.keyboard.type('Lt. Wang');
  await page.keyboard.press('Tab');
  await page.keyboard.type('wang-password-1');
  await page.keyboard.press('Enter');
  await expect(page.locator('#app')).toBeVisible();
  const id = cli(process.env.TOKYO_DIR, 'send', '--to', 'beijing', '--precedence', 'IMMEDIATE', 'Keyboard check');
  const banner = page.locator(`#alarms [data-id="${id}"]`);
  await expect(banner).toBeVisible({ timeout: 2000 });
  await page.locator('body').focus();
  await tabTo(() => document.activeElement && document.activeElement.textContent === 'Acknowledge' &&
    document.activeElement.closest('#alarms') !== null);
  await page.keyboard.press('Enter');
  await expect(banner).toHaveCount(0);
  await tabTo(() => document.activeElement && document.activeElement.id === 'tab-map');
  await page.keyboard.press('Enter');
  await expect(page.locator('#view-map')).toBeVisible();
  await ctx.close();
});

test('a failed link test raises the link banner, which clears when a test passes again', async () => {
  await beijing.getByRole('tab', { name: 'Links' }).click();
  const banner = beijing.locator('#link-banner');
  await expect(banner).toBeHidden({ timeout: 5000 });
  const pid = Number(fs.readFileSync(process.env.TOKYO_PID_FILE, 'utf8'));
  // Tokyo stops answering: Beijing's test gets no answer within its 2 s (linktest-timeout).
  process.kill(pid, 'SIGSTOP');
  let failed;
  try {
    await beijing.getByRole('button', { name: 'Test link to tokyo' }).click();
    await expect(banner).toContainText('Link test to tokyo failed', { timeout: 5000 });
    const failedRow = beijing.locator('table.linktest-history[data-peer="tokyo"] tr[data-result="failed"]').first();
    await expect(failedRow).toBeVisible({ timeout: 5000 });
    failed = await failedRow.getAttribute('data-id');
    await shot(beijing, '16-linktest-failed-beijing');
  } finally {
    process.kill(pid, 'SIGCONT');
  }
  // Tokyo answers again (the link up, if it went down): the next test passes and the banner clears;
  // the failed test's answer came late.
  await expect(banner).not.toContainText('Link to tokyo is', { timeout: 10000 });
  await beijing.getByRole('button', { name: 'Test link to tokyo' }).click();
  await expect(banner).toBeHidden({ timeout: 5000 });
  await expect(beijing.locator(`table.linktest-history[data-peer="tokyo"] tr[data-id="${failed}"]`))
    .toHaveAttribute('data-result', 'late', { timeout: 5000 });
});

test('killing a peer raises the link banner', async () => {
  await beijing.getByRole('tab', { name: 'Links' }).click();
  await expect(beijing.locator('#link-banner')).toBeHidden();
  const pid = Number(fs.readFileSync(process.env.TOKYO_PID_FILE, 'utf8'));
  process.kill(pid, 'SIGKILL');
  await expect(beijing.locator('#link-banner')).toBeVisible({ timeout: 10000 });
  await expect(beijing.locator('#link-banner')).toContainText('Link to tokyo is');
  await shot(beijing, '17-link-down-beijing');
});
