/// <reference types="node" />
// Run: node --import tsx --test web/src/lib/catalog-form.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { entryProblems, formValuesToInput, newEntryValues, parseFieldPath, placeProblems, problemPlace } from './catalog-form';

test('parses field paths of entry problems', () => {
  assert.deepEqual(parseFieldPath('items[2].column'), { field: 'items', index: 2, sub: 'column' });
  assert.deepEqual(parseFieldPath('items[10]'), { field: 'items', index: 10 });
  assert.deepEqual(parseFieldPath('sourceSystemIds[0]'), { field: 'sourceSystemIds', index: 0 });
  assert.deepEqual(parseFieldPath('category'), { field: 'category' });
  assert.deepEqual(parseFieldPath(' shareCondition '), { field: 'shareCondition' });
  assert.deepEqual(parseFieldPath('名称'), { field: '名称' });
});

test('places a problem next to the field, the row, the item table or the form', () => {
  assert.deepEqual(problemPlace('items[2].column'), { kind: 'field', name: ['items', 2, 'column'] });
  assert.deepEqual(problemPlace('items[0].dataElement'), { kind: 'field', name: ['items', 0, 'dataElement'] });
  assert.deepEqual(problemPlace('items[3]'), { kind: 'row', index: 3 });
  assert.deepEqual(problemPlace('items[3].unknownThing'), { kind: 'row', index: 3 });
  assert.deepEqual(problemPlace('items'), { kind: 'items' });
  assert.deepEqual(problemPlace('sourceSystemIds[1]'), { kind: 'field', name: ['sourceSystemIds'] });
  assert.deepEqual(problemPlace('nonShareBasis'), { kind: 'field', name: ['nonShareBasis'] });
  assert.deepEqual(problemPlace('somethingNew'), { kind: 'form' });
  assert.deepEqual(problemPlace(undefined), { kind: 'form' });
});

test('groups problems per place in the chosen language', () => {
  const placed = placeProblems(
    [
      { code: 'COLUMN_NAME_INVALID', field: 'items[1].column', message: 'bad column', messageZh: '字段名不合法' },
      { code: 'COLUMN_NAME_DUPLICATE', field: 'items[1].column', message: 'duplicate', messageZh: '字段名重复' },
      { code: 'KEY_ITEM_REQUIRED', field: 'items', message: 'key', messageZh: '须有主键' },
      { code: 'X', field: 'items[4]', message: 'row', messageZh: '行' },
      { code: 'Y', field: 'other', message: 'other', messageZh: '' },
    ],
    'zh',
  );
  assert.deepEqual(placed.fields.get('items.1.column'), { name: ['items', 1, 'column'], messages: ['字段名不合法', '字段名重复'] });
  assert.deepEqual(placed.items, ['须有主键']);
  assert.deepEqual(placed.rows.get(4), ['行']);
  assert.deepEqual(placed.form, ['other'], 'falls back to English when Chinese is missing');
});

test('reads problems from error details and ignores anything else', () => {
  assert.deepEqual(entryProblems(null), []);
  assert.deepEqual(entryProblems({ field: 'x' }), []);
  assert.deepEqual(entryProblems([{ code: 'A', field: 'name', message: 'm', messageZh: 'z' }, 3, { code: 'B' }]), [
    { code: 'A', field: 'name', message: 'm', messageZh: 'z' },
  ]);
});

test('sends conditional fields only when they apply, and trims', () => {
  const v = {
    ...newEntryValues(),
    name: ' 机动车驾驶人信息 ',
    summary: '驾驶人',
    category: '1-01-001',
    shareType: 'unconditional' as const,
    shareCondition: '仅用于执法',
    nonShareBasis: '法律',
    sensitivityLevel: 2,
    items: [
      { key: 'r1', name: '身份证号', column: 'id_no', dataType: 'string' as const, length: 18, isKey: true, piiKind: 'resident_id', dataElement: ' DE0001 ' },
      { key: 'r2', name: '准驾车型', column: 'class', dataType: 'string' as const, length: 10, isKey: false, piiKind: null, shareType: null, dataElement: '' },
    ],
  };
  const body = formValuesToInput(v);
  assert.equal(body.name, '机动车驾驶人信息');
  assert.equal('shareCondition' in body, false);
  assert.equal('nonShareBasis' in body, false);
  assert.equal(body.sensitivityLevel, 2);
  assert.deepEqual(body.items, [
    { name: '身份证号', column: 'id_no', dataType: 'string', length: 18, isKey: true, piiKind: 'resident_id', dataElement: 'DE0001' },
    { name: '准驾车型', column: 'class', dataType: 'string', length: 10 },
  ]);

  const conditional = formValuesToInput({ ...v, shareType: 'conditional' });
  assert.equal(conditional.shareCondition, '仅用于执法');
  assert.equal('nonShareBasis' in conditional, false);

  const none = formValuesToInput({ ...v, shareType: 'none', securityGrade: 'important' });
  assert.equal(none.nonShareBasis, '法律');
  assert.deepEqual(none.shareMethods, []);
  assert.equal('sensitivityLevel' in none, false, 'sensitivity levels are for general data only');
});
