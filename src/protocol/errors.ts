/** Typed protocol errors: every refusal carries a PROTO_ERR_* code listed in docs/protocol.md. */

export type ProtocolErrorCode =
  | 'PROTO_ERR_TRUNCATED'
  | 'PROTO_ERR_BAD_MAGIC'
  | 'PROTO_ERR_BAD_VERSION'
  | 'PROTO_ERR_BAD_KIND'
  | 'PROTO_ERR_BAD_PROBE_ID'
  | 'PROTO_ERR_BAD_VARINT'
  | 'PROTO_ERR_BAD_FAMILY'
  | 'PROTO_ERR_BAD_MASK'
  | 'PROTO_ERR_BAD_WINDOW'
  | 'PROTO_ERR_BAD_TIME'
  | 'PROTO_ERR_TOO_MANY_STATS'
  | 'PROTO_ERR_TOO_MANY_EXPORTERS'
  | 'PROTO_ERR_TOO_MANY_HOSTS'
  | 'PROTO_ERR_BAD_SKETCH'
  | 'PROTO_ERR_BAD_FLAGS'
  | 'PROTO_ERR_TOO_MANY_SKETCHES'
  | 'PROTO_ERR_TRAILING_BYTES';

/** ProtocolError is a frame refused by the decoder; nothing of it is merged. */
export class ProtocolError extends Error {
  constructor(readonly code: ProtocolErrorCode, readonly reason: string, readonly offset: number) {
    super(`${code}: ${reason} at byte ${offset}`);
    this.name = 'ProtocolError';
  }
}
