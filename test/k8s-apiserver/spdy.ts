// Server side of SPDY/3.1 as kubectl's port-forward speaks it (moby/spdystream under client-go), over
// any byte pipe: a raw upgraded socket (the SPDY fallback) or the binary messages of a WebSocket
// tunnel ("SPDY/3.1+portforward.k8s.io", kubectl >= 1.31). Only what a port-forward needs: SYN_STREAM
// in, SYN_REPLY / DATA / RST_STREAM out, PING echoed. spdystream does no flow control, so
// WINDOW_UPDATE and SETTINGS are read and ignored.
import { constants as zlibConstants, inflateSync } from 'node:zlib';

const VERSION = 3;
const TYPE_SYN_STREAM = 1;
const TYPE_SYN_REPLY = 2;
const TYPE_RST_STREAM = 3;
const TYPE_PING = 6;
const TYPE_GOAWAY = 7;
const FLAG_FIN = 0x01;
/** Largest DATA payload we send; spdystream allows 2^24-1, smaller frames keep latency even. */
const MAX_DATA_BYTES = 64 * 1024;

/**
 * The SPDY/3 header compression dictionary (SPDY draft 3, section 2.6.10.1): length-prefixed header
 * names, then a run of common values. Both ends prime zlib with it; its Adler-32 is 0xe3c6a7c2.
 */
export const SPDY3_DICTIONARY: Buffer = (() => {
  const names = [
    'options',
    'head',
    'post',
    'put',
    'delete',
    'trace',
    'accept',
    'accept-charset',
    'accept-encoding',
    'accept-language',
    'accept-ranges',
    'age',
    'allow',
    'authorization',
    'cache-control',
    'connection',
    'content-base',
    'content-encoding',
    'content-language',
    'content-length',
    'content-location',
    'content-md5',
    'content-range',
    'content-type',
    'date',
    'etag',
    'expect',
    'expires',
    'from',
    'host',
    'if-match',
    'if-modified-since',
    'if-none-match',
    'if-range',
    'if-unmodified-since',
    'last-modified',
    'location',
    'max-forwards',
    'pragma',
    'proxy-authenticate',
    'proxy-authorization',
    'range',
    'referer',
    'retry-after',
    'server',
    'te',
    'trailer',
    'transfer-encoding',
    'upgrade',
    'user-agent',
    'vary',
    'via',
    'warning',
    'www-authenticate',
    'method',
    'get',
    'status',
    '200 OK',
    'version',
    'HTTP/1.1',
    'url',
    'public',
    'set-cookie',
    'keep-alive',
    'origin',
  ];
  const tail =
    '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505' +
    '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized' +
    '403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable' +
    'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT' +
    'chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,' +
    'text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.';
  const parts: Buffer[] = [];
  for (const name of names) {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(name.length);
    parts.push(length, Buffer.from(name, 'latin1'));
  }
  parts.push(Buffer.from(tail, 'latin1'));
  return Buffer.concat(parts);
})();

/** Adler-32, for the zlib DICTID of the header stream we write. */
export function adler32(data: Buffer): number {
  let a = 1;
  let b = 0;
  for (const byte of data) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

export function encodeHeaderBlock(headers: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  const count = Buffer.alloc(4);
  count.writeUInt32BE(Object.keys(headers).length);
  parts.push(count);
  for (const [name, value] of Object.entries(headers)) {
    for (const text of [name.toLowerCase(), value]) {
      const bytes = Buffer.from(text, 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32BE(bytes.length);
      parts.push(length, bytes);
    }
  }
  return Buffer.concat(parts);
}

export function decodeHeaderBlock(block: Buffer): Record<string, string> {
  const headers: Record<string, string> = {};
  let offset = 0;
  const count = block.readUInt32BE(offset);
  offset += 4;
  for (let i = 0; i < count; i++) {
    const nameLength = block.readUInt32BE(offset);
    const name = block.subarray(offset + 4, offset + 4 + nameLength).toString('utf8');
    offset += 4 + nameLength;
    const valueLength = block.readUInt32BE(offset);
    headers[name] = block.subarray(offset + 4, offset + 4 + valueLength).toString('utf8');
    offset += 4 + valueLength;
  }
  return headers;
}

/**
 * The compressed header stream of one direction of one connection. Reading: the peer's zlib stream
 * spans every header block of the connection (sync-flushed per frame), so we keep all compressed bytes
 * and inflate the whole prefix each time, keeping the new output (header traffic is a few hundred
 * bytes per forwarded connection, so the quadratic cost never matters). Writing: a zlib header that
 * names the dictionary, then per header block one stored (uncompressed) deflate block and an empty one (a sync flush): valid zlib
 * that any inflater continues across frames, with no compressor state to keep.
 */
export class HeaderCodec {
  private inflatedBytes = 0;
  private compressedIn: Buffer[] = [];
  private wroteZlibHeader = false;

  inflate(chunk: Buffer): Buffer {
    this.compressedIn.push(chunk);
    const all = inflateSync(Buffer.concat(this.compressedIn), {
      dictionary: SPDY3_DICTIONARY,
      finishFlush: zlibConstants.Z_SYNC_FLUSH,
    });
    const fresh = all.subarray(this.inflatedBytes);
    this.inflatedBytes = all.length;
    return fresh;
  }

  deflate(block: Buffer): Buffer {
    const parts: Buffer[] = [];
    if (!this.wroteZlibHeader) {
      this.wroteZlibHeader = true;
      const header = Buffer.alloc(6);
      header[0] = 0x78; // deflate, 32 KiB window
      header[1] = 0xf9; // FDICT set; FCHECK makes the pair a multiple of 31
      header.writeUInt32BE(adler32(SPDY3_DICTIONARY), 2);
      parts.push(header);
    }
    const stored = Buffer.alloc(5);
    stored[0] = 0x00; // BFINAL=0, BTYPE=00 (stored), padded to the byte boundary
    stored.writeUInt16LE(block.length, 1);
    stored.writeUInt16LE(~block.length & 0xffff, 3);
    // An empty stored block ends the frame, as Z_SYNC_FLUSH does: inflaters hand out a block's bytes
    // only once they have seen the next block header.
    parts.push(stored, block, Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]));
    return Buffer.concat(parts);
  }
}

