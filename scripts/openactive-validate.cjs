#!/usr/bin/env node
// Validates the site's OpenActive feeds with OpenActive's own validators (npm, package.json):
// every item's data with @openactive/data-model-validator, the paging of each feed with
// @openactive/rpde-validator, and the dataset page's JSON-LD as a Dataset Site.
//
//   node scripts/openactive-validate.cjs --base http://127.0.0.1:8000 \
//        --activity-list path/to/activity-list.jsonld [--page-limit 20]
//
// The validators would fetch the OpenActive activity list from the network; this script loads
// it from a local copy and our own concept scheme from the site, and gives them to the
// validator's cache, so a run needs no network. It prints one JSON object:
// {"failures": [...], "warnings": [...], "counts": {...}} and exits 1 when there are failures.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { validate } = require('@openactive/data-model-validator');
const JsonLoader = require('@openactive/data-model-validator/src/helpers/json-loader');
const { RpdeValidator } = require('@openactive/rpde-validator');

const OFFICIAL_LIST = 'https://openactive.io/activity-list';
const FEEDS = ['session-series', 'scheduled-sessions'];

function args() {
  const out = { pageLimit: 20 };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    const [key, value] = [argv[i], argv[i + 1]];
    if (key === '--base') out.base = value.replace(/\/$/, '');
    else if (key === '--activity-list') out.activityList = value;
    else if (key === '--page-limit') out.pageLimit = Number(value);
    else throw new Error(`unknown argument ${key}`);
  }
  if (!out.base || !out.activityList) throw new Error('--base and --activity-list are required');
  return out;
}

async function primeCache(documents) {
  // The loader reads a file cache (sha256 of the URL) before the network, then keeps the answer
  // in memory, where validate() finds it without loadRemoteJson.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oa-validate-'));
  const options = { loadRemoteJson: true, remoteJsonCachePath: dir, remoteJsonCacheTimeToLive: 3600 };
  for (const [url, data] of Object.entries(documents)) {
    const key = crypto.createHash('sha256').update(url).digest('hex');
    const entry = {
      errorCode: 'error_none', data, statusCode: 200, url, exception: null,
      contentType: 'application/ld+json', fetchTime: Date.now(),
    };
    fs.writeFileSync(path.join(dir, `${key}.json`), JSON.stringify(entry));
    const loaded = await JsonLoader.getFile(url, options);
    if (loaded.errorCode !== 'error_none') throw new Error(`could not prime ${url}`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

async function getJson(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

function report(target, where, error) {
  target.push({
    where, severity: error.severity, type: error.type, path: error.path || null,
    message: (error.message || '').split('\n')[0], value: error.value === undefined ? null : error.value,
  });
}

async function validateItems(base, feed, pageLimit, result) {
  let url = `${base}/openactive/${feed}`;
  for (let page = 0; page < pageLimit; page += 1) {
    const body = await getJson(url);
    for (const item of body.items) {
      result.counts.items += 1;
      if (item.state === 'deleted') result.counts.deleted += 1;
      if (!item.data) continue;
      const errors = await validate(item.data, { validationMode: 'RPDEFeed', loadRemoteJson: false });
      for (const error of errors) {
        if (error.severity === 'failure') report(result.failures, `${feed} item ${item.id}`, error);
        else if (error.severity === 'warning') report(result.warnings, `${feed} item ${item.id}`, error);
      }
    }
    if (body.next === url && body.items.length === 0) return;
    url = body.next;
  }
}

async function validatePaging(base, feed, pageLimit, result) {
  const log = await RpdeValidator(`${base}/openactive/${feed}`, { pageLimit, timeoutMs: 20000 });
  for (const page of log.pages) {
    for (const error of page.errors) {
      const data = error.data || error;
      if (data.severity === 'failure') report(result.failures, `${feed} paging ${page.url}`, data);
      else if (data.severity === 'warning') report(result.warnings, `${feed} paging ${page.url}`, data);
    }
  }
}

async function validateDataset(base, result) {
  const response = await fetch(`${base}/openactive/`);
  const html = await response.text();
  const match = html.match(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/);
  if (!match) {
    result.failures.push({ where: 'dataset page', type: 'no_jsonld', message: 'no JSON-LD block' });
    return;
  }
  const errors = await validate(JSON.parse(match[1]), { validationMode: 'DatasetSite' });
  for (const error of errors) {
    if (error.severity === 'failure') report(result.failures, 'dataset page', error);
    else if (error.severity === 'warning') report(result.warnings, 'dataset page', error);
  }
}

async function main() {
  const options = args();
  const result = { failures: [], warnings: [], counts: { items: 0, deleted: 0 } };
  const scheme = await getJson(`${options.base}/openactive/categories`);
  await primeCache({
    [OFFICIAL_LIST]: JSON.parse(fs.readFileSync(options.activityList, 'utf8')),
    [scheme.id]: scheme,
  });
  for (const feed of FEEDS) {
    await validateItems(options.base, feed, options.pageLimit, result);
    await validatePaging(options.base, feed, options.pageLimit, result);
  }
  await validateDataset(options.base, result);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exitCode = result.failures.length ? 1 : 0;
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exitCode = 2;
});
