// The WASM core's only export surface: numbers in, status codes out, results in shared regions.
import {
  STATUS_OK, STATUS_TEMPLATE_PENDING, ERR_TRUNCATED, ERR_BAD_VERSION, ERR_TOO_LARGE, ERR_NOT_INITIALISED,
  ERR_BAD_SET_LENGTH, ERR_BAD_RECORD, INPUT_CAPACITY, STAT_DATAGRAMS, STAT_DATAGRAMS_REJECTED, STAT_ERR_TRUNCATED,
  STAT_ERR_BAD_VERSION, STAT_ERR_TOO_LARGE, STAT_ERR_BAD_SET_LENGTH, STAT_ERR_BAD_RECORD,
} from "./abi";
import { initRegions, initInput, inputPtr, statsPtr, count, selectExporter } from "./memory";
import { load16be } from "./bytes";
import { initTemplates, setReliable } from "./ipfix/templates";
import { decodeIpfix } from "./ipfix/message";
import { decodeV9 } from "./netflow/v9";
import { decodeV5 } from "./netflow/v5";
import { initState } from "./exporter/state";
import { initPending } from "./pending";
import { beginDatagram, fail, outcome, setMessageStart } from "./errors";
import { initHostTable, entriesPtr, windowEntries, clearWindow } from "./table/host-table";
import { initSketches } from "./table/sketch";
import { initNetworks, setNetworks } from "./table/networks";
import { initFlowOutput, setDecodeMode, flowOutPtr, flowOutCount, flowOutDropped, resetFlowOut } from "./flow";
import { initEvents, setEventsEnabled, eventsPtr, eventsCount, resetEvents } from "./events";

// Every ABI constant is exported as a global, so that test/wasm/abi.test.ts can check the TS mirror.
export * from "./abi";
export { FLOW_OUT_SIZE, FLOW_OUT_CAPACITY } from "./flow";
export { EVENT_SIZE, EVENT_CAPACITY } from "./events";

let ready = false;

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
  initFlowOutput();
  initEvents();
  initNetworks();
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

function finish(): i32 {
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
