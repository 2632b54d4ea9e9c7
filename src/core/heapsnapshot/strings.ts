// The snapshot's string table, kept as the raw JSON bytes of each string (escapes intact) with one
// offset per string. Decoding millions of strings up front costs seconds and hundreds of MB; most
// analyses touch only the few thousand names they print, so strings are decoded on first use.

/** WeakMap ephemeron edge names start with a digit and end with ')' (see HeapSnapshot.nameRules). */
const CLOSING_PAREN = 0x29;
/** The name of external string data: native nodes that DevTools folds into their owner. */
const EXTERNAL_BYTES = Buffer.from('system / ExternalStringData', 'utf8');
const EXTERNAL_LAST = EXTERNAL_BYTES[EXTERNAL_BYTES.length - 1];

export class StringTable {
  private bytes: Buffer;
  /**
   * The strings the analysis's name rules look at, noted as each string arrives (its bytes are in
   * the cache then: a loop over a finished table of 2M strings cost 10-20 ms on the analysis's
   * critical path).
   */
  private readonly digitLedParenNames: number[] = [];
  private readonly externalDataNames: number[] = [];
  private byteLength = 0;
  /** starts[i]..starts[i+1] are the raw bytes of string i. */
  private starts: Uint32Array;
  private countValue = 0;
  private readonly cache = new Map<number, string>();

  constructor(initialBytes = 1 << 16, initialCount = 1 << 12) {
    this.bytes = Buffer.allocUnsafe(initialBytes);
    this.starts = new Uint32Array(initialCount + 1);
  }

  get count(): number {
    return this.countValue;
  }

  /** Raw bytes held (for memory accounting). */
  get sizeBytes(): number {
    return this.bytes.length + this.starts.byteLength;
  }

  /** Appends raw (still JSON-escaped) bytes to the string being read. */
  append(source: Uint8Array, start: number, end: number): void {
    const length = end - start;
    if (length <= 0) return;
    if (this.byteLength + length > this.bytes.length) {
      let size = this.bytes.length * 2;
      while (size < this.byteLength + length) size *= 2;
      const grown = Buffer.allocUnsafe(size);
      this.bytes.copy(grown, 0, 0, this.byteLength);
      this.bytes = grown;
    }
    this.bytes.set(source.subarray(start, end), this.byteLength);
    this.byteLength += length;
  }

  /**
   * Room for `extra` more raw bytes: the tokenizer copies string bytes straight into the returned
   * buffer from `byteLength` on (one reservation per chunk instead of a slice per string), then
   * calls endString / setByteLength.
   */
  reserve(extra: number): Buffer {
    if (this.byteLength + extra > this.bytes.length) {
      const size = Math.max(this.bytes.length * 2, this.byteLength + extra);
      const grown = Buffer.allocUnsafe(size);
      this.bytes.copy(grown, 0, 0, this.byteLength);
      this.bytes = grown;
    }
    return this.bytes;
  }

  /** Raw bytes written so far (the write position for reserve()). */
  get rawByteLength(): number {
    return this.byteLength;
  }

  /** Records bytes written into the reserved buffer without ending the string (chunk boundary). */
  setByteLength(end: number): void {
    this.byteLength = end;
  }

  /** Ends the string whose bytes (written after reserve()) stop at `end`. */
  endString(end: number): void {
    this.byteLength = end;
    this.finishString();
  }

  /**
   * Appends whole strings at once: `raw` holds their bytes end to end, ends[i] where string i
   * ends in raw.
   */
  appendStrings(raw: Uint8Array, ends: Uint32Array): void {
    const base = this.byteLength;
    this.append(raw, 0, raw.length);
    const count = ends.length;
    this.roomForStrings(count);
    const starts = this.starts;
    const first = this.countValue + 1;
    let start = base;
    for (let i = 0; i < count; i++) {
      const end = base + ends[i];
      starts[first + i] = end;
      this.noteName(first + i - 1, start, end);
      start = end;
    }
    this.countValue += count;
  }

  /** Ends the string being read. */
  finishString(): void {
    this.roomForStrings(1);
    const start = this.starts[this.countValue];
    this.countValue++;
    this.starts[this.countValue] = this.byteLength;
    this.noteName(this.countValue - 1, start, this.byteLength);
  }

  /** Notes string `index` (raw bytes start..end) for the name rules it may match. */
  private noteName(index: number, start: number, end: number): void {
    const bytes = this.bytes;
    const first = bytes[start];
    const last = bytes[end - 1];
    if (first >= 0x30 && first <= 0x39 && last === CLOSING_PAREN && end - start >= 2)
      this.digitLedParenNames.push(index);
    if (end - start === EXTERNAL_BYTES.length && last === EXTERNAL_LAST) {
      let k = EXTERNAL_BYTES.length - 2;
      while (k >= 0 && bytes[start + k] === EXTERNAL_BYTES[k]) k--;
      if (k < 0) this.externalDataNames.push(index);
    }
  }

  /**
   * The indexes of the strings whose raw bytes start with a digit and end with ')' (candidate
   * WeakMap edge names, checked further by the caller), and of those equal to
   * 'system / ExternalStringData'.
   */
  nameRuleCandidates(): { digitLedParen: readonly number[]; externalData: readonly number[] } {
    return { digitLedParen: this.digitLedParenNames, externalData: this.externalDataNames };
  }

  /** Adds a decoded string (used for names the analysis invents). */
  add(value: string): number {
    const raw = Buffer.from(JSON.stringify(value).slice(1, -1), 'utf8');
    this.append(raw, 0, raw.length);
    this.finishString();
    this.cache.set(this.countValue - 1, value);
    return this.countValue - 1;
  }

  /** Room in `starts` for `count` more strings (doubling). */
  private roomForStrings(count: number): void {
    const needed = this.countValue + count + 1;
    if (needed <= this.starts.length) return;
    let size = this.starts.length * 2;
    while (size < needed) size *= 2;
    const grown = new Uint32Array(size);
    grown.set(this.starts);
    this.starts = grown;
  }

  /**
   * Called once parsing is done. The slack past the last string (the strings section's size
   * reserved up front, or doubling) was never written, so it holds no memory: copying the table
   * to an exact size cost the parse ~20 ms and freed nothing resident.
   */
  trim(): void {
    this.bytes = this.bytes.subarray(0, this.byteLength);
    this.starts = this.starts.subarray(0, this.countValue + 1);
  }

  get(index: number): string {
    if (index < 0 || index >= this.countValue) return '';
    const cached = this.cache.get(index);
    if (cached !== undefined) return cached;
    const value = this.decode(index);
    if (this.cache.size > 200_000) this.cache.clear();
    this.cache.set(index, value);
    return value;
  }

  /** Length in bytes of the raw (escaped) form; cheap, no decoding. */
  rawLength(index: number): number {
    return this.starts[index + 1] - this.starts[index];
  }

  private decode(index: number): string {
    const start = this.starts[index];
    const end = this.starts[index + 1];
    const slice = this.bytes.subarray(start, end);
    if (slice.indexOf(0x5c) === -1) return slice.toString('utf8');
    try {
      return JSON.parse(`"${slice.toString('utf8')}"`) as string;
    } catch {
      return slice.toString('utf8');
    }
  }
}
