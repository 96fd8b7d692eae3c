/** Account cases on PostgreSQL (issue 17): not written yet; every call fails until it is. */
import type { CaseStore } from '../cases/case-types.ts';

const notYet = (): never => {
  throw new Error('account cases on PostgreSQL are not built yet (branch cases-store, next commit)');
};

export const POSTGRES_CASES_PENDING: CaseStore = {
  groupAlerts: notYet,
  routeCases: notYet,
  assignCases: notYet,
  listCases: notYet,
  countCases: notYet,
  getCase: notYet,
  assignCase: notYet,
  addCaseNote: notYet,
  setCaseStatus: notYet,
  caseBacklog: notYet,
  caseOfTransaction: notYet,
};
