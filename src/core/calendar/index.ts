export {
  WorkingDayCalendar,
  addCalendarDays,
  coversYear,
  isValidDate,
  toShanghaiDate,
  todayInShanghai,
  type DayInfo,
  type DayKind,
  type Override,
} from './working-days.js';
