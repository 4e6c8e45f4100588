import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, test } from 'node:test';
import { CsvEncoder, csvCell, csvField } from './exports.encoders.js';
import { ExportStageError } from './exports.errors.js';
import { maskStage, recipientWatermark, runPipeline, type ExportContext, type ExportRecord } from './exports.pipeline.js';

/** The pipeline without a database: pages in, stages, the CSV encoder, bytes kept in memory. */

function context(): ExportContext {
  return {
    exportId: 'e1',
    grantId: 'g1',
    catalog: { code: 'C1', name: '测试目录' },
    provider: { organisationId: 'p1', name: '提供部门' },
    recipient: { organisationId: 'o1', organisationName: '使用部门', userId: 'u1', displayName: '张三' },
    requestedAt: new Date('2026-11-24T00:00:00Z'),
    columns: [
      { column: 'full_name', name: '姓名' },
      { column: 'note', name: '备注' },
    ],
    metadata: {},
  };
}

class MemoryStore {
  readonly parts: Buffer[] = [];
  async write(bytes: Buffer): Promise<void> {
    this.parts.push(Buffer.from(bytes));
  }
  async finish(): Promise<{ size: number; sm3: string }> {
    const all = Buffer.concat(this.parts);
    return { size: all.length, sm3: crypto.createHash('sm3').update(all).digest('hex') };
  }
}

async function* pages(...p: ExportRecord[][]): AsyncGenerator<ExportRecord[]> {
  yield* p;
}

describe('the export pipeline', () => {
  test('rows go through mask and watermark into the encoder; the watermark records the recipient', async () => {
    const ctx = context();
    const store = new MemoryStore();
    const result = await runPipeline({
      context: ctx,
      pages: pages([{ full_name: '张三', note: 'a,b' }], [{ full_name: '欧阳娜娜', note: null }]),
      stages: [
        { name: 'mask', run: maskStage({ full_name: 'name', note: 'none' }) },
        { name: 'watermark', run: recipientWatermark },
      ],
      encoder: new CsvEncoder(),
      store,
    });
    assert.equal(result.rows, 2);
    const text = Buffer.concat(store.parts).toString('utf8');
    assert.equal(text, '\ufefffull_name,note\r\n张*,"a,b"\r\n欧***,\r\n');
    assert.equal(result.size, Buffer.byteLength(text));
    assert.equal(ctx.metadata.recipient, '张三');
    assert.equal(ctx.metadata.recipientOrganisationId, 'o1');
    assert.equal(ctx.metadata.exportId, 'e1');
  });

  test('an error names the stage it came from', async () => {
    const failing = runPipeline({
      context: context(),
      pages: pages([{ full_name: '张三' }]),
      stages: [{ name: 'watermark', run: () => Promise.reject(new Error('boom')) }],
      encoder: new CsvEncoder(),
      store: new MemoryStore(),
    });
    await assert.rejects(failing, (err: unknown) => err instanceof ExportStageError && err.stage === 'watermark');
    async function* broken(): AsyncGenerator<ExportRecord[]> {
      yield [];
      throw new Error('the table went away');
    }
    await assert.rejects(
      runPipeline({ context: context(), pages: broken(), stages: [], encoder: new CsvEncoder(), store: new MemoryStore() }),
      (err: unknown) => err instanceof ExportStageError && err.stage === 'read',
    );
  });

  test('CSV fields are quoted when RFC 4180 needs it', () => {
    assert.equal(csvField('plain'), 'plain');
    assert.equal(csvField('a "b"'), '"a ""b"""');
    assert.equal(csvField('line\nbreak'), '"line\nbreak"');
    assert.equal(csvField(' padded'), '" padded"');
    assert.equal(csvField(null), '');
    assert.equal(csvField(12.5), '12.5');
    assert.equal(csvField({ a: 1 }), '"{""a"":1}"');
  });

  test('CSV cells that a spreadsheet would run as a formula start with a quote; numbers stay numbers', () => {
    assert.equal(csvCell('=1+1'), "'=1+1");
    assert.equal(csvCell('=HYPERLINK("http://x","y")'), `"'=HYPERLINK(""http://x"",""y"")"`);
    assert.equal(csvCell('+86 13812345678'), "'+86 13812345678");
    assert.equal(csvCell('-2+3'), "'-2+3");
    assert.equal(csvCell('@SUM(A1)'), "'@SUM(A1)");
    assert.equal(csvCell('\t=1+1'), "'\t=1+1");
    assert.equal(csvCell('\r=1+1'), `"'\r=1+1"`);
    // Numbers are not formulas: number values, and text that is a plain number.
    assert.equal(csvCell(-5), '-5');
    assert.equal(csvCell('-5'), '-5');
    assert.equal(csvCell('+3.25'), '+3.25');
    assert.equal(csvCell('-1e3'), '-1e3');
    assert.equal(csvCell('a=b'), 'a=b');
    assert.equal(csvCell('0971-8123456'), '0971-8123456');
  });
});
