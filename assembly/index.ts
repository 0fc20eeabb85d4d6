// The WASM core's only export surface: numbers in, status codes out, results in shared regions.
import {
  STATUS_OK, STATUS_TEMPLATE_PENDING, ERR_TRUNCATED, ERR_BAD_VERSION, ERR_TOO_LARGE, ERR_NOT_INITIALISED,
  ERR_BAD_SET_LENGTH, ERR_BAD_RECORD, INPUT_CAPACITY, STAT_DATAGRAMS, STAT_DATAGRAMS_REJECTED, STAT_ERR_TRUNCATED,
  STAT_ERR_BAD_VERSION, STAT_ERR_TOO_LARGE, STAT_ERR_BAD_SET_LENGTH, STAT_ERR_BAD_RECORD, BATCH_CAPACITY, BATCH_META_SIZE,
  STAT_LAST_ERROR_OFFSET, STAT_LAST_DOMAIN, STAT_LAST_TEMPLATE,
} from "./abi";
import { initRegions, initInput, inputPtr, statsPtr, count, selectExporter, allocRegion } from "./memory";
import { load16be } from "./bytes";
import { initTemplates, setReliable } from "./ipfix/templates";
import { decodeIpfix } from "./ipfix/message";
import { decodeV9 } from "./netflow/v9";
import { decodeV5 } from "./netflow/v5";
import { initState } from "./exporter/state";
import { initPending } from "./pending";
import { beginDatagram, fail, outcome, setMessageStart } from "./errors";
import { initHostTable, entriesPtr, windowEntries, clearWindow, flushStaged, dropStaged } from "./table/host-table";
import { initSketches } from "./table/sketch";
import { initFrameHosts } from "./table/frame-hosts";
import { initNetworks, setNetworks } from "./table/networks";
import { initFlowOutput, setDecodeMode, flowOutPtr, flowOutCount, flowOutDropped, resetFlowOut } from "./flow";
import { initEvents, setEventsEnabled, eventsPtr, eventsCount, resetEvents } from "./events";

// Every ABI constant is exported as a global, so that test/wasm/abi.test.ts can check the TS mirror.
export * from "./abi";
export { FLOW_OUT_SIZE, FLOW_OUT_CAPACITY } from "./flow";
export { EVENT_SIZE, EVENT_CAPACITY } from "./events";

let ready = false;
let batchSlots: usize = 0;
let batchMeta: usize = 0;
let batchIds: usize = 0;
let batchStatus: usize = 0;

// init allocates every region once. maxHosts: hosts per window; maxTemplates: over all exporters, at most
// templatesPerExporter each; maxExporters: exporter ids 1..maxExporters (0 is shared by the rest);
// templateLifetimeMs: templates not refreshed for this long expire (0: never); sketchBytes: memory for the
// distinct-count sketches of one window. Call once.
export function init(maxHosts: u32, maxTemplates: u32, maxExporters: u32, templatesPerExporter: u32, templateLifetimeMs: f64, sketchBytes: u32): i32 {
  if (ready) return STATUS_OK;
  initRegions(maxExporters);
  initTemplates(maxTemplates, maxExporters, templatesPerExporter, templateLifetimeMs);
  initState(maxExporters * 4);
  initPending();
  initHostTable(maxHosts);
  initSketches(sketchBytes);
  initFrameHosts();
  initFlowOutput();
  initEvents();
  initNetworks();
  batchSlots = allocRegion(<usize>BATCH_CAPACITY * INPUT_CAPACITY);
  batchMeta = allocRegion(<usize>BATCH_CAPACITY * BATCH_META_SIZE);
  batchIds = allocRegion(<usize>BATCH_CAPACITY << 2);
  batchStatus = allocRegion(<usize>BATCH_CAPACITY << 4);
  initInput(); // Last: it ends at the end of memory.
  ready = true;
  return STATUS_OK;
}

// inputAddress is where the input region starts; a datagram of len bytes goes to inputEnd() - len.
export function inputAddress(): usize { return inputPtr; }
// inputEnd is the end of the input region, which is the end of linear memory.
export function inputEnd(): usize { return inputPtr + INPUT_CAPACITY; }
// statsAddress is where the stats blocks live: all exporters, then exporter 1, 2, ...
export function statsAddress(): usize { return statsPtr; }
// entriesAddress is where closeWindow()'s entries can be read.
export function entriesAddress(): usize { return entriesPtr(); }

// ingest decodes the datagram of len bytes at the end of the input region, sent by exporterId, arriving
// at nowMs; reliable: it came over TCP, so its templates do not expire. NetFlow v5, v9 and IPFIX are
// told apart by the version field.
export function ingest(len: u32, exporterId: u32, nowMs: f64, reliable: bool): i32 {
  if (!ready) return ERR_NOT_INITIALISED;
  setReliable(reliable);
  selectExporter(exporterId);
  beginDatagram();
  dropStaged();
  count(STAT_DATAGRAMS);
  if (len > INPUT_CAPACITY) {
    fail(ERR_TOO_LARGE, inputPtr, 0, 0);
    return finish();
  }
  const msg = inputPtr + INPUT_CAPACITY - <usize>len;
  setMessageStart(msg);
  if (len < 2) fail(ERR_TRUNCATED, msg, 0, 0);
  else {
    const version = load16be(msg);
    if (version == 10) decodeIpfix(msg, <usize>len, exporterId, nowMs);
    else if (version == 9) decodeV9(msg, <usize>len, exporterId, nowMs);
    else if (version == 5) decodeV5(msg, <usize>len, exporterId, nowMs);
    else fail(ERR_BAD_VERSION, msg, 0, 0);
  }
  return finish();
}

