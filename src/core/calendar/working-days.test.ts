import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  WorkingDayCalendar,
  addCalendarDays,
  coversYear,
  isValidDate,
  toShanghaiDate,
  todayInShanghai,
  type DayKind,
} from './index.js';

/**
 * The official 2026 schedule, 国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04,
 * https://www.gov.cn/zhengce/zhengceku/202511/content_7047091.htm). Pinned here independently of the
 * package, so a wrong or changed package dataset fails these tests.
 */
const HOLIDAYS_2026: ReadonlyArray<[name: string, first: string, last: string]> = [
  ['元旦', '2026-01-01', '2026-01-03'],
  ['春节', '2026-02-15', '2026-02-23'],
  ['清明', '2026-04-04', '2026-04-06'],
  ['劳动节', '2026-05-01', '2026-05-05'],
  ['端午', '2026-06-19', '2026-06-21'],
  ['中秋', '2026-09-25', '2026-09-27'],
  ['国庆节', '2026-10-01', '2026-10-07'],
];
/** 调休: weekend days that are working days. */
const ADJUSTED_WORKDAYS_2026 = ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'];

function range(first: string, last: string): string[] {
  const out: string[] = [];
  for (let d = first; d <= last; d = addCalendarDays(d, 1)) out.push(d);
  return out;
}

const cal = new WorkingDayCalendar();

test('the whole of 2026 matches the State Council notice', () => {
  const offDays = new Map<string, string>();
  for (const [name, first, last] of HOLIDAYS_2026) for (const d of range(first, last)) offDays.set(d, name);
  const adjusted = new Set(ADJUSTED_WORKDAYS_2026);
  for (const day of cal.listDays('2026-01-01', '2026-12-31')) {
    const weekday = new Date(`${day.date}T00:00:00Z`).getUTCDay();
    const weekend = weekday === 0 || weekday === 6;
    let expected: DayKind = weekend ? 'weekend' : 'workday';
    if (offDays.has(day.date)) expected = 'holiday';
    if (adjusted.has(day.date)) expected = 'adjusted_workday';
    assert.equal(day.kind, expected, day.date);
    assert.equal(day.isWorkingDay, expected === 'workday' || expected === 'adjusted_workday', day.date);
    if (offDays.has(day.date)) assert.equal(day.holidayName, offDays.get(day.date), day.date);
  }
  // 261 weekdays − 19 weekday holidays + 6 调休 days.
  assert.equal(cal.workingDaysBetween('2025-12-31', '2026-12-31'), 248);
});

test('20th working day after 2026-09-28 is 2026-10-30 (National Day, 10-10 调休 Saturday)', () => {
  assert.equal(cal.addWorkingDays('2026-09-28', 20), '2026-10-30');
  assert.equal(cal.addWorkingDays('2026-09-28', 1), '2026-09-29');
  assert.equal(cal.addWorkingDays('2026-09-28', 3), '2026-10-08');
  assert.equal(cal.addWorkingDays('2026-09-28', 5), '2026-10-10');
  assert.equal(cal.addWorkingDays('2026-09-28', 6), '2026-10-12');
  assert.equal(cal.workingDaysBetween('2026-09-28', '2026-10-30'), 20);
});

test('Spring Festival 2026: 02-15..02-23 off, Saturdays 02-14 and 02-28 working', () => {
  assert.equal(cal.addWorkingDays('2026-02-13', 1), '2026-02-14');
  assert.equal(cal.addWorkingDays('2026-02-14', 1), '2026-02-24');
  assert.equal(cal.workingDaysBetween('2026-02-13', '2026-02-28'), 6); // 02-14, 02-24..02-27, 02-28
  const festival = cal.describe('2026-02-17');
  assert.deepEqual(festival, { date: '2026-02-17', isWorkingDay: false, kind: 'holiday', holidayName: '春节' });
  assert.equal(cal.describe('2026-02-23').kind, 'holiday'); // a Monday, 正月初七
  assert.equal(cal.isWorkingDay('2026-03-01'), false); // the Sunday after 02-28 is an ordinary weekend day
});

test('调休 Saturdays and Sundays are working days', () => {
  for (const d of ADJUSTED_WORKDAYS_2026) {
    const info = cal.describe(d);
    assert.equal(info.isWorkingDay, true, d);
    assert.equal(info.kind, 'adjusted_workday', d);
    assert.equal(cal.isWorkingDay(d), true, d);
  }
  assert.equal(cal.describe('2026-01-04').holidayName, '元旦'); // Sunday
  assert.equal(cal.describe('2026-09-20').holidayName, '国庆节'); // Sunday
  assert.equal(cal.addWorkingDays('2026-09-18', 1), '2026-09-20');
  assert.equal(cal.isWorkingDay('2026-09-19'), false);
});

