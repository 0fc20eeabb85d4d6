// The WASM core's only export surface: numbers in, status codes out, results in shared regions.
import {
  STATUS_OK, STATUS_TEMPLATE_PENDING, ERR_TRUNCATED, ERR_BAD_VERSION, ERR_TOO_LARGE, ERR_NOT_INITIALISED,
  ERR_BAD_SET_LENGTH, ERR_BAD_RECORD, INPUT_CAPACITY,
  STAT_DATAGRAMS, STAT_DATAGRAMS_REJECTED, STAT_ERR_TRUNCATED, STAT_ERR_BAD_VERSION, STAT_ERR_TOO_LARGE,
  STAT_ERR_BAD_SET_LENGTH, STAT_ERR_BAD_RECORD, STAT_LAST_ERROR_OFFSET, STAT_LAST_DOMAIN, STAT_LAST_TEMPLATE,
} from "./abi";
import { initRegions, inputPtr, statsPtr, count, setStat } from "./memory";
import { load16be } from "./bytes";
import { initTemplates } from "./ipfix/templates";
import { decodeIpfix } from "./ipfix/message";
import { initHostTable, entriesPtr, windowEntries, clearWindow } from "./table/host-table";

// Every ABI constant is exported as a global, so that test/wasm/abi.test.ts can check the TS mirror.
export * from "./abi";

const IPFIX_VERSION: u32 = 10;
let ready = false;

// init allocates every region once: maxHosts hosts per window, maxTemplates templates. Call once.
export function init(maxHosts: u32, maxTemplates: u32): i32 {
  if (ready) return STATUS_OK;
  initRegions();
  initTemplates(maxTemplates);
  initHostTable(maxHosts);
  ready = true;
  return STATUS_OK;
}

// inputAddress is where the host copies a datagram before ingest().
export function inputAddress(): usize { return inputPtr; }
// statsAddress is where the STAT_COUNT u64 counters live.
export function statsAddress(): usize { return statsPtr; }
// entriesAddress is where closeWindow()'s entries can be read.
export function entriesAddress(): usize { return entriesPtr(); }

// ingest decodes the datagram of len bytes in the input region, sent by exporterId, arriving at nowMs.
export function ingest(len: u32, exporterId: u32, nowMs: f64): i32 {
  if (!ready) return ERR_NOT_INITIALISED;
  count(STAT_DATAGRAMS);
  let status: i32;
  if (len > INPUT_CAPACITY) {
    clearErrorContext();
    status = ERR_TOO_LARGE;
  } else if (len < 2) {
    clearErrorContext();
    status = ERR_TRUNCATED;
  } else if (load16be(inputPtr) == IPFIX_VERSION) {
    status = decodeIpfix(<usize>len, exporterId, nowMs);
  } else {
    clearErrorContext();
    status = ERR_BAD_VERSION;
  }
  if (status != STATUS_OK && status != STATUS_TEMPLATE_PENDING) {
    count(STAT_DATAGRAMS_REJECTED);
    countError(status);
  }
  return status;
}

function clearErrorContext(): void {
  setStat(STAT_LAST_ERROR_OFFSET, 0);
  setStat(STAT_LAST_DOMAIN, 0);
  setStat(STAT_LAST_TEMPLATE, 0);
}

function countError(status: i32): void {
  switch (status) {
    case ERR_TRUNCATED: count(STAT_ERR_TRUNCATED); break;
    case ERR_BAD_VERSION: count(STAT_ERR_BAD_VERSION); break;
    case ERR_TOO_LARGE: count(STAT_ERR_TOO_LARGE); break;
    case ERR_BAD_SET_LENGTH: count(STAT_ERR_BAD_SET_LENGTH); break;
    case ERR_BAD_RECORD: count(STAT_ERR_BAD_RECORD); break;
    // ERR_BAD_TEMPLATE is counted where it is found, once per bad template.
  }
}

// closeWindow returns how many entries the window has; read them at entriesAddress(), then clear.
export function closeWindow(): u32 {
  return windowEntries();
}

// clear empties the host table for the next window.
export function clear(): void {
  clearWindow();
}
