import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { Registry } from '../../policies/index.js';
import type { StartedApi } from '../../server/start-api.js';
import { apiSession } from '../harness/api-session.js';
import { startBrowser, type TestBrowser } from '../harness/browser.js';
import { eventually } from '../harness/eventually.js';
import { pushImage, type PushedImage } from '../harness/images.js';
import { rawDeleteManifest } from '../harness/raw-client.js';
import { startRegattaApi } from '../harness/regatta-api.js';
import { startRegattaWorker, type RegattaUnderTest } from '../harness/regatta-worker.js';
import type { RegistryServer } from '../harness/registry-server.js';
import { startTestBed, type TestBed } from '../harness/test-bed.js';

// The web console in a real browser (Debian's Chromium) against the real system: Temporal, a
// worker, the API and four registries. Each step leaves a screenshot in test-results/console/.
const shots = join(process.cwd(), 'test-results', 'console');

describe('web console', () => {
  let bed: TestBed;
  let regatta: RegattaUnderTest;
  let api: StartedApi;
  let browser: TestBrowser;
  let page: Page;
  let viewerToken: string;
  const images = new Map<string, PushedImage>();

  const shot = (name: string, from = page) =>
    from.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  const go = (path: string) => page.goto(`${api.url}${path}`);
  /** The site cards of the map by name, with their state class and text. */
  const mapSites = () =>
    page.$$eval('.map .site', (cards) =>
      cards.map((card) => ({
        name: card.getAttribute('data-site'),
        state: ['in_sync', 'drift', 'unknown'].find((state) => card.classList.contains(state)),
        text: card.textContent ?? '',
      })),
    );
  /** The content's form (not the header's sign-out button). */
  const submit = () => page.click('main form button[type="submit"]');
  /** Forms in the page's content that write (the header's sign-out form aside). */
  const writeForms = () => page.locator('main form[method="post"]').count();

  before(async () => {
    mkdirSync(shots, { recursive: true });
    bed = await startTestBed();
    regatta = await startRegattaWorker(bed);
    api = await startRegattaApi(bed, regatta);
    browser = await startBrowser();
    page = await browser.context.newPage();
    for (const tag of ['v1', 'v2', 'v3'])
      images.set(
        tag,
        await pushImage({ registry: bed.hq }, 'production/app', tag, { layerSizes: [150_000, 50_000] }),
      );
    await pushImage({ registry: bed.hq }, 'production/lib', 'v1', { layerSizes: [20_000] });
    await pushImage({ registry: bed.hq }, 'staging/app', 'v1', { layerSizes: [1_000] });
    viewerToken = (await regatta.store.tokens.create({ name: 'console-viewer', role: 'viewer' })).token;
  });
  after(async () => {
    await browser?.close();
    await api?.stop();
    await regatta?.stop();
    await bed?.stop();
  });

  it('sign in – by keyboard; a wrong password is refused; the session cookie is HttpOnly and SameSite=Strict', async () => {
    await go('/');
    assert.match(page.url(), /\/login\?next=%2F$/);
    await page.fill('#password', 'not-the-password');
    const refused = page.waitForResponse((response) => response.url().endsWith('/login'));
    await page.press('#password', 'Enter');
    assert.equal((await refused).status(), 401);
    assert.match(await page.locator('.form-error').innerText(), /not valid/);
    await shot('login');

    await page.focus('#user');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('admin');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'password');
    await page.keyboard.type('test-admin-password');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${api.url}/`);
    assert.equal(await page.locator('h1').innerText(), 'Sites map');

    const [cookie] = await browser.context.cookies(api.url);
    assert.equal(cookie?.name, 'regatta_session');
    assert.equal(cookie?.httpOnly, true);
    assert.equal(cookie?.sameSite, 'Strict');
  });

  async function addRegistry(registry: RegistryServer, withCa = true): Promise<void> {
    await go('/registries/new');
    await page.fill('#name', registry.name);
    await page.fill('#url', registry.url);
    if (registry.credentials) {
      await page.fill('#access_key', registry.credentials.username);
      await page.fill('#access_secret', registry.credentials.password);
    }
    if (registry.caPem && withCa) await page.fill('#ca_certificate', registry.caPem);
    await submit();
  }

  it('registries – four added with the form, each pinged before it is saved', async () => {
    // HQ without its CA: the ping fails, nothing is saved, the message is at the CA field.
    await addRegistry(bed.hq, false);
    await page.waitForSelector('#ca_certificate-error');
    assert.match(await page.locator('#ca_certificate-error').innerText(), /not trusted \(REGISTRY_TLS\)/);
    assert.equal(await page.locator('#ca_certificate').getAttribute('aria-invalid'), 'true');
    assert.equal((await regatta.store.registries.list({})).total, 0);
    await shot('registry-form-error');

    for (const registry of [bed.hq, ...bed.sites]) {
      await addRegistry(registry);
      await page.waitForURL(`${api.url}/registries`);
      assert.match(await page.locator('.flash').innerText(), new RegExp(`Registry ${registry.name} added`));
    }
    assert.deepEqual(
      await page.$$eval('tr[data-registry]', (rows) => rows.map((row) => row.getAttribute('data-registry'))),
      ['hq', 'site-plain', 'site-basic', 'site-tls'],
    );
    // Secrets are write-only: the page never carries one.
    assert.doesNotMatch(await page.content(), /hq-password-0|site-password-1/);
    await shot('registries');

    // Edited with the password left empty: the stored one is kept, so the ping before saving passes.
    await page.click('tr[data-registry="hq"] a:has-text("Edit")');
    assert.equal(await page.inputValue('#access_secret'), '');
    await page.fill('#description', 'headquarters');
    await submit();
    await page.waitForURL(`${api.url}/registries`);
    assert.match(await page.locator('.flash').innerText(), /Registry hq saved/);
    const hq = (await regatta.store.registries.list({})).items.find((registry) => registry.name === 'hq');
    assert.equal(hq?.description, 'headquarters');
  });

  it('registries – per-worker limits set in the form are stored, emptied to none, refused out of range at their field', async (t) => {
    const rest = apiSession(api.url);
    const limitsOf = async (id: number) => {
      const reply = await rest.call('GET', `/registries/${id}`);
      assert.equal(reply.status, 200, reply.text);
      const { max_connections, max_requests_in_flight } = reply.json as Registry;
      return { max_connections, max_requests_in_flight };
    };
    await go('/registries/new');
    await page.fill('#name', 'limited');
    await page.fill('#url', bed.sites[0].url);
    await page.fill('#max_connections', '3');
    await page.fill('#max_requests_in_flight', '2');
    await submit();
    await page.waitForURL(`${api.url}/registries`);
    const row = page.locator('tr[data-registry="limited"]');
    const id = Number((await row.locator('a').first().getAttribute('href'))?.split('/').pop());
    // The tests after this one work on the four registries of the test bed.
    t.after(async () => assert.equal((await rest.call('DELETE', `/registries/${id}`)).status, 200));
    assert.match(await row.innerText(), /connections: 3, requests in flight: 2/);
    assert.deepEqual(await limitsOf(id), { max_connections: 3, max_requests_in_flight: 2 });

    await row.locator('a:has-text("Edit")').click();
    assert.equal(await page.inputValue('#max_connections'), '3');
    assert.equal(await page.inputValue('#max_requests_in_flight'), '2');
    await page.fill('#max_requests_in_flight', '');
    await submit();
    await page.waitForURL(`${api.url}/registries`);
    assert.doesNotMatch(await row.innerText(), /in flight/);
    assert.deepEqual(await limitsOf(id), { max_connections: 3, max_requests_in_flight: null });

    // The console shows the API's own refusal of the value at the field, and saves nothing.
    const refusedByApi = await rest.call('PUT', `/registries/${id}`, { max_connections: 1025 });
    assert.equal(refusedByApi.status, 400, refusedByApi.text);
    const [apiError] = (refusedByApi.json as { errors: Array<{ message: string }> }).errors;
    assert.match(apiError?.message ?? '', /^max_connections: /);
    await go(`/registries/${id}`);
    await page.fill('#max_connections', '1025');
    const refused = page.waitForResponse((response) => response.request().method() === 'POST');
    await submit();
    assert.equal((await refused).status(), 400);
    assert.equal(await page.locator('#max_connections-error').innerText(), apiError?.message);
    assert.equal(await page.locator('#max_connections').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.inputValue('#max_connections'), '1025');
    await shot('registry-limits-error');
    assert.deepEqual(await limitsOf(id), { max_connections: 3, max_requests_in_flight: null });
  });

  it('policy – a bad filter gets the API message at its field; the fan-out is created with a live preview', async () => {
    await go('/policies/new');
    const unlabelled = await page.$$eval(
      'main input:not([type="hidden"]), main select, main textarea',
      (controls) =>
        controls
          .filter((control) => (control as HTMLInputElement).labels?.length === 0)
          .map((control) => control.outerHTML),
    );
    assert.deepEqual(unlabelled, []);
    await page.fill('#name', 'fan-out');
    await page.selectOption('#src_registry', { label: 'hq' });
    for (const site of bed.sites) await page.check(`label:has-text("${site.name}") input`);
    await page.fill('#name_filter', 'production/{1..3}');
    const rejected = page.waitForResponse((response) => response.request().method() === 'POST');
    await submit();
    assert.equal((await rejected).status(), 400);
    await page.waitForSelector('#name_filter-error');
    assert.equal(
      await page.locator('#name_filter-error').innerText(),
      'filters[0].value: sequence braces such as {1..9} are not supported',
    );
    assert.equal(await page.inputValue('#name_filter'), 'production/{1..3}');
    assert.equal((await regatta.store.policies.list({})).total, 0);
    await shot('policy-form-error');

    await page.fill('#name_filter', 'production/**');
    await eventually(
      async () => (await page.locator('[data-preview="counts"]').textContent()) === '2 repositories, 4 tags',
      15_000,
      'the preview to count what production/** selects',
    );
    await shot('policy-form-preview');
    await submit();
    await page.waitForURL(`${api.url}/policies`);
    assert.match(
      await page.locator('tr[data-policy="fan-out"]').innerText(),
      /hq → site-plain, site-basic, site-tls/,
    );
    await shot('policies');
  });

  it('registries – deleting one a policy uses is refused, with the 412 explained', async () => {
    await go('/registries');
    await page.click('tr[data-registry="hq"] summary');
    await page.click('tr[data-registry="hq"] button:has-text("Delete hq")');
    await page.waitForURL(`${api.url}/registries`);
    assert.match(
      await page.locator('.flash.error').innerText(),
      /hq was not deleted \(412\): registry \d+ is used by policies "fan-out"\. .*edit those policies or delete them first/,
    );
    assert.equal((await regatta.store.registries.list({})).total, 4);
  });

  it('CSRF – a write without the session token is refused, even an admin one', async () => {
    const status = await page.evaluate(async () => {
      const response = await fetch('/policies/1/disable', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: '',
      });
      return response.status;
    });
    assert.equal(status, 403);
    assert.equal((await regatta.store.policies.get(1)).enabled, true);
  });

  it('run – started from the policy, its progress bar moves to Succeed, every task listed', async () => {
    await go('/policies');
    await page.click('tr[data-policy="fan-out"] button:has-text("Run now")');
    await page.waitForURL(/\/runs\/\d+$/);
    const seen: Array<{ value: number; max: number; status: string }> = [];
    const last = await eventually(
      async () => {
        const bar = await page.$eval('#progress-bar', (element) => ({
          value: Number(element.getAttribute('value')),
          max: Number(element.getAttribute('max')),
          status: element.getAttribute('data-status') ?? '',
        }));
        seen.push(bar);
        return bar.status !== 'InProgress' && bar;
      },
      60_000,
      'the run to end',
      200,
    );
    assert.equal(last.status, 'Succeed');
    assert.deepEqual([last.value, last.max], [12, 12]);
    assert.ok(
      seen.some((bar) => bar.status === 'InProgress' && bar.value < bar.max),
      `the bar was seen below its end while the run was in progress: ${JSON.stringify(seen.slice(0, 5))}`,
    );
    assert.equal(await page.locator('tr[data-task]').count(), 12);
    const workflowLink = page.locator('a:has-text("fan-out/manual/")');
    const workflowId = await workflowLink.innerText();
    assert.equal(
      await workflowLink.getAttribute('href'),
      `http://localhost:8233/namespaces/default/workflows/${encodeURIComponent(workflowId)}`,
    );
    await shot('run');

    await go('/runs?status=Succeed');
    assert.equal(await page.locator('tr[data-run]').count(), 1);
    await shot('runs');
    await go('/runs?status=Failed');
    assert.equal(await page.locator('tr[data-run]').count(), 0);
  });

  it('map – after the run every site is in sync', async () => {
    await go('/');
    const sites = await mapSites();
    assert.deepEqual(
      sites.map((site) => [site.name, site.state]),
      [
        ['site-basic', 'in_sync'],
        ['site-plain', 'in_sync'],
        ['site-tls', 'in_sync'],
      ],
    );
    await shot('map-in-sync');
  });

  it('drift – a tag deleted at a site: an audit finds it, and the map open in another tab names it', async () => {
    assert.equal(new URL(page.url()).pathname, '/', 'the map is open from the test before');
    const [, basic] = bed.sites;
    await rawDeleteManifest({ registry: basic }, 'production/app', images.get('v2')!.digest);
    const auditor = await browser.context.newPage();
    await auditor.goto(`${api.url}/drift`);
    await auditor.click('#policy-1 button[value="off"]', { timeout: 60_000 });
    await auditor.waitForURL(/\/drift\?policy_id=1/);
    assert.equal(await auditor.locator('.flash').innerText(), 'fan-out: drift at site-basic.');
    assert.match(
      await auditor.locator('#policy-1 tr[data-site="site-basic"]').innerText(),
      /missing production\/app:v2/,
    );
    await shot('drift', auditor);
    await auditor.close();

    // Not reloaded: the map fetches itself again every 5 s.
    await eventually(
      async () => (await mapSites()).find((site) => site.name === 'site-basic')?.state === 'drift',
      15_000,
      'the open map to show site-basic drifting',
    );
    const sites = await mapSites();
    const drifting = sites.find((site) => site.name === 'site-basic')!;
    assert.match(drifting.text, /1 missing/);
    assert.match(drifting.text, /missing production\/app:v2/);
    assert.deepEqual(
      sites.filter((site) => site.name !== 'site-basic').map((site) => site.state),
      ['in_sync', 'in_sync'],
    );
    await shot('map');

    await page.click('.map [data-site="site-basic"]');
    await page.waitForURL(/\/sites\/\d+$/);
    assert.match(await page.locator('main').innerText(), /missing\s+production\/app:v2/);
    await shot('site');
  });

  it('dry run – its plan is a table of what a run would do: copy the deleted tag back, skip the rest', async () => {
    await go('/policies');
    await page.click('tr[data-policy="fan-out"] button:has-text("Dry run")');
    await page.waitForURL(/\/runs\/\d+$/);
    await eventually(
      async () => (await page.getAttribute('#progress-bar', 'data-status')) === 'Succeed',
      60_000,
      'the plan to finish',
      200,
    );
    assert.equal(await page.locator('h2:has-text("Plan")').count(), 1);
    const plan = await page.$$eval('tr[data-task]', (rows) =>
      rows.map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent ?? '')),
    );
    const wouldCopy = plan.filter((cells) => cells[5] === 'would_copy').map((cells) => cells[3]);
    assert.deepEqual(wouldCopy, ['site-basic/production/app:v2']);
    assert.equal(plan.filter((cells) => cells[5] === 'skipped').length, 11);
    await shot('dry-run');
  });

  it('enable and disable – a disabled policy offers no run; enabled again it does', async () => {
    await go('/policies');
    await page.click('tr[data-policy="fan-out"] button:has-text("Disable")');
    await page.waitForURL(`${api.url}/policies`);
    assert.match(await page.locator('.flash').innerText(), /Policy fan-out disabled/);
    assert.equal((await regatta.store.policies.get(1)).enabled, false);
    assert.equal(await page.locator('tr[data-policy="fan-out"] button:has-text("Run now")').count(), 0);
    await page.click('tr[data-policy="fan-out"] button:has-text("Enable")');
    await page.waitForURL(`${api.url}/policies`);
    assert.equal((await regatta.store.policies.get(1)).enabled, true);
    assert.equal(await page.locator('tr[data-policy="fan-out"] button:has-text("Run now")').count(), 1);
  });

  it('phone – the map and the policies read at 390 px without scrolling sideways', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const path of ['/', '/policies']) {
      await go(path);
      assert.ok(
        await page.evaluate(() => document.documentElement.scrollWidth <= 390),
        `${path} fits 390 px`,
      );
    }
    await go('/');
    await shot('map-phone');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('viewer – a viewer token signs in read-only: no write buttons, a forged write is refused', async () => {
    const runsBefore = (await regatta.store.executions.list({})).total;
    await browser.context.clearCookies();
    await go('/login');
    await page.fill('#token', viewerToken);
    await submit();
    await page.waitForURL(`${api.url}/`);
    assert.match(await page.locator('.user').innerText(), /token:console-viewer \(viewer\)/);
    for (const path of ['/', '/registries', '/policies', '/runs', '/runs/1', '/drift', '/sites/3']) {
      await go(path);
      assert.equal(await writeForms(), 0, `no write form on ${path}`);
      assert.equal(await page.locator('a[href$="/new"]').count(), 0, `no add link on ${path}`);
    }
    await go('/policies');
    await shot('policies-viewer');

    // No named functions inside: the page runs this code as it is, without tsx's helpers.
    const statuses = await page.evaluate(async () => {
      const headers = JSON.parse(document.body.getAttribute('hx-headers') ?? '{}') as Record<string, string>;
      const token = headers['x-csrf-token'] ?? '';
      const writes: number[] = [];
      for (const body of ['', `_csrf=${encodeURIComponent(token)}`]) {
        const response = await fetch('/policies/1/run', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body,
        });
        writes.push(response.status);
      }
      return { withoutToken: writes[0], withToken: writes[1], tokenPresent: token.length > 20 };
    });
    assert.deepEqual(statuses, { withoutToken: 403, withToken: 403, tokenPresent: true });
    assert.equal((await regatta.store.executions.list({})).total, runsBefore);

    // The session cookie does not authenticate the API, which takes only headers (so needs no CSRF
    // token). Asked from here: a browser shown the API's 401 would open its password dialog.
    const cookie = (await browser.context.cookies(api.url))
      .map(({ name, value }) => `${name}=${value}`)
      .join('; ');
    const apiReply = await fetch(`${api.url}/api/v2.0/replication/policies`, { headers: { cookie } });
    assert.equal(apiReply.status, 401);
  });
});