test('an override making a weekday off moves the deadline by one working day', () => {
  const c = new WorkingDayCalendar([{ date: '2026-10-20', isWorkingDay: false, note: '台风停工' }]);
  // 10-30 (Fri) → 10-31 and 11-01 are the weekend → 11-02.
  assert.equal(c.addWorkingDays('2026-09-28', 20), '2026-11-02');
  assert.equal(c.workingDaysBetween('2026-09-28', '2026-11-02'), 20);
  assert.deepEqual(c.describe('2026-10-20'), {
    date: '2026-10-20',
    isWorkingDay: false,
    kind: 'holiday',
    override: { date: '2026-10-20', isWorkingDay: false, note: '台风停工' },
  });
});

test('an override making a Sunday a working day counts', () => {
  const c = new WorkingDayCalendar([{ date: '2026-10-18', isWorkingDay: true, note: '集中办理' }]);
  assert.equal(c.addWorkingDays('2026-09-28', 20), '2026-10-29');
  const info = c.describe('2026-10-18');
  assert.equal(info.kind, 'adjusted_workday');
  assert.equal(info.isWorkingDay, true);
  assert.equal(info.override?.note, '集中办理');
});

test('overrides win over the official schedule, both ways; the last one for a date wins', () => {
  const c = new WorkingDayCalendar([
    { date: '2026-10-10', isWorkingDay: false, note: '不补班' }, // official 调休 Saturday
    { date: '2026-10-05', isWorkingDay: false, note: 'first' },
    { date: '2026-10-05', isWorkingDay: true, note: '值班' }, // official National Day holiday
  ]);
  const sat = c.describe('2026-10-10');
  assert.equal(sat.isWorkingDay, false);
  assert.equal(sat.kind, 'weekend');
  const mon = c.describe('2026-10-05');
  assert.equal(mon.isWorkingDay, true);
  assert.equal(mon.kind, 'adjusted_workday');
  assert.equal(mon.override?.note, '值班');
  assert.equal(c.addWorkingDays('2026-09-30', 1), '2026-10-05');
  // The default calendar is unaffected.
  assert.equal(cal.isWorkingDay('2026-10-10'), true);
});

test('workingDaysBetween is consistent with addWorkingDays for every start date of a year', () => {
  const calendars = [
    cal,
    new WorkingDayCalendar([
      { date: '2026-03-18', isWorkingDay: false, note: 'x' },
      { date: '2026-08-09', isWorkingDay: true, note: 'y' },
      { date: '2026-10-05', isWorkingDay: true, note: 'z' },
    ]),
  ];
  for (const c of calendars) {
    for (const from of range('2025-12-01', '2026-12-31')) {
      for (const k of [1, 2, 5, 10, 20, 30]) {
        const due = c.addWorkingDays(from, k);
        assert.equal(c.isWorkingDay(due), true, `${from}+${k}`);
        assert.equal(c.workingDaysBetween(from, due), k, `${from}+${k}`);
        // The day before the deadline is still short of k: the deadline is the first such day.
        assert.equal(c.workingDaysBetween(from, addCalendarDays(due, -1)), k - 1, `${from}+${k}`);
        assert.equal(c.workingDaysBetween(due, from), -k);
      }
    }
  }
  assert.equal(cal.workingDaysBetween('2026-06-01', '2026-06-01'), 0);
});

test('long spans agree with day-by-day counting', () => {
  let slow = 0;
  for (const d of range('2019-01-02', '2027-06-30')) if (cal.isWorkingDay(d)) slow += 1;
  assert.equal(cal.workingDaysBetween('2019-01-01', '2027-06-30'), slow);
  assert.equal(cal.workingDaysBetween('2019-01-01', cal.addWorkingDays('2019-01-01', 3650)), 3650);
});

test('listDays kinds around National Day 2026', () => {
  const days = cal.listDays('2026-09-19', '2026-10-11');
  assert.equal(days.length, 23);
  const kinds = Object.fromEntries(days.map((d) => [d.date, d.kind]));
  assert.equal(kinds['2026-09-19'], 'weekend');
  assert.equal(kinds['2026-09-20'], 'adjusted_workday');
  assert.equal(kinds['2026-09-21'], 'workday');
  assert.equal(kinds['2026-09-25'], 'holiday'); // 中秋 Friday
  assert.equal(kinds['2026-09-26'], 'holiday'); // 中秋 Saturday: inside the holiday, so holiday
  assert.equal(kinds['2026-09-28'], 'workday');
  for (const d of range('2026-10-01', '2026-10-07')) assert.equal(kinds[d], 'holiday', d);
  assert.equal(kinds['2026-10-08'], 'workday');
  assert.equal(kinds['2026-10-10'], 'adjusted_workday');
  assert.equal(kinds['2026-10-11'], 'weekend');
  // 09-20, 09-21..24, 09-28..30, 10-08..10.
  assert.equal(days.filter((d) => d.isWorkingDay).length, 11);
  assert.equal(cal.listDays('2026-01-01', '2026-01-01').length, 1);
  assert.equal(cal.listDays('2026-01-01', addCalendarDays('2026-01-01', 399)).length, 400);
  assert.throws(() => cal.listDays('2026-01-01', addCalendarDays('2026-01-01', 400)), RangeError);
  assert.throws(() => cal.listDays('2026-01-02', '2026-01-01'), RangeError);
});

