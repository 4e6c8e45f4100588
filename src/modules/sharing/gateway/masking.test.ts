import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mask, maskRecord, maskValue } from './masking.js';

describe('masking (脱敏)', () => {
  test('a name keeps its first character', () => {
    assert.equal(mask('name', '张三'), '张*');
    assert.equal(mask('name', '欧阳娜娜'), '欧***');
    assert.equal(mask('name', '才让多杰'), '才***');
    // A character outside the BMP counts as one.
    assert.equal(mask('name', '𠮷野家'), '𠮷**');
    assert.equal(mask('name', ''), '');
  });

  test('a resident ID keeps the division and the last four', () => {
    assert.equal(mask('resident_id', '630102199003070011'), '630102********0011');
    assert.equal(mask('resident_id', '63010219900307001X'), '630102********001X');
    // The old 15-digit numbers too; anything too short to keep both ends is all stars.
    assert.equal(mask('resident_id', '630102900307001'), '630102*****7001');
    assert.equal(mask('resident_id', '6301021'), '*******');
  });

  test('a mobile number keeps 3 + 4; other phones their last four digits', () => {
    assert.equal(mask('phone', '13812345678'), '138****5678');
    assert.equal(mask('phone', '+86 138 1234 5678'), '138****5678');
    assert.equal(mask('phone', '0971-8123456'), '****-***3456');
    assert.equal(mask('phone', '8123'), '****');
  });

  test('a bank card keeps its first and last four', () => {
    assert.equal(mask('bank_card', '6222021234567890123'), '6222***********0123');
    assert.equal(mask('bank_card', '6222 0212 3456 7890'), '6222********7890');
    assert.equal(mask('bank_card', '12345678'), '********');
  });

  test('an email keeps the first character and the domain', () => {
    assert.equal(mask('email', 'zhangsan@example.org'), 'z***@example.org');
    assert.equal(mask('email', '李四@政务.中国'), '李***@政务.中国');
    assert.equal(mask('email', 'no-at-sign'), 'n***');
  });

  test('an address is cut after the district', () => {
    assert.equal(mask('address', '青海省西宁市城东区八一路12号'), '青海省西宁市城东区');
    assert.equal(mask('address', '青海省海西蒙古族藏族自治州格尔木市昆仑路5号'), '青海省海西蒙古族藏族自治州格尔木市');
    assert.equal(mask('address', '青海省海北藏族自治州门源回族自治县浩门镇团结路1号'), '青海省海北藏族自治州门源回族自治县');
    assert.equal(mask('address', '北京市朝阳区建国路88号'), '北京市朝阳区');
    assert.equal(mask('address', '内蒙古自治区呼和浩特市新城区中山路3号'), '内蒙古自治区呼和浩特市新城区');
    assert.equal(mask('address', '内蒙古自治区锡林郭勒盟正蓝旗上都镇'), '内蒙古自治区锡林郭勒盟正蓝旗');
    assert.equal(mask('address', '甘肃省兰州市城关区庆阳路'), '甘肃省兰州市城关区');
    // 小区 and 园区 are not districts: without a district, the first six characters.
    assert.equal(mask('address', '青海省西宁市南大街12号阳光小区3栋'), '青海省西宁市');
    assert.equal(mask('address', '西宁市城西区胜利路'), '西宁市城西区');
  });

  test('redact gives null, none the value as stored, null stays null', () => {
    assert.equal(mask('redact', '张三'), null);
    assert.equal(mask('none', '张三'), '张三');
    assert.equal(mask('name', null), null);
    assert.equal(maskValue('none', 42), 42);
    assert.equal(maskValue('phone', 13812345678), '138****5678');
    assert.equal(maskValue('redact', 42), null);
    assert.equal(maskValue('name', undefined), null);
  });

  test('a record keeps the listed columns only, each by its rule; a column without a rule is redacted', () => {
    const record = { resident_id: '630102199003070011', full_name: '张三', phone: '13812345678', secret: 'x' };
    assert.deepEqual(maskRecord(record, ['full_name', 'resident_id', 'phone'], { full_name: 'name', resident_id: 'resident_id' }), {
      full_name: '张*',
      resident_id: '630102********0011',
      phone: null,
    });
  });
});
