// Lints docs/openapi.json with Redocly CLI (pinned in package.json, strict
// ruleset in redocly.yaml), and checks that the same lint fails on a broken
// copy, so a linter that silently checks nothing cannot pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const source = process.env.IOC_SOURCE_DIR ?? join(here, '..', '..');
const documentPath = join(source, 'docs', 'openapi.json');
const redocly = join(here, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');

function lint(file) {
  const r = spawnSync(process.execPath, [redocly, 'lint', '--config', join(here, 'redocly.yaml'), '--format', 'stylish', file], {
    encoding: 'utf8',
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
    timeout: 90_000,
  });
  return { status: r.status, output: `${r.stdout}\n${r.stderr}` };
}

test('Redocly CLI is installed (cd tests/contract && npm ci)', () => {
  assert.ok(existsSync(redocly), `${redocly} missing: run npm ci in tests/contract`);
});

test('docs/openapi.json passes redocly lint with the strict ruleset', () => {
  const r = lint(documentPath);
  assert.equal(r.status, 0, r.output);
  assert.match(r.output, /valid/i);
});

test('the lint fails on a broken copy (an undefined schema, responses that are not an object)', () => {
  const doc = JSON.parse(readFileSync(documentPath, 'utf8'));
  doc.paths['/v1/samples'].post.requestBody.content['application/json'].schema = { $ref: '#/components/schemas/NoSuchSchema' };
  doc.paths['/healthz'].get.responses = 'none';
  const dir = mkdtempSync(join(tmpdir(), 'ioc-openapi-'));
  const broken = join(dir, 'openapi.json');
  writeFileSync(broken, JSON.stringify(doc, null, 2));
  const r = lint(broken);
  assert.notEqual(r.status, 0, r.output);
  assert.match(r.output, /no-unresolved-refs/);
  assert.match(r.output, /struct/);
});

test('the lint checks the request examples against the batch schema', () => {
  const doc = JSON.parse(readFileSync(documentPath, 'utf8'));
  const examples = doc.paths['/v1/samples'].post.requestBody.content['application/json'].examples;
  examples.lenient.value.samples[0].area = true;
  examples.lenient.value.samples[1].eventTimeMs = 'yesterday';
  const broken = join(mkdtempSync(join(tmpdir(), 'ioc-openapi-')), 'openapi.json');
  writeFileSync(broken, JSON.stringify(doc, null, 2));
  const r = lint(broken);
  assert.notEqual(r.status, 0, r.output);
  assert.match(r.output, /no-invalid-media-type-examples.*`area`/);
  assert.match(r.output, /no-invalid-media-type-examples.*`eventTimeMs`/);
});

test('the document is the JSON the gateway serves: OpenAPI 3.1 with a 2020-12 JSON Schema for the batch', () => {
  const doc = JSON.parse(readFileSync(documentPath, 'utf8'));
  assert.match(doc.openapi, /^3\.1\./);
  const batch = doc.components.schemas.IngestBatch;
  assert.equal(batch.$schema, 'https://json-schema.org/draft/2020-12/schema');
  assert.equal(batch.additionalProperties, true, 'unknown fields are allowed');
  for (const field of ['sourceId', 'sourceEpoch', 'sequence', 'publisherCursor', 'samples']) {
    assert.ok(batch.properties[field], `IngestBatch.${field}`);
  }
  const sample = doc.components.schemas.Sample;
  for (const field of ['indicator', 'area', 'eventTimeMs', 'eventTime', 'value', 'ratio']) {
    assert.ok(sample.properties[field], `Sample.${field}`);
  }
});
