// Decisions are written by the records room (src/records/); kept here so gates' callers keep one import.
export { DECISIONS, flushDecisions, hashOf, osUser, recordDecision, type DecisionKind, type DecisionRecord } from '../records/decision-record.js';
