import { test } from 'node:test';
import assert from 'node:assert/strict';

import { divisionLevel, findDivision, isValidDivisionCode, listDivisions } from './division.js';

// Expected names and codes are those published by the Ministry of Civil Affairs for GB/T 2260.

test('tells the level from the shape of a code', () => {
  assert.equal(divisionLevel('630000'), 'province');
  assert.equal(divisionLevel('630100'), 'city');
  assert.equal(divisionLevel('630102'), 'county');
  assert.equal(divisionLevel('63000'), undefined);
  assert.equal(divisionLevel('abc'), undefined);
  assert.equal(divisionLevel('6300000'), undefined);
});

test('finds Qinghai province, Xining city and Chengdong district with their full names', () => {
  assert.deepEqual(findDivision('630000'), { code: '630000', name: '青海省', level: 'province', parentCode: null, fullName: '青海省' });
  assert.deepEqual(findDivision('630100'), { code: '630100', name: '西宁市', level: 'city', parentCode: '630000', fullName: '青海省西宁市' });
  assert.deepEqual(findDivision('630102'), {
    code: '630102',
    name: '城东区',
    level: 'county',
    parentCode: '630100',
    fullName: '青海省西宁市城东区',
  });
});

test('finds an autonomous prefecture and its county-level city', () => {
  assert.equal(findDivision('632800')?.name, '海西蒙古族藏族自治州');
  assert.equal(findDivision('632801')?.fullName, '青海省海西蒙古族藏族自治州格尔木市');
});

test('rejects codes that are not divisions', () => {
  for (const bad of ['639900', 'abc', '63000', '', '000000', '630199']) {
    assert.equal(isValidDivisionCode(bad), false, bad);
    assert.equal(findDivision(bad), undefined);
  }
});

test('hangs municipal districts from the municipality, skipping the 市辖区 grouping row', () => {
  assert.equal(findDivision('110101')?.fullName, '北京市东城区');
  assert.equal(findDivision('110101')?.parentCode, '110000');
  assert.equal(findDivision('500229')?.fullName, '重庆市城口县');
  assert.equal(findDivision('110100'), undefined);
  const beijing = listDivisions('110000');
  assert.equal(beijing.length, 16);
  assert.ok(beijing.every((d) => d.level === 'county' && d.parentCode === '110000'));
});

test('hangs county-level units run directly by a province from the province', () => {
  assert.equal(findDivision('419001')?.fullName, '河南省济源市');
  assert.equal(findDivision('429004')?.parentCode, '420000');
  assert.ok(listDivisions('410000').some((d) => d.code === '419001'));
  assert.equal(findDivision('419000'), undefined);
});

test('treats cities without districts as cities, not as counties of themselves', () => {
  assert.equal(findDivision('441900')?.level, 'city');
  assert.equal(findDivision('441900')?.fullName, '广东省东莞市');
  assert.deepEqual(listDivisions('441900'), []);
});

test('lists the 31 mainland provinces when no parent is given', () => {
  const provinces = listDivisions();
  assert.equal(provinces.length, 31);
  assert.ok(provinces.every((d) => d.level === 'province' && /0000$/.test(d.code)));
  assert.equal(provinces[0]?.name, '北京市');
  assert.ok(provinces.some((d) => d.code === '630000'));
});

test('lists the eight prefecture-level divisions of Qinghai', () => {
  assert.deepEqual(
    listDivisions('630000').map((d) => d.code),
    ['630100', '630200', '632200', '632300', '632500', '632600', '632700', '632800'],
  );
});

test('lists the counties of Xining', () => {
  const xining = listDivisions('630100');
  assert.deepEqual(
    xining.map((d) => d.name),
    ['城东区', '城中区', '城西区', '城北区', '湟中区', '大通回族土族自治县', '湟源县'],
  );
  assert.ok(xining.every((d) => d.parentCode === '630100'));
});

test('lists nothing under unknown parents or counties', () => {
  assert.deepEqual(listDivisions('639900'), []);
  assert.deepEqual(listDivisions('630102'), []);
  assert.deepEqual(listDivisions('abc'), []);
});

test('returns copies, so callers cannot corrupt the shared table', () => {
  const found = findDivision('630000');
  assert.ok(found);
  found.name = 'changed';
  const listed = listDivisions();
  listed.length = 0;
  assert.equal(findDivision('630000')?.name, '青海省');
  assert.equal(listDivisions().length, 31);
});
