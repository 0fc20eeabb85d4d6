// The outcome of one datagram: the first error (with its context in the stats region) or a pending note.
import { setStat } from "./memory";
import { STATUS_OK, STATUS_TEMPLATE_PENDING, STAT_LAST_ERROR_OFFSET, STAT_LAST_DOMAIN, STAT_LAST_TEMPLATE } from "./abi";

let firstError: i32 = STATUS_OK;
let messageStart: usize = 0; // Where the datagram starts: error offsets are relative to it.
let pending = false;

// beginDatagram forgets the previous datagram's outcome.
export function beginDatagram(): void {
  firstError = STATUS_OK;
  pending = false;
  setStat(STAT_LAST_ERROR_OFFSET, 0);
}

// setMessageStart says where the datagram being decoded starts.
export function setMessageStart(p: usize): void {
  messageStart = p;
}

// fail records an error at input address at; the first one decides the datagram's status and context.
export function fail(code: i32, at: usize, domain: u32, templateId: u32): void {
  if (firstError != STATUS_OK) return;
  setStat(STAT_LAST_ERROR_OFFSET, at >= messageStart ? <u64>(at - messageStart) : 0);
  setStat(STAT_LAST_DOMAIN, <u64>domain);
  setStat(STAT_LAST_TEMPLATE, <u64>templateId);
  firstError = code;
}

// notePending records that a data set waits for its template.
export function notePending(): void {
  pending = true;
}

// outcome is the datagram's status.
export function outcome(): i32 {
  if (firstError != STATUS_OK) return firstError;
  return pending ? STATUS_TEMPLATE_PENDING : STATUS_OK;
}
