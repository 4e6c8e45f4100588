export {
  residentIdCheckChar,
  isValidResidentId,
  completeResidentId,
  parseResidentId,
  type ResidentIdInfo,
  type ResidentIdOptions,
  type Sex,
} from './resident-id.js';
export { USCC_ALPHABET, usccCheckChar, isValidUscc, completeUscc } from './uscc.js';
export { orgCodeCheckChar, isValidOrgCode, completeOrgCode } from './org-code.js';
export {
  divisionLevel,
  findDivision,
  isValidDivisionCode,
  listDivisions,
  type Division,
  type DivisionLevel,
} from './division.js';