test('coverage: years outside the data fall back to weekends only', () => {
  assert.equal(coversYear(2004), true);
  assert.equal(coversYear(2025), true);
  assert.equal(coversYear(2026), true);
  assert.equal(coversYear(2003), false);
  assert.equal(coversYear(2027), false);
  // 2027-01-01 is a Friday; without a published schedule it is an ordinary working day.
  assert.deepEqual(cal.describe('2027-01-01'), { date: '2027-01-01', isWorkingDay: true, kind: 'workday' });
  assert.equal(cal.describe('2027-01-02').kind, 'weekend');
  assert.equal(cal.addWorkingDays('2026-12-31', 1), '2027-01-01');
  // Overrides still apply there, which is how an administrator fills in a year before an upgrade.
  const c = new WorkingDayCalendar([{ date: '2027-01-01', isWorkingDay: false, note: '元旦' }]);
  assert.equal(c.addWorkingDays('2026-12-31', 1), '2027-01-04');
});

test('an earlier year from the package data: 2025 National Day and Mid-Autumn', () => {
  assert.equal(cal.describe('2025-10-08').kind, 'holiday');
  assert.equal(cal.describe('2025-09-28').kind, 'adjusted_workday');
  assert.equal(cal.describe('2025-10-11').kind, 'adjusted_workday');
});

test('Shanghai dates from instants', () => {
  assert.equal(toShanghaiDate(new Date('2026-09-30T17:00:00Z')), '2026-10-01');
  assert.equal(toShanghaiDate(new Date('2026-09-30T15:59:59.999Z')), '2026-09-30');
  assert.equal(toShanghaiDate(new Date('2026-09-30T16:00:00Z')), '2026-10-01');
  assert.equal(toShanghaiDate(new Date('2026-12-31T16:00:00Z')), '2027-01-01');
  assert.equal(todayInShanghai(new Date('2026-02-16T20:00:00Z')), '2026-02-17');
  assert.equal(isValidDate(todayInShanghai()), true);
  assert.throws(() => toShanghaiDate(new Date('nope')), RangeError);
});

test('results do not depend on the process time zone', () => {
  const saved = process.env.TZ;
  try {
    for (const tz of ['America/Los_Angeles', 'Pacific/Kiritimati', 'UTC']) {
      process.env.TZ = tz;
      const c = new WorkingDayCalendar();
      assert.equal(c.addWorkingDays('2026-09-28', 20), '2026-10-30', tz);
      assert.equal(c.describe('2026-10-10').kind, 'adjusted_workday', tz);
      assert.equal(c.describe('2026-10-11').kind, 'weekend', tz);
      assert.equal(toShanghaiDate(new Date('2026-09-30T17:00:00Z')), '2026-10-01', tz);
      assert.equal(addCalendarDays('2026-03-28', 2), '2026-03-30', tz);
    }
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
});

test('date validation and calendar arithmetic', () => {
  assert.equal(isValidDate('2026-02-28'), true);
  assert.equal(isValidDate('2024-02-29'), true);
  assert.equal(isValidDate('2000-02-29'), true);
  for (const bad of ['2026-02-29', '1900-02-29', '2026-13-01', '2026-00-10', '2026-04-31', '2026-4-1', '2026-04-01T00:00', ' 2026-04-01', '0000-01-01', '', 20260401, null]) {
    assert.equal(isValidDate(bad), false, String(bad));
  }
  assert.equal(addCalendarDays('2026-02-28', 1), '2026-03-01');
  assert.equal(addCalendarDays('2024-02-28', 1), '2024-02-29');
  assert.equal(addCalendarDays('2026-12-31', 1), '2027-01-01');
  assert.equal(addCalendarDays('2026-01-01', -1), '2025-12-31');
  assert.equal(addCalendarDays('0099-12-31', 1), '0100-01-01');
  assert.equal(addCalendarDays('2026-05-05', 0), '2026-05-05');
  assert.throws(() => addCalendarDays('2026-05-05', 0.5), RangeError);
  assert.throws(() => addCalendarDays('9999-12-31', 1), RangeError);
  assert.throws(() => addCalendarDays('2026-02-30', 1), RangeError);
});

test('RangeError on invalid input', () => {
  for (const days of [0, -1, 1.5, 3651, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(() => cal.addWorkingDays('2026-09-28', days), RangeError, String(days));
  }
  assert.equal(cal.addWorkingDays('2026-09-28', 3650) > '2040-01-01', true);
  assert.throws(() => cal.addWorkingDays('2026-9-28', 1), RangeError);
  assert.throws(() => cal.addWorkingDays('9999-12-31', 1), RangeError);
  assert.throws(() => cal.describe('2026-02-29'), RangeError);
  assert.throws(() => cal.isWorkingDay('tomorrow'), RangeError);
  assert.throws(() => cal.workingDaysBetween('2026-01-01', '2026-01-32'), RangeError);
  assert.throws(() => new WorkingDayCalendar([{ date: '2026/10/01', isWorkingDay: true, note: '' }]), RangeError);
});