// batchAddress, batchMetaAddress, batchIdsAddress and batchStatusAddress locate the batch regions.
export function batchAddress(): usize { return batchSlots; }
export function batchMetaAddress(): usize { return batchMeta; }
export function batchIdsAddress(): usize { return batchIds; }
export function batchStatusAddress(): usize { return batchStatus; }

// ingestBatch decodes the n datagrams of the batch region (UDP, arriving at nowMs), each as ingest()
// would from the input region, and writes each one's outcome (16 bytes: i32 status, then for a rejection
// the u32 byte offset, observation domain and template id of its error); one call for the whole batch.
export function ingestBatch(n: u32, nowMs: f64): i32 {
  if (!ready) return ERR_NOT_INITIALISED;
  if (n > BATCH_CAPACITY) n = BATCH_CAPACITY;
  for (let i: u32 = 0; i < n; i++) {
    let len = load<u32>(batchMeta + <usize>i * BATCH_META_SIZE);
    if (len > INPUT_CAPACITY) len = INPUT_CAPACITY + 1; // ingest() rejects it as too large.
    else memory.copy(inputPtr + INPUT_CAPACITY - <usize>len, batchSlots + <usize>i * INPUT_CAPACITY, <usize>len);
    const status = ingest(len, load<u32>(batchIds + (<usize>i << 2)), nowMs, false);
    const out = batchStatus + (<usize>i << 4);
    store<i32>(out, status);
    if (status != STATUS_OK && status != STATUS_TEMPLATE_PENDING) {
      store<u32>(out, <u32>load<u64>(statsPtr + (<usize>STAT_LAST_ERROR_OFFSET << 3)), 4);
      store<u32>(out, <u32>load<u64>(statsPtr + (<usize>STAT_LAST_DOMAIN << 3)), 8);
      store<u32>(out, <u32>load<u64>(statsPtr + (<usize>STAT_LAST_TEMPLATE << 3)), 12);
    }
  }
  return STATUS_OK;
}

function finish(): i32 {
  flushStaged(); // Before the next datagram selects its exporter's counts.
  const status = outcome();
  if (status != STATUS_OK && status != STATUS_TEMPLATE_PENDING) {
    count(STAT_DATAGRAMS_REJECTED);
    countError(status);
  }
  return status;
}

function countError(status: i32): void {
  switch (status) {
    case ERR_TRUNCATED: count(STAT_ERR_TRUNCATED); break;
    case ERR_BAD_VERSION: count(STAT_ERR_BAD_VERSION); break;
    case ERR_TOO_LARGE: count(STAT_ERR_TOO_LARGE); break;
    case ERR_BAD_SET_LENGTH: count(STAT_ERR_BAD_SET_LENGTH); break;
    case ERR_BAD_RECORD: count(STAT_ERR_BAD_RECORD); break;
    // ERR_BAD_TEMPLATE and ERR_BAD_COUNT are counted where they are found.
  }
}

// monitorNetworks takes n networks (32 bytes each: masked address key, then mask) staged in the input
// region; n = 0 makes every address a host.
export function monitorNetworks(n: u32): void {
  setNetworks(inputPtr, n);
}

// closeWindow returns how many entries the window has; read them at entriesAddress(), then clear().
export function closeWindow(): u32 {
  return windowEntries();
}

// encodeHosts, encodedAddress, encodedBytes, encodedRegisterSketches: the window's entries in the frame's
// wire form, between closeWindow() and clear() (table/frame-hosts.ts).
export { encodeHosts, encodedAddress, encodedBytes, encodedRegisterSketches } from "./table/frame-hosts";
// prefetchSum: exported only to keep the host table's prefetch loads (table/host-table.ts).
export { prefetchSum } from "./table/host-table";

// clear empties the host table for the next window.
export function clear(): void {
  clearWindow();
}

// decodeMode on: every decoded flow is also written to the record output (for `hostflow decode`).
export function decodeMode(on: bool): void {
  setDecodeMode(on);
  setEventsEnabled(on);
  resetFlowOut();
}
// eventsAddress and eventsTotal read the template and options events of the last ingest() calls.
export function eventsAddress(): usize { return eventsPtr(); }
export function eventsTotal(): u32 { return eventsCount(); }
export function eventsReset(): void { resetEvents(); }
// recordsAddress, recordsCount and recordsDropped read the record output of the last ingest() calls.
export function recordsAddress(): usize { return flowOutPtr(); }
export function recordsCount(): u32 { return flowOutCount(); }
export function recordsDropped(): u32 { return flowOutDropped(); }
// recordsReset empties the record output.
export function recordsReset(): void { resetFlowOut(); }