export interface SpdyStream {
  id: number;
  headers: Record<string, string>;
  /** Data the client sent on this stream. */
  onData: (data: Buffer) => void;
  /** The client half-closed (FIN) or reset the stream. */
  onEnd: (reset: boolean) => void;
  write(data: Buffer): void;
  /** Half-close our side (DATA with FIN). */
  end(): void;
  reset(): void;
}

/**
 * One SPDY session. `send` writes bytes to the peer; feed received bytes to `receive`. `onStream` is
 * called for every SYN_STREAM, after the SYN_REPLY went out.
 */
export class SpdySession {
  private buffered: Buffer = Buffer.alloc(0);
  private readonly codec = new HeaderCodec();
  private readonly streams = new Map<number, SpdyStream & { finSent: boolean }>();
  private closed = false;

  constructor(
    private readonly sendRaw: (bytes: Buffer) => void,
    private readonly onStream: (stream: SpdyStream) => void,
  ) {}

  private send(bytes: Buffer): void {
    if (process.env.HS_SPDY_DEBUG) console.error('SPDY out', bytes.subarray(0, 40).toString('hex'));
    this.sendRaw(bytes);
  }

  receive(chunk: Buffer): void {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    while (this.buffered.length >= 8) {
      const length = this.buffered.readUInt32BE(4) & 0xffffff;
      if (this.buffered.length < 8 + length) return;
      const frame = this.buffered.subarray(0, 8 + length);
      this.buffered = this.buffered.subarray(8 + length);
      this.handleFrame(frame);
    }
  }

  /** Stops all streams (the transport is gone). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const stream of this.streams.values()) stream.onEnd(true);
    this.streams.clear();
  }

  private handleFrame(frame: Buffer): void {
    if (process.env.HS_SPDY_DEBUG) console.error('SPDY in', frame.subarray(0, 40).toString('hex'));
    const flags = frame[4]!;
    const payload = frame.subarray(8);
    if ((frame[0]! & 0x80) === 0) {
      const id = frame.readUInt32BE(0) & 0x7fffffff;
      const stream = this.streams.get(id);
      if (!stream) return;
      if (payload.length) stream.onData(Buffer.from(payload));
      if (flags & FLAG_FIN) stream.onEnd(false);
      return;
    }
    const type = frame.readUInt16BE(2);
    if (type === TYPE_SYN_STREAM) {
      const id = payload.readUInt32BE(0) & 0x7fffffff;
      const headers = decodeHeaderBlock(this.codec.inflate(payload.subarray(10)));
      const stream = this.createStream(id, headers);
      this.streams.set(id, stream);
      this.sendControl(
        TYPE_SYN_REPLY,
        0,
        Buffer.concat([u32(id), this.codec.deflate(encodeHeaderBlock({}))]),
      );
      this.onStream(stream);
      if (flags & FLAG_FIN) stream.onEnd(false);
    } else if (type === TYPE_RST_STREAM) {
      const id = payload.readUInt32BE(0) & 0x7fffffff;
      const stream = this.streams.get(id);
      this.streams.delete(id);
      stream?.onEnd(true);
    } else if (type === TYPE_PING) {
      this.send(Buffer.from(frame)); // echo: the client checks the connection is alive
    } else if (type === TYPE_GOAWAY) {
      this.close();
    }
  }

  private createStream(id: number, headers: Record<string, string>): SpdyStream & { finSent: boolean } {
    const stream = {
      id,
      headers,
      finSent: false,
      onData: (_data: Buffer) => undefined,
      onEnd: (_reset: boolean) => undefined,
      write: (data: Buffer) => {
        if (stream.finSent || this.closed) return;
        for (let offset = 0; offset < data.length; offset += MAX_DATA_BYTES) {
          this.sendData(id, 0, data.subarray(offset, offset + MAX_DATA_BYTES));
        }
      },
      end: () => {
        if (stream.finSent || this.closed) return;
        stream.finSent = true;
        this.sendData(id, FLAG_FIN, Buffer.alloc(0));
      },
      reset: () => {
        if (this.closed) return;
        this.streams.delete(id);
        this.sendControl(TYPE_RST_STREAM, 0, Buffer.concat([u32(id), u32(5 /* CANCEL */)]));
      },
    };
    return stream;
  }

  private sendControl(type: number, flags: number, payload: Buffer): void {
    const header = Buffer.alloc(8);
    header.writeUInt16BE(0x8000 | VERSION, 0);
    header.writeUInt16BE(type, 2);
    header.writeUInt32BE(((flags << 24) | payload.length) >>> 0, 4);
    this.send(Buffer.concat([header, payload]));
  }

  private sendData(id: number, flags: number, data: Buffer): void {
    const header = Buffer.alloc(8);
    header.writeUInt32BE(id & 0x7fffffff, 0);
    header.writeUInt32BE(((flags << 24) | data.length) >>> 0, 4);
    this.send(Buffer.concat([header, data]));
  }
}

function u32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value >>> 0);
  return bytes;
}
